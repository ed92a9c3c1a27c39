using Divvy.Cli.Exec;

namespace Divvy.Tests.Cli.Exec;

public sealed class TemplateTests
{
    [Fact]
    public void Replaces_the_line_and_its_number()
    {
        ExecTask task = Template.ForLine(["convert", "{}", "out-{#}.png"], "in.jpg", 7, shell: false);

        task.Command.Should().Be("convert");
        task.Args.Should().Equal("in.jpg", "out-7.png");
        task.Identifier.Should().Be("in.jpg");
    }

    [Fact]
    public void Appends_the_line_when_the_template_does_not_mention_it()
    {
        Template.ForLine(["gzip", "-9"], "big.log", 1, shell: false).Args.Should().Equal("-9", "big.log");
    }

    [Fact]
    public void A_shell_template_becomes_one_command_line()
    {
        ExecTask task = Template.ForLine(["wc -l < {}"], "a.txt", 1, shell: true);

        task.Shell.Should().BeTrue();
        task.Command.Should().Be("wc -l < a.txt");
    }

    [Fact]
    public void The_worker_number_is_filled_in_by_the_worker()
    {
        ExecTask task = Template.ForLine(["echo", "{}", "{%}"], "x", 1, shell: false);

        Template.ForWorker(task, 3).Args.Should().Equal("x", "3");
        Template.ForWorker(Template.ForLine(["echo"], "x", 1, false), 3).Args.Should().Equal("x");
    }

    [Fact]
    public void Repeated_runs_are_numbered()
    {
        ExecTask run = Template.ForRun(["./load.sh", "--run", "{#}"], 12, shell: false);

        run.Identifier.Should().Be("run 12");
        run.Args.Should().Equal("--run", "12");
    }
}
