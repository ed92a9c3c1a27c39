using System.Globalization;

namespace Divvy.Tests.Jobs;

/// <summary>The program's other way to run (<c>JOBS_STREAM=1</c>): reads the results as a stream and prints one "streamed" line each.</summary>
public static class Streaming
{
    public static async Task<RunSummary> RunAsync(Master master, IParallelizable job, CancellationToken cancellationToken)
    {
        if (job is not IParallelizable<int, int>)
        {
            throw new ArgumentException($"JOBS_STREAM reads IParallelizable<int, int> jobs only, not {job.GetType().Name}");
        }

        await foreach (ItemResult<int, int> result in master.RunStreamingAsync<int, int>(cancellationToken))
        {
            Report.Line(string.Create(CultureInfo.InvariantCulture, $"streamed item={result.Item} status={result.Status} value={result.Result}"));
        }

        return master.Summary!;
    }
}
