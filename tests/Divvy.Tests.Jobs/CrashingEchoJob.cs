namespace Divvy.Tests.Jobs;

/// <summary>
/// Items are byte arrays of `size` bytes, each filled from its own seed (the index is in its first
/// 4 bytes); Perform returns them as they came. Every 7th item kills its worker on its first
/// attempt (counted with marker files so every worker agrees), with its neighbours queued behind
/// it, so they are sent again. The master checks that every item and every result holds its own
/// bytes. Args: marker directory, count, size.
/// </summary>
public sealed class CrashingEchoJob : IParallelizable<byte[], byte[]>
{
    private readonly string _directory;
    private readonly int _count;
    private readonly int _size;

    public CrashingEchoJob(string[] args)
    {
        _directory = args[0];
        _count = Scenarios.Int(args, 1, 60);
        _size = Scenarios.Int(args, 2, 64 * 1024);
    }

    public IEnumerable<byte[]> Dispatch()
    {
        for (int i = 0; i < _count; i++)
        {
            yield return Bytes(i, _size);
        }
    }

    public byte[] Perform(byte[] item)
    {
        int index = BitConverter.ToInt32(item);
        string marker = Path.Combine(_directory, index.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (index % 7 == 3 && !File.Exists(marker))
        {
            File.WriteAllText(marker, "");
            Environment.Exit(42);
        }

        return item;
    }

    public void OnResult(ItemResult<byte[], byte[]> result)
    {
        int index = BitConverter.ToInt32(result.Item);
        byte[] expected = Bytes(index, _size);
        Report.Line($"final item={index} status={result.Status} attempts={result.Attempts} item_intact={result.Item.AsSpan().SequenceEqual(expected)} result_intact={result.Result is { } r && r.AsSpan().SequenceEqual(expected)}");
    }

    private static byte[] Bytes(int index, int size)
    {
        byte[] bytes = new byte[size];
        new Random(index).NextBytes(bytes);
        BitConverter.TryWriteBytes(bytes, index);
        return bytes;
    }
}
