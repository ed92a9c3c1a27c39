namespace Divvy.Tests;

public sealed class HaltPolicyTests
{
    [Theory]
    [InlineData("soon,fail=1", HaltWhen.Soon, 1, null)]
    [InlineData("now,fail=3", HaltWhen.Now, 3, null)]
    [InlineData("soon,fail=10%", HaltWhen.Soon, null, 10.0)]
    [InlineData("NOW,fail=2.5%", HaltWhen.Now, null, 2.5)]
    public void Parses_GNU_parallel_halt_specs(string text, HaltWhen when, int? failures, double? percent)
    {
        HaltPolicy policy = HaltPolicy.Parse(text);

        policy.When.Should().Be(when);
        policy.Failures.Should().Be(failures);
        policy.Percent.Should().Be(percent);
        HaltPolicy.Parse(policy.ToString()).Should().BeEquivalentTo(policy);
    }

    [Theory]
    [InlineData("")]
    [InlineData("soon")]
    [InlineData("later,fail=1")]
    [InlineData("soon,fail=0")]
    [InlineData("soon,fail=-1")]
    [InlineData("soon,fail=0%")]
    [InlineData("soon,fail=101%")]
    [InlineData("soon,success=1")]
    public void Refuses_anything_else_with_the_accepted_forms(string text)
    {
        Action parse = () => HaltPolicy.Parse(text);

        parse.Should().Throw<FormatException>().WithMessage("*use never, soon,fail=N, now,fail=N*");
    }

    [Fact]
    public void A_count_trips_at_that_many_failures()
    {
        HaltPolicy policy = HaltPolicy.AfterFailures(2);

        policy.IsTripped(1, 100).Should().BeFalse();
        policy.IsTripped(2, 2).Should().BeTrue();
    }

    [Fact]
    public void A_share_waits_for_three_settled_items_then_compares()
    {
        HaltPolicy policy = HaltPolicy.AfterFailurePercent(50);

        policy.IsTripped(2, 2).Should().BeFalse("two items are too few to judge a share");
        policy.IsTripped(1, 3).Should().BeFalse();
        policy.IsTripped(2, 4).Should().BeTrue();
        policy.IsTripped(33, 100).Should().BeFalse();
    }

    [Fact]
    public void Never_never_trips()
    {
        HaltPolicy.Never.IsTripped(1000, 1000).Should().BeFalse();
        HaltPolicy.Parse("never").Should().BeSameAs(HaltPolicy.Never);
    }
}
