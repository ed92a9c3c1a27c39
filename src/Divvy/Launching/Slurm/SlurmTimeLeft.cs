using System.Globalization;

namespace Divvy.Launching.Slurm;

/// <summary>Slurm's time left (<c>squeue -o %L</c>): <c>D-HH:MM:SS</c>, <c>HH:MM:SS</c> or <c>MM:SS</c>.</summary>
internal static class SlurmTimeLeft
{
    /// <summary>The time left; <c>null</c> for <c>UNLIMITED</c>, <c>NOT_SET</c>, <c>INVALID</c> or anything else it cannot read.</summary>
    public static TimeSpan? Parse(string text)
    {
        text = text.Trim();
        int days = 0;
        int dash = text.IndexOf('-', StringComparison.Ordinal);
        if (dash > 0)
        {
            if (!int.TryParse(text.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out days))
            {
                return null;
            }

            text = text[(dash + 1)..];
        }

        string[] parts = text.Split(':');
        if (parts.Length is < 2 or > 3)
        {
            return null;
        }

        var numbers = new int[3];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out numbers[3 - parts.Length + i]))
            {
                return null;
            }
        }

        return new TimeSpan(days, numbers[0], numbers[1], numbers[2]);
    }
}
