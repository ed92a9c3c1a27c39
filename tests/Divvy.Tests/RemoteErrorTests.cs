namespace Divvy.Tests;

public sealed class RemoteErrorTests
{
    [Fact]
    public void An_exception_is_described_by_its_type_message_and_stack_trace()
    {
        RemoteError error = RemoteError.From(new InvalidOperationException("no"));

        error.Kind.Should().Be(RemoteErrorKind.Exception);
        error.Type.Should().Be("System.InvalidOperationException");
        error.ToString().Should().Be("System.InvalidOperationException: no");
    }

    [Theory]
    [InlineData(RemoteErrorKind.ItemTimedOut, "item timed out: still running")]
    [InlineData(RemoteErrorKind.WorkerUnresponsive, "worker unresponsive: still running")]
    [InlineData(RemoteErrorKind.WorkerCrashed, "worker crashed: still running")]
    [InlineData(RemoteErrorKind.WorkerLost, "worker lost: still running")]
    [InlineData(RemoteErrorKind.ItemTooLarge, "item too large: still running")]
    [InlineData(RemoteErrorKind.ProtocolViolation, "protocol violation: still running")]
    public void The_masters_own_verdicts_carry_a_kind_and_no_made_up_exception_type(RemoteErrorKind kind, string text)
    {
        var error = new RemoteError(kind, "still running");

        error.Kind.Should().Be(kind);
        error.Type.Should().BeEmpty();
        error.StackTrace.Should().BeEmpty();
        error.ToString().Should().Be(text);
    }

    [Fact]
    public void An_exception_cannot_be_described_without_its_type()
    {
        FluentActions.Invoking(() => new RemoteError(RemoteErrorKind.Exception, "x")).Should().Throw<ArgumentException>();
    }
}
