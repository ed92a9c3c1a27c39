namespace Divvy.Tests.Jobs;

/// <summary>
/// A run worth watching on the dashboard: items "render" pages for 40 ms to about a second, and every
/// 17th fails with an IOException (worth a retry). Args: count.
/// </summary>
public sealed class DemoJob : IParallelizable<int, string>
{
    private readonly int _count;

    public DemoJob(string[] args)
    {
        _count = Scenarios.Int(args, 0, 500);
    }

    public IEnumerable<int> Dispatch() => Enumerable.Range(1, _count);

    public string Perform(int item)
    {
        // Durations spread over more than a decade, the same for an item every time.
        int milliseconds = 40 + (int)(Math.Pow((item * 7919 % 101) / 100.0, 3) * 900);
        Thread.Sleep(milliseconds);
        if (item % 17 == 0)
        {
            RenderPage(item);
        }

        return $"page-{item}.pdf";
    }

    private static void RenderPage(int item) => throw new IOException($"page {item}: disk quota exceeded writing /var/spool/render/page-{item}.pdf");
}
