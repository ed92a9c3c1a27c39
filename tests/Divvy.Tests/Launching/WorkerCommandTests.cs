using Divvy.Launching;

namespace Divvy.Tests.Launching;

public sealed class WorkerCommandTests
{
    [Fact]
    public void Relaunches_the_current_program_with_its_arguments()
    {
        WorkerCommand command = WorkerCommand.ForCurrentProcess();

        command.FileName.Should().Be(Environment.ProcessPath);
        string[] args = Environment.GetCommandLineArgs();
        command.Arguments.Should().EndWith(args.Skip(1));
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
        {
            command.Arguments[0].Should().Be(args[0], "under the dotnet host the entry assembly goes first");
        }
    }
}
