using McMaster.Extensions.CommandLineUtils;
using McMaster.Extensions.CommandLineUtils.HelpText;

namespace Divvy.Cli;

/// <summary>
/// The <c>divvy --help</c> page: the usage line as a user types it
/// (<c>divvy [options] job.dll [job arguments...]</c>), then the options in groups, then the notes.
/// </summary>
internal sealed class HelpText(string usage, IReadOnlyList<(string Title, CommandOption[] Options)> groups) : IHelpTextGenerator
{
    public void Generate(CommandLineApplication application, TextWriter output)
    {
        output.WriteLine(application.FullName);
        output.WriteLine();
        output.WriteLine($"Usage: {usage}");
        int width = groups.SelectMany(g => g.Options).Max(o => Usage(o).Length) + 2;
        foreach ((string title, CommandOption[] options) in groups)
        {
            output.WriteLine();
            output.WriteLine($"{title}:");
            foreach (CommandOption option in options)
            {
                output.WriteLine($"  {Usage(option).PadRight(width)}{option.Description}");
            }
        }

        output.WriteLine(application.ExtendedHelpText);
    }

    /// <summary><c>-n|--workers &lt;N&gt;</c>, as the option was declared.</summary>
    private static string Usage(CommandOption option) =>
        string.Join('|', new[] { option.ShortName is { Length: > 0 } s ? $"-{s}" : null, $"--{option.LongName}" }.OfType<string>())
        + (string.IsNullOrEmpty(option.ValueName) ? "" : $" <{option.ValueName}>");
}
