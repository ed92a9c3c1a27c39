using System.Diagnostics;
using System.Globalization;
using Divvy.Cli.Exec;

namespace Divvy.Cli.Serve;

/// <summary>
/// What kills the served commands when the server dies, even by SIGKILL: a small shell in a session
/// of its own (so no signal to the server's process group reaches it) that reads the process
/// groups of the running commands from a pipe only the server writes to (<c>+ PGID</c> when one
/// starts, <c>- PGID</c> when it ended). When the pipe reaches end-of-file (the server is gone, and
/// the kernel closed its end), it kills every group still listed, and exits.
/// </summary>
internal sealed class Reaper : IDisposable
{
    private const string Script = """
        trap '' INT TERM HUP QUIT
        groups=' '
        while read -r op group; do
          case $op in
            +) groups="$groups$group " ;;
            -) case "$groups" in *" $group "*) groups="${groups%% $group *} ${groups#* $group }" ;; esac ;;
          esac
        done
        for group in $groups; do kill -KILL -"$group" 2>/dev/null; done
        """;

    private readonly Process _shell;
    private readonly Lock _gate = new();

    private Reaper(Process shell)
    {
        _shell = shell;
    }

    /// <summary>Starts the reaper shell.</summary>
    public static Reaper Start()
    {
        var start = new ProcessStartInfo(ProcessGroups.Setsid ?? "/bin/sh") { UseShellExecute = false, RedirectStandardInput = true };
        if (ProcessGroups.Setsid is not null)
        {
            start.ArgumentList.Add("/bin/sh");
        }

        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(Script);
        return new Reaper(Process.Start(start)!);
    }

    /// <summary>A command started as the leader of <paramref name="group"/>.</summary>
    public void Watch(int group) => Say('+', group);

    /// <summary>The command of <paramref name="group"/> ended and its group was killed.</summary>
    public void Forget(int group) => Say('-', group);

    /// <summary>The server ends: the reaper kills what is still listed (nothing, after a drain) and exits.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _shell.StandardInput.Close();
        }

        _shell.WaitForExit(TimeSpan.FromSeconds(5));
        _shell.Dispose();
    }

    private void Say(char op, int group)
    {
        lock (_gate)
        {
            try
            {
                _shell.StandardInput.Write(string.Create(CultureInfo.InvariantCulture, $"{op} {group}\n"));
                _shell.StandardInput.Flush();
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException)
            {
                // The reaper is gone (someone killed it): commands still die with their clients and timeouts.
            }
        }
    }
}
