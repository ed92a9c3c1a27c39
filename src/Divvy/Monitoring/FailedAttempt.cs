namespace Divvy.Monitoring;

/// <summary>An attempt that did not succeed, as the latest ones appear in a <see cref="RunSnapshot"/>.</summary>
/// <param name="Id">The item's number, in dispatch order from 1.</param>
/// <param name="Item">The item as text (its <c>ToString()</c>), cut to 80 characters.</param>
/// <param name="Attempt">Which attempt failed, from 1.</param>
/// <param name="Outcome">What happened: <c>failed</c> (Perform threw), <c>timed out</c>, <c>crashed</c> or <c>lost its worker</c> (the connection).</param>
/// <param name="Error">The exception with its remote stack trace, or what killed the worker.</param>
/// <param name="Worker">The worker that held it.</param>
/// <param name="At">When, from the run's start.</param>
/// <param name="Final">Whether the item ended there (no attempt follows).</param>
public sealed record FailedAttempt(long Id, string Item, int Attempt, string Outcome, RemoteError? Error, WorkerInfo Worker, TimeSpan At, bool Final);
