using System.Globalization;

namespace Divvy;

/// <summary>
/// When to stop a run because items keep failing, as GNU parallel's <c>--halt</c>:
/// <c>soon,fail=1</c> (stop dispatching after the first failure), <c>now,fail=3</c> (kill
/// everything at the third), <c>soon,fail=10%</c> (once a tenth of settled items failed, counted
/// from the third settled item on). A failure is an item that settled without success after its
/// retries: failed, crashed, timed out or quarantined.
/// </summary>
public sealed class HaltPolicy
{
    private HaltPolicy(HaltWhen when, int? failures, double? percent)
    {
        When = when;
        Failures = failures;
        Percent = percent;
    }

    /// <summary>Never halt: every item gets its chance. The default.</summary>
    public static HaltPolicy Never { get; } = new(HaltWhen.Never, null, null);

    /// <summary>How the run stops when the policy trips.</summary>
    public HaltWhen When { get; }

    /// <summary>Halt at this many failures; <c>null</c> when the policy is a percentage.</summary>
    public int? Failures { get; }

    /// <summary>Halt when at least this percentage of settled items failed; <c>null</c> when the policy is a count.</summary>
    public double? Percent { get; }

    /// <summary>Halts after <paramref name="failures"/> failures (1 or more).</summary>
    public static HaltPolicy AfterFailures(int failures, HaltWhen when = HaltWhen.Soon)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(failures, 1);
        return new HaltPolicy(Check(when), failures, null);
    }

    /// <summary>Halts once <paramref name="percent"/> (above 0, at most 100) of settled items failed, from the third settled item on.</summary>
    public static HaltPolicy AfterFailurePercent(double percent, HaltWhen when = HaltWhen.Soon)
    {
        if (!(percent > 0 && percent <= 100))
        {
            throw new ArgumentOutOfRangeException(nameof(percent), percent, "a halt percentage must be above 0 and at most 100");
        }

        return new HaltPolicy(Check(when), null, percent);
    }

    /// <summary>Parses GNU parallel's form: <c>never</c>, or <c>soon|now,fail=N</c> or <c>soon|now,fail=X%</c>.</summary>
    /// <exception cref="FormatException">The text is not in that form.</exception>
    public static HaltPolicy Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string trimmed = text.Trim();
        if (trimmed.Equals("never", StringComparison.OrdinalIgnoreCase))
        {
            return Never;
        }

        string[] parts = trimmed.Split(',', 2);
        if (parts.Length != 2 || !parts[1].StartsWith("fail=", StringComparison.OrdinalIgnoreCase))
        {
            throw Invalid(text);
        }

        HaltWhen when = parts[0].ToLowerInvariant() switch
        {
            "soon" => HaltWhen.Soon,
            "now" => HaltWhen.Now,
            _ => throw Invalid(text),
        };
        string value = parts[1]["fail=".Length..];
        if (value.EndsWith('%')
            && double.TryParse(value[..^1], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double percent)
            && percent > 0 && percent <= 100)
        {
            return AfterFailurePercent(percent, when);
        }

        return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int count) && count >= 1
            ? AfterFailures(count, when)
            : throw Invalid(text);
    }

    /// <summary>Whether the policy trips with <paramref name="failures"/> out of <paramref name="settled"/> items.</summary>
    public bool IsTripped(long failures, long settled)
    {
        if (When == HaltWhen.Never || failures == 0)
        {
            return false;
        }

        return Failures is { } count ? failures >= count : settled >= 3 && failures * 100.0 >= Percent!.Value * settled;
    }

    /// <summary><c>soon,fail=3</c>, the form <see cref="Parse"/> reads.</summary>
    public override string ToString() => When switch
    {
        HaltWhen.Never => "never",
        _ => $"{When.ToString().ToLowerInvariant()},fail=" + (Failures is { } n ? n.ToString(CultureInfo.InvariantCulture) : Percent!.Value.ToString(CultureInfo.InvariantCulture) + "%"),
    };

    private static HaltWhen Check(HaltWhen when) =>
        when is HaltWhen.Soon or HaltWhen.Now ? when : throw new ArgumentOutOfRangeException(nameof(when), when, "use HaltPolicy.Never for a policy that never halts");

    private static FormatException Invalid(string text) =>
        new($"'{text}' is not a halt policy: use never, soon,fail=N, now,fail=N, soon,fail=X% or now,fail=X%");
}
