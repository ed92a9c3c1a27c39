using System.Globalization;

namespace Divvy.Options;

/// <summary>
/// How an option error names options and writes counts: the API says <c>MasterOptions.Workers</c>
/// and <c>1,024</c>, the <c>divvy</c> command says <c>-n/--workers</c> and <c>1024</c>. Durations and
/// sizes read the same in both (<c>500ms</c>, <c>64M</c>), as the command line takes them.
/// </summary>
internal class OptionVocabulary
{
    /// <summary>The library's words: property names on <see cref="MasterOptions"/>.</summary>
    public static readonly OptionVocabulary Api = new();

    /// <summary>What a reader calls the option behind <paramref name="property"/>.</summary>
    public virtual string Name(string property) => $"{nameof(MasterOptions)}.{property}";

    /// <summary>A count as the reader writes it.</summary>
    public virtual string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary><paramref name="value"/> in <paramref name="unit"/>, as the reader writes it.</summary>
    public string Format(long value, OptionUnit unit) => unit switch
    {
        OptionUnit.Size => OptionText.Size(value),
        OptionUnit.Duration => OptionText.Duration(TimeSpan.FromTicks(value)),
        _ => Count(value),
    };
}
