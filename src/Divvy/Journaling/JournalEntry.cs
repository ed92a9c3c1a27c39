namespace Divvy;

/// <summary>One item as a run's journal (<see cref="MasterOptions.Journal"/>) last recorded it; see <see cref="Replay"/>.</summary>
/// <param name="Key">The item's key: the one its job gave (<c>ItemKey</c>), or the hash of its bytes in 32 hex digits.</param>
/// <param name="Status">How it settled.</param>
/// <param name="Attempts">How many times it was tried.</param>
/// <param name="Duration">How long its last attempt ran.</param>
/// <param name="Error">Why it did not succeed; <c>null</c> for a success.</param>
/// <param name="CanReplay">Whether the journal kept its bytes (it did not succeed), so <see cref="Replay"/> can run it again.</param>
public sealed record JournalEntry(string Key, ItemStatus Status, int Attempts, TimeSpan Duration, RemoteError? Error, bool CanReplay);
