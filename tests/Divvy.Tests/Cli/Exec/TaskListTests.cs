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
    [InlineData("[1]", "task 1: expected an object, got 1")]
    [InlineData("""[{"identifier":"x"}]""", "task 1 ('x'): missing \"command\"")]
    [InlineData("""[{"identifier":"x","command":""}]""", "task 1 ('x'): missing \"command\"")]
    public void Malformed_lists_name_the_task(string json, string message)
    {
        Action parse = () => TaskList.Parse(json);

        parse.Should().Throw<FormatException>().WithMessage(message);
    }

    /// <summary>Every field, every JSON kind it must not be: the value, and the line naming task and field.</summary>
    public static TheoryData<string, string, string> WrongKinds => new()
    {
        { "identifier", "{}", "identifier must be a string or a number, got an object" },
        { "identifier", "[]", "identifier must be a string or a number, got an array" },
        { "identifier", "true", "identifier must be a string or a number, got true" },
        { "command", "5", "command must be a string, got 5" },
        { "command", "null", "command must be a string, got null" },
        { "command", "{}", "command must be a string, got an object" },
        { "command", "[\"echo\"]", "command must be a string, got an array" },
        { "command", "false", "command must be a string, got false" },
        { "args", "\"x\"", "args must be an array of strings, got \"x\"" },
        { "args", "3", "args must be an array of strings, got 3" },
        { "args", "{}", "args must be an array of strings, got an object" },
        { "args", "true", "args must be an array of strings, got true" },
        { "args", "[\"ok\", 2]", "args[1] must be a string, got 2" },
        { "args", "[null]", "args[0] must be a string, got null" },
        { "args", "[[]]", "args[0] must be a string, got an array" },
        { "args", "[{}]", "args[0] must be a string, got an object" },
        { "args", "[true]", "args[0] must be a string, got true" },
        { "env", "[]", "env must be an object of strings, got an array" },
        { "env", "\"X=1\"", "env must be an object of strings, got \"X=1\"" },
        { "env", "1", "env must be an object of strings, got 1" },
        { "env", "true", "env must be an object of strings, got true" },
        { "env", "{\"X\": 1}", "env.X must be a string, got 1" },
        { "env", "{\"X\": null}", "env.X must be a string, got null" },
        { "env", "{\"X\": {}}", "env.X must be a string, got an object" },
        { "env", "{\"X\": []}", "env.X must be a string, got an array" },
        { "env", "{\"X\": false}", "env.X must be a string, got false" },
        { "cwd", "1", "cwd must be a string, got 1" },
        { "cwd", "{}", "cwd must be a string, got an object" },
        { "cwd", "[]", "cwd must be a string, got an array" },
        { "cwd", "true", "cwd must be a string, got true" },
        { "timeout", "\"soon\"", "timeout must be a positive number of seconds (at most 24 days), got \"soon\"" },
        { "timeout", "\"5\"", "timeout must be a positive number of seconds (at most 24 days), got \"5\"" },
        { "timeout", "-1", "timeout must be a positive number of seconds (at most 24 days), got -1" },
        { "timeout", "0", "timeout must be a positive number of seconds (at most 24 days), got 0" },
        { "timeout", "1e300", "timeout must be a positive number of seconds (at most 24 days), got 1e300" },
        { "timeout", "1e400", "timeout must be a positive number of seconds (at most 24 days), got 1e400" },
        { "timeout", "{}", "timeout must be a positive number of seconds (at most 24 days), got an object" },
        { "timeout", "[]", "timeout must be a positive number of seconds (at most 24 days), got an array" },
        { "timeout", "true", "timeout must be a positive number of seconds (at most 24 days), got true" },
        { "shell", "\"yes\"", "shell must be true or false, got \"yes\"" },
        { "shell", "1", "shell must be true or false, got 1" },
        { "shell", "{}", "shell must be true or false, got an object" },
        { "shell", "[]", "shell must be true or false, got an array" },
    };

    [Theory]
    [MemberData(nameof(WrongKinds))]
    public void A_field_of_the_wrong_kind_is_refused_in_one_line_naming_the_task_and_the_field(string field, string value, string message)
    {
        // The field comes before the identifier on purpose: the message still names the task.
        string task = field switch
        {
            "identifier" => $$"""{"identifier": {{value}}, "command": "echo"}""",
            "command" => $$"""{"command": {{value}}, "identifier": "a"}""",
            _ => $$"""{"{{field}}": {{value}}, "identifier": "a", "command": "echo"}""",
        };
        string json = $$"""[{"command": "true"}, {{task}}]""";

        Action parse = () => TaskList.Parse(json);

        string where = field == "identifier" ? "task 2" : "task 2 ('a')";
        parse.Should().Throw<FormatException>().Which.Message.Should().Be($"{where}: {message}");
    }

    [Theory]
    [InlineData("args")]
    [InlineData("env")]
    [InlineData("cwd")]
    [InlineData("timeout")]
    [InlineData("shell")]
    [InlineData("identifier")]
    public void Null_is_the_same_as_leaving_an_optional_field_out(string field)
    {
        ExecTask task = TaskList.Parse($$"""[{"command": "echo", "{{field}}": null}]""").Single();

        task.Should().BeEquivalentTo(new ExecTask { Sequence = 1, Identifier = "1", Command = "echo" });
    }
}
