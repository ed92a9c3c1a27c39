using System.Globalization;

namespace Divvy.Dashboard;

/// <summary>A local process's resident memory, from <c>/proc/PID/statm</c> (Linux); <c>null</c> elsewhere or once it is gone.</summary>
internal static class ResidentMemory
{
    private static readonly long s_pageSize = Environment.SystemPageSize;

    public static long? Of(int pid)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        try
        {
            string statm = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/statm");
            string[] fields = statm.Split(' ');
            return fields.Length > 1 && long.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out long pages) ? pages * s_pageSize : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
