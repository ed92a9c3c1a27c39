using Divvy.Launching;
using Divvy.Worker;

namespace Divvy.Tests.Worker;

public sealed class PipeEndsTests
{
    [Theory]
    [InlineData("abc")]
    [InlineData("-1")]
    [InlineData("")]
    public void On_Unix_a_handle_that_is_not_a_descriptor_is_refused_with_a_clear_error(string handle)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var channel = new WorkerEndpoint.Pipes(MasterProcessId: 1, WorkerNumber: 1, DownHandle: handle, UpHandle: handle);

        Action open = () => PipeEnds.Open(channel);

        open.Should().Throw<IOException>().WithMessage($"*pipe handle '{handle}'*not a file descriptor*");
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("-1")]
    public async Task On_Unix_a_pipes_endpoint_opens_through_the_pipe_ends(string handle)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        WorkerEndpoint endpoint = new WorkerEndpoint.Pipes(MasterProcessId: 1, WorkerNumber: 1, DownHandle: handle, UpHandle: handle);

        Func<Task> open = () => WorkerStreams.OpenAsync(endpoint);

        await open.Should().ThrowAsync<IOException>().WithMessage($"*pipe handle '{handle}'*not a file descriptor*");
    }
}
