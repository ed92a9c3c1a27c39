using Divvy.Jobs;
using Divvy.Worker;

namespace Divvy.Tests.Support;

/// <summary>A <see cref="Master"/> whose workers are real worker loops in the test's own process (<see cref="InProcessLauncher"/>): the whole run, no process starts.</summary>
internal static class InProcessMaster
{
    /// <summary>A master for <paramref name="job"/> on <paramref name="workers"/> in-process workers; signals are left alone.</summary>
    public static Master For(IParallelizable job, int workers, Action<MasterOptions>? configure = null) => For(job, workers, out _, configure);

    /// <summary>As <see cref="For(IParallelizable, int, Action{MasterOptions}?)"/>, with the launcher, to see the workers it launched.</summary>
    public static Master For(IParallelizable job, int workers, out InProcessLauncher launcher, Action<MasterOptions>? configure = null)
    {
        var options = new MasterOptions { Workers = workers, HandleSignals = false, ShutdownTimeout = TimeSpan.FromSeconds(30) };
        configure?.Invoke(options);
        launcher = new InProcessLauncher(() => (IWorkerJob)JobBinder.Bind(job));
        return new Master(job, options) { Launcher = launcher };
    }
}
