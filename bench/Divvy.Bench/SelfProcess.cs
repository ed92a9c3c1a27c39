using System.Diagnostics;

namespace Divvy.Bench;

/// <summary>Starts another copy of this program with its stdin and stdout redirected, however this one was started.</summary>
public static class SelfProcess
{
    public static Process Start(IEnumerable<string> arguments)
    {
        var startInfo = new ProcessStartInfo(Environment.ProcessPath!)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
        {
            // Run as `dotnet Divvy.Bench.dll`: the child needs the dll too.
            startInfo.ArgumentList.Add(typeof(SelfProcess).Assembly.Location);
        }

        foreach (string argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        return Process.Start(startInfo)!;
    }
}
