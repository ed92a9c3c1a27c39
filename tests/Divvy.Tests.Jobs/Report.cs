using System.Globalization;
using Divvy;

namespace Divvy.Tests.Jobs;

/// <summary>Machine-readable lines on stdout that the specs parse; one write per line so lines never interleave.</summary>
public static class Report
{
    public static void Line(string text) => Console.Out.Write(text + "\n");

    public static void Result<TItem, TResult>(ItemResult<TItem, TResult> result) =>
        Line(string.Create(CultureInfo.InvariantCulture, $"result item={Show(result.Item)} status={result.Status} value={Show(result.Result)} worker={result.Worker.Number} pid={result.Worker.ProcessId} error={result.Error?.Type} exit={result.WorkerExit?.ExitCode} attempts={result.Attempts}"));

    public static void Summary(RunSummary s) =>
        Line(string.Create(CultureInfo.InvariantCulture, $"summary dispatched={s.Dispatched} succeeded={s.Succeeded} failed={s.Failed} crashed={s.Crashed} notperformed={s.NotPerformed} spawned={s.WorkersSpawned} crashes={s.WorkerCrashes} reason={s.StopReason}"));

    private static string Show(object? value) => value switch
    {
        null => "-",
        byte[] bytes => $"bytes:{bytes.Length}",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "-",
    };
}
