namespace Divvy.Monitoring;

/// <summary>An item a worker performs at the moment of a <see cref="RunSnapshot"/>.</summary>
/// <param name="Id">The item's number, in dispatch order from 1.</param>
/// <param name="Item">The item as text (its <c>ToString()</c>), cut to 80 characters.</param>
/// <param name="Running">How long its attempt has run.</param>
/// <param name="Attempt">Which attempt this is, from 1.</param>
public sealed record RunningItem(long Id, string Item, TimeSpan Running, int Attempt);
