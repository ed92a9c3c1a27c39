using Divvy.Cli.Exec;

namespace Divvy.Tests.Cli.Exec;

public sealed class TaskListTests
{
    [Fact]
    public void Reads_go_workerpool_tasks_and_divvys_optional_fields()
    {
        List<ExecTask> tasks = TaskList.Parse("""
            [
              {"identifier": "job 1", "command": "php", "args": ["worker.php", "an_argument"]},
              {"identifier": 2, "command": "echo $X", "shell": true, "env": {"X": "1"}, "cwd": "/tmp", "timeout": 2.5},
            ]
            """);

        tasks.Should().HaveCount(2);
        tasks[0].Should().BeEquivalentTo(new ExecTask { Sequence = 1, Identifier = "job 1", Command = "php", Args = ["worker.php", "an_argument"] });
        tasks[1].Identifier.Should().Be("2");
        tasks[1].Shell.Should().BeTrue();
        tasks[1].Env.Should().Equal(new Dictionary<string, string> { ["X"] = "1" });
        tasks[1].Cwd.Should().Be("/tmp");
        tasks[1].TimeoutSeconds.Should().Be(2.5);
    }

    [Fact]
    public void A_task_without_identifier_is_named_by_its_position()
    {
        TaskList.Parse("""[{"command":"true"},{"command":"false"}]""").Select(t => t.Identifier).Should().Equal("1", "2");
    }

    [Theory]
    [InlineData("[", "the task list is not valid JSON*")]
    [InlineData("{}", "the task list must be a JSON array*")]
    [InlineData("[1]", "task 1: expected an object")]
    [InlineData("""[{"identifier":"x"}]""", "task 1 ('x'): missing \"command\"")]
    [InlineData("""[{"command":5}]""", "task 1: command must be a string")]
    [InlineData("""[{"command":"a","timeout":-1}]""", "task 1: timeout must be a positive number of seconds")]
    [InlineData("""[{"command":"a","shell":"yes"}]""", "task 1: shell must be true or false")]
    [InlineData("""[{"command":"a","env":[]}]""", "task 1: env must be an object of strings")]
    public void Malformed_lists_name_the_task_and_the_field(string json, string message)
    {
        Action parse = () => TaskList.Parse(json);

        parse.Should().Throw<FormatException>().WithMessage(message);
    }
}
