using McMaster.Extensions.CommandLineUtils;

namespace Divvy.Cli;

/// <summary>
/// Splits <c>divvy [options] job.dll [job arguments...]</c>: options up to the assembly path are
/// divvy's; everything after it belongs to the job untouched, even when it looks like an option.
/// </summary>
internal static class CommandLine
{
    public static (string[] Own, string[] Job) Split(CommandLineApplication app, string[] args)
    {
        int i = 0;
        while (i < args.Length)
        {
            string arg = args[i];
            if (arg == "--")
            {
                // Everything after -- is the assembly and the job's arguments.
                return i + 1 < args.Length ? ([.. args[..i], args[i + 1]], args[(i + 2)..]) : (args[..i], []);
            }

            if (!arg.StartsWith('-') || arg == "-")
            {
                return (args[..(i + 1)], args[(i + 1)..]);
            }

            i += TakesSeparateValue(app, arg) ? 2 : 1;
        }

        return (args, []);
    }

    /// <summary>The first of divvy's own arguments that looks like an option but is none of its options, or <c>null</c>.</summary>
    public static string? FindUnknownOption(CommandLineApplication app, string[] own)
    {
        for (int i = 0; i < own.Length; i++)
        {
            string arg = own[i];
            if (!arg.StartsWith('-') || arg == "-")
            {
                continue;
            }

            if (Find(app, arg) is not { } option)
            {
                return arg;
            }

            if (option.OptionType is CommandOptionType.SingleValue or CommandOptionType.MultipleValue && !HasInlineValue(arg))
            {
                // The next argument is this option's value, even when it starts with a dash.
                i++;
            }
        }

        return null;
    }

    private static bool HasInlineValue(string arg) => arg.Contains('=', StringComparison.Ordinal) || arg.Contains(':', StringComparison.Ordinal);

    private static CommandOption? Find(CommandLineApplication app, string arg)
    {
        bool isLong = arg.StartsWith("--", StringComparison.Ordinal);
        string name = arg.TrimStart('-').Split('=', ':')[0];
        return app.GetOptions().FirstOrDefault(o => isLong ? o.LongName == name : o.ShortName == name || o.SymbolName == name);
    }

    private static bool TakesSeparateValue(CommandLineApplication app, string arg)
    {
        if (arg.Contains('=', StringComparison.Ordinal) || arg.Contains(':', StringComparison.Ordinal))
        {
            return false;
        }

        string name = arg.TrimStart('-');
        bool isLong = arg.StartsWith("--", StringComparison.Ordinal);
        CommandOption? option = app.GetOptions().FirstOrDefault(o => isLong ? o.LongName == name : o.ShortName == name);
        return option is not null && option.OptionType is CommandOptionType.SingleValue or CommandOptionType.MultipleValue;
    }
}
