namespace Divvy.Options;

/// <summary>What an option's number means, which decides how it is written in messages and help.</summary>
internal enum OptionUnit
{
    /// <summary>A plain count: workers, retries, items.</summary>
    Count,

    /// <summary>Bytes, written with K, M or G when that is exact.</summary>
    Size,

    /// <summary>A duration in ticks, written as 500ms, 30s, 5m or 2h.</summary>
    Duration,
}
