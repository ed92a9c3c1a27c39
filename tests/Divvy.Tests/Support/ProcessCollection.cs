namespace Divvy.Tests.Support;

/// <summary>
/// Specs that start real processes run one at a time: on a 2-core machine, several masters with
/// their workers at once would turn "waits for an item to start" into a scheduling lottery.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessCollection
{
    public const string Name = "real processes";
}
