namespace Divvy.Options;

/// <summary>
/// What is wrong with one option, kept apart from its wording so the API and the <c>divvy</c>
/// command each say it in their own words (<see cref="OptionVocabulary"/>) from one check.
/// </summary>
internal sealed class OptionError
{
    private readonly Func<OptionVocabulary, string> _describe;

    public OptionError(string property, Func<OptionVocabulary, string> describe)
    {
        Property = property;
        _describe = describe;
    }

    /// <summary>The <see cref="MasterOptions"/> property at fault.</summary>
    public string Property { get; }

    /// <summary>One line: the option, what it must be, what it got.</summary>
    public string Describe(OptionVocabulary words) => _describe(words);

    /// <summary>The option must be more than (or at least) another option it depends on.</summary>
    public static OptionError Below(string property, TimeSpan value, string other, TimeSpan otherValue, bool strictly) =>
        new(property, w => $"{w.Name(property)} must be {(strictly ? "longer than" : "at least")} {w.Name(other)} ({OptionText.Duration(otherValue)}), got {OptionText.Duration(value)}");

    /// <summary>The exception the API throws for this error.</summary>
    public ArgumentOutOfRangeException ToException() => new(Property, Describe(OptionVocabulary.Api));
}
