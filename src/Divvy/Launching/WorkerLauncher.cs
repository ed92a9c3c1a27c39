using System.Diagnostics;
using System.Globalization;
using System.IO.Pipes;

namespace Divvy.Launching;

/// <summary>
/// Brings worker processes into existence: two anonymous pipes, the marker in the environment,
/// <see cref="Process.Start()"/>, and the master's copies of the client handles closed at once.
/// </summary>
internal sealed class WorkerLauncher
{
    // Launches are serialized process-wide: while one child starts, its pipe client handles are
    // inheritable, and a sibling launched at the same moment would inherit them too and keep the
    // pipe open after the master dies.
    private static readonly Lock s_launchGate = new();

    private readonly WorkerCommand _command;
    private readonly TextWriter _stderrSink;
    private readonly Stream? _stdoutSink;

    /// <param name="command">The program and arguments that become a worker.</param>
    /// <param name="stderrSink">Where each line a worker writes to stderr is copied.</param>
    /// <param name="stdoutSink">
    /// <c>null</c>: workers inherit the master's stdout. Otherwise their stdout is piped and copied here
    /// in whole lines (see <see cref="MasterOptions.WorkerStandardOutput"/>).
    /// </param>
    public WorkerLauncher(WorkerCommand command, TextWriter stderrSink, Stream? stdoutSink = null)
    {
        _command = command;
        _stderrSink = stderrSink;
        _stdoutSink = stdoutSink;
    }

    public WorkerProcess Launch(int workerNumber)
    {
        if (WorkerEnvironment.IsWorkerProcess)
        {
            throw new WorkerSpawnException("refusing to launch a worker from inside a worker process (a worker never spawns workers)");
        }

        if (WorkerEnvironment.Depth >= WorkerEnvironment.MaxDepth)
        {
            throw new WorkerSpawnException($"refusing to launch workers: this master is nested {WorkerEnvironment.Depth} levels deep under other Divvy processes ({WorkerEnvironment.DepthVariable}), the limit is {WorkerEnvironment.MaxDepth}");
        }

        lock (s_launchGate)
        {
            var down = new AnonymousPipeServerStream(PipeDirection.Out, HandleInheritability.Inheritable);
            var up = new AnonymousPipeServerStream(PipeDirection.In, HandleInheritability.Inheritable);
            FileDescriptors.GrowPipe(down.SafePipeHandle);
            FileDescriptors.GrowPipe(up.SafePipeHandle);
            var channel = new WorkerEndpoint.Pipes(Environment.ProcessId, workerNumber, down.GetClientHandleAsString(), up.GetClientHandleAsString());
            var startInfo = new ProcessStartInfo(_command.FileName)
            {
                UseShellExecute = false,
                RedirectStandardInput = true,
                RedirectStandardError = true,
                RedirectStandardOutput = _stdoutSink is not null,
            };
            foreach (string argument in _command.Arguments)
            {
                startInfo.ArgumentList.Add(argument);
            }

            startInfo.Environment[WorkerEnvironment.MarkerVariable] = channel.Format();
            startInfo.Environment[WorkerEnvironment.DepthVariable] = (WorkerEnvironment.Depth + 1).ToString(CultureInfo.InvariantCulture);

            Process process;
            try
            {
                process = Process.Start(startInfo)
                    ?? throw new WorkerSpawnException($"worker {workerNumber}: starting {_command.FileName} returned no process");
            }
            catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or IOException or WorkerSpawnException)
            {
                down.DisposeLocalCopyOfClientHandle();
                up.DisposeLocalCopyOfClientHandle();
                down.Dispose();
                up.Dispose();
                throw ex as WorkerSpawnException ?? new WorkerSpawnException($"worker {workerNumber}: cannot start {_command.FileName}: {ex.Message}", ex);
            }

            // The child has its copies now; ours must go before the next launch, or a sibling
            // would inherit them, and so that the master sees EOF when this worker dies.
            down.DisposeLocalCopyOfClientHandle();
            up.DisposeLocalCopyOfClientHandle();

            // Workers do not read the master's stdin: close theirs so a stray read sees EOF.
            process.StandardInput.Close();
            return new WorkerProcess(workerNumber, process, down, up, _stderrSink, _stdoutSink);
        }
    }
}
