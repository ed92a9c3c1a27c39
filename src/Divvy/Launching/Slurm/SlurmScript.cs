using System.Text;

namespace Divvy.Launching.Slurm;

/// <summary>The worker's command line as a POSIX shell script line: every word single-quoted.</summary>
internal static class SlurmScript
{
    /// <summary><c>'program' 'arg 1' 'it'\''s'</c>: nothing in any word is interpreted by the shell.</summary>
    public static string Quote(string fileName, IReadOnlyList<string> arguments)
    {
        var line = new StringBuilder(Word(fileName));
        foreach (string argument in arguments)
        {
            line.Append(' ').Append(Word(argument));
        }

        return line.ToString();
    }

    private static string Word(string word) => "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
