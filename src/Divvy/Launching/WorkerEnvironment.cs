using System.Globalization;
using System.Runtime.CompilerServices;
using Divvy.Transport.Tcp;

namespace Divvy.Launching;

/// <summary>
/// The private marker a master puts in each worker's environment, and the process-wide answer to
/// "am I a worker?". Read once, when the Divvy assembly loads, before any job code can run; then
/// removed from the environment so that programs a worker starts are not mistaken for workers.
/// </summary>
internal static class WorkerEnvironment
{
    /// <summary>Holds <c>v1;master=PID;worker=N;down=HANDLE;up=HANDLE</c>. Not for users to set.</summary>
    public const string MarkerVariable = "DIVVY_INTERNAL_WORKER_CHANNEL";

    /// <summary>
    /// <c>host:port</c> of a master to dial: a program started with it (and <c>DIVVY_TOKEN_FILE</c> or
    /// <c>DIVVY_TOKEN</c>) becomes a TCP worker when it calls <c>Master.Run()</c>.
    /// </summary>
    public const string ConnectVariable = "DIVVY_CONNECT";

    /// <summary>
    /// What the launcher that started a TCP worker calls it (a Slurm array task <c>JOB_TASK</c>, an
    /// srun step's tag): the worker says it back in its Ready message, so the master can ask the
    /// engine how that worker ended. Set by launchers, not users.
    /// </summary>
    public const string LaunchIdVariable = "DIVVY_LAUNCH_ID";

    /// <summary>How many Divvy masters are above this process. Inherited, never removed.</summary>
    public const string DepthVariable = "DIVVY_SPAWN_DEPTH";

    /// <summary>Nested masters beyond this depth refuse to spawn: a bound on any runaway.</summary>
    public const int MaxDepth = 4;

    private static WorkerEndpoint? s_endpoint;
    private static string? s_markerError;
    private static int s_claimed;
    private static bool s_isWorkerProcess;

    static WorkerEnvironment()
    {
        Depth = int.TryParse(Environment.GetEnvironmentVariable(DepthVariable), NumberStyles.None, CultureInfo.InvariantCulture, out int depth) ? depth : 0;
        string? marker = Environment.GetEnvironmentVariable(MarkerVariable);
        string? connect = Environment.GetEnvironmentVariable(ConnectVariable);
        if (marker is null && connect is null)
        {
            return;
        }

        s_isWorkerProcess = true;
        Environment.SetEnvironmentVariable(MarkerVariable, null);
        WorkerEndpoint? endpoint;
        string? error;
        if (marker is not null)
        {
            WorkerEndpoint.TryParse(marker, out endpoint, out error);
        }
        else
        {
            // Taken out of the environment before job code runs, so nothing this worker starts
            // dials the master too, or sees the token.
            string? tokenFile = Environment.GetEnvironmentVariable(TcpToken.FileVariable);
            string? token = Environment.GetEnvironmentVariable(TcpToken.ValueVariable);
            Environment.SetEnvironmentVariable(ConnectVariable, null);
            Environment.SetEnvironmentVariable(TcpToken.FileVariable, null);
            Environment.SetEnvironmentVariable(TcpToken.ValueVariable, null);
            WorkerEndpoint.Tcp.TryParse(connect!, tokenFile, token, out endpoint, out error);
        }

        if (endpoint is not null)
        {
            s_endpoint = endpoint;
        }
        else
        {
            s_markerError = error;
        }
    }

    /// <summary>
    /// <c>true</c> when a master launched this process as a worker, or it dials one
    /// (<see cref="ConnectVariable"/>, <c>divvy worker</c>). Once true, never changes.
    /// </summary>
    public static bool IsWorkerProcess => s_isWorkerProcess;

    /// <summary>This process's nesting depth under Divvy masters (0 for a top-level program).</summary>
    public static int Depth { get; }

    /// <summary>Whether this process's worker loop has already taken the endpoint.</summary>
    public static bool IsEndpointClaimed => Volatile.Read(ref s_claimed) != 0;

    /// <summary>
    /// Makes this process a worker whose endpoint is already taken: <c>divvy worker</c>, which dials its
    /// master before it loads the job. From here on it refuses to become a master or spawn workers.
    /// </summary>
    public static void BecomeConnectedWorker()
    {
        s_isWorkerProcess = true;
        Interlocked.Exchange(ref s_claimed, 1);
    }

    /// <summary>Forces the marker to be read. Called from the module initializer.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Capture()
    {
        _ = IsWorkerProcess;
    }

    /// <summary>
    /// Takes the endpoint for the one worker loop this process may run. A second call, or a marker
    /// that does not describe an endpoint from our parent, is refused: such a process must neither
    /// serve as a worker nor become a master.
    /// </summary>
    public static WorkerEndpoint ClaimEndpoint()
    {
        if (s_markerError is not null)
        {
            throw new WorkerSpawnException($"this process was started as a Divvy worker but its marker is unusable: {s_markerError}");
        }

        if (IsEndpointClaimed)
        {
            throw new WorkerSpawnException("this worker process already runs its worker loop: a second Master.Run() inside a worker is refused (a worker never spawns workers)");
        }

        WorkerEndpoint endpoint = s_endpoint!;
        switch (endpoint)
        {
            case WorkerEndpoint.Pipes pipes:
                int parent = ParentProcess.Id;
                if (parent > 0 && parent != pipes.MasterProcessId)
                {
                    throw new WorkerSpawnException($"this process carries a Divvy worker marker for master pid {pipes.MasterProcessId}, but its parent is pid {parent}; refusing to run");
                }

                break;
            case WorkerEndpoint.Tcp:
                // Anyone may start a TCP worker: the token, checked in the handshake, is what counts.
                break;
            default:
                // Every kind of endpoint decides here who may claim it; none is let through unchecked.
                throw new WorkerSpawnException($"this process carries a Divvy worker marker for an endpoint this build cannot check ({endpoint.GetType().Name}); refusing to run");
        }

        if (Interlocked.Exchange(ref s_claimed, 1) != 0)
        {
            throw new WorkerSpawnException("this worker process already runs its worker loop: a second Master.Run() inside a worker is refused (a worker never spawns workers)");
        }

        return endpoint;
    }
}
