namespace Divvy.Hosting;

/// <summary>What <see cref="DivvyServiceCollectionExtensions.AddDivvy"/> registered: the job's type and the code's options.</summary>
internal sealed record DivvyJobRegistration(Type JobType, Action<MasterOptions>? Configure);
