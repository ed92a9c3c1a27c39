namespace Divvy.Hosting;

/// <summary>
/// How a Divvy run and its host end each other. Bound from the <see cref="SectionName"/>
/// configuration section too (<c>"Divvy": { "StopApplication": false }</c>), or set with
/// <c>services.Configure&lt;DivvyHostOptions&gt;(...)</c>.
/// </summary>
public sealed class DivvyHostOptions
{
    /// <summary>The configuration section bound onto <see cref="MasterOptions"/> and onto these options: <c>"Divvy"</c>.</summary>
    public const string SectionName = "Divvy";

    /// <summary>
    /// Whether the run's end stops the application (<see cref="Microsoft.Extensions.Hosting.IHostApplicationLifetime.StopApplication"/>).
    /// Default <c>true</c>; <c>false</c> for an app that goes on serving after its run (a web app).
    /// </summary>
    public bool StopApplication { get; set; } = true;

    /// <summary>
    /// Whether the run's end sets <see cref="Environment.ExitCode"/>: 0 when <see cref="RunSummary.IsSuccess"/>,
    /// 1 when items failed or the run was stopped early or ended by an exception. Default <c>true</c>.
    /// </summary>
    public bool SetExitCode { get; set; } = true;
}
