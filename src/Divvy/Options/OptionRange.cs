namespace Divvy.Options;

/// <summary>
/// The documented range of one <see cref="MasterOptions"/> property, written once: the API
/// validates with it, the <c>divvy</c> command checks and describes its flags with it.
/// </summary>
internal sealed class OptionRange
{
    private OptionRange(string property, long min, long max, OptionUnit unit)
    {
        Property = property;
        Min = min;
        Max = max;
        Unit = unit;
    }

    public string Property { get; }

    public long Min { get; }

    public long Max { get; }

    public OptionUnit Unit { get; }

    public static OptionRange Count(string property, long min, long max = long.MaxValue) => new(property, min, max, OptionUnit.Count);

    public static OptionRange Size(string property, long min, long max = long.MaxValue) => new(property, min, max, OptionUnit.Size);

    public static OptionRange Duration(string property, TimeSpan min, TimeSpan max) => new(property, min.Ticks, max.Ticks, OptionUnit.Duration);

    /// <summary><c>between 1 and 1024</c>, <c>at least 1M</c>: what the value must be.</summary>
    public string Describe(OptionVocabulary words) => Max == long.MaxValue
        ? $"at least {words.Format(Min, Unit)}"
        : $"between {words.Format(Min, Unit)} and {words.Format(Max, Unit)}";

    public OptionError? Check(long value) => value >= Min && value <= Max
        ? null
        : new OptionError(Property, w => $"{w.Name(Property)} must be {Describe(w)}, got {w.Format(value, Unit)}");

    public OptionError? Check(TimeSpan value) => Check(value.Ticks);
}
