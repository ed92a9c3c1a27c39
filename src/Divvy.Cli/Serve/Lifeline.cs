using System.IO.Pipes;

namespace Divvy.Cli.Serve;

/// <summary>
/// What kills a served command when the server dies, even by SIGKILL: a pipe whose write end only
/// the server holds. Each command's process group gets a watcher that reads the pipe and, when it
/// reaches end-of-file (the server is gone, the kernel closed its end), kills its group.
/// </summary>
internal sealed class Lifeline : IDisposable
{
    private readonly AnonymousPipeServerStream _pipe = new(PipeDirection.Out, HandleInheritability.Inheritable);

    /// <summary>The read end's descriptor, inherited by every child the server starts.</summary>
    public string ReadDescriptor => _pipe.GetClientHandleAsString();

    /// <summary>
    /// <c>setsid /bin/sh -c SCRIPT divvy-served ARGV...</c>: a new session and process group whose
    /// shell starts the watcher in the background and becomes the command (same pid, the group's
    /// leader). The watcher opens the pipe by its <c>/dev/fd</c> name (a POSIX shell redirects
    /// only descriptors 0 to 9 by number); the command keeps an inherited read end, which no one
    /// ever writes to.
    /// </summary>
    public IEnumerable<string> Wrap(IEnumerable<string> argv)
    {
        string fd = ReadDescriptor;
        yield return "/bin/sh";
        yield return "-c";
        yield return $"( read _ </dev/fd/{fd}; kill -KILL 0 ) </dev/null >/dev/null 2>&1 & exec \"$@\"";
        yield return "divvy-served";
        foreach (string word in argv)
        {
            yield return word;
        }
    }

    public void Dispose() => _pipe.Dispose();
}
