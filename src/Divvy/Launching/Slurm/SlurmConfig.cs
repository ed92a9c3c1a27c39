using System.Globalization;

namespace Divvy.Launching.Slurm;

/// <summary>Reads what the launcher needs from <c>scontrol show config</c>.</summary>
internal static class SlurmConfig
{
    /// <summary>Slurm's default MaxArraySize: indices 0 to 1000.</summary>
    public const int DefaultMaxArraySize = 1001;

    /// <summary>The <c>MaxArraySize = N</c> line's N (at least 1), or <see cref="DefaultMaxArraySize"/> when there is none.</summary>
    public static int MaxArraySize(string scontrolShowConfig)
    {
        foreach (string line in scontrolShowConfig.Split('\n'))
        {
            string[] parts = line.Split('=', 2, StringSplitOptions.TrimEntries);
            if (parts.Length == 2 && parts[0] == "MaxArraySize"
                && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int size) && size >= 1)
            {
                return size;
            }
        }

        return DefaultMaxArraySize;
    }
}
