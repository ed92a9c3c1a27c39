namespace Divvy.Cli;

internal static class Program
{
    private static int Main(string[] args) => new DivvyCommand(Console.Out, Console.Error).Run(args);
}
