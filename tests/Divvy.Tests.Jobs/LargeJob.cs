using System.Security.Cryptography;

namespace Divvy.Tests.Jobs;

/// <summary>Items are byte arrays of `size` bytes; Perform returns their SHA-256 so the master can check the round trip. Args: count, size.</summary>
public sealed class LargeJob : IParallelizable<byte[], string>
{
    private readonly int _count;
    private readonly int _size;

    public LargeJob(string[] args)
    {
        _count = Scenarios.Int(args, 0, 3);
        _size = Scenarios.Int(args, 1, 10 * 1024 * 1024);
    }

    public IEnumerable<byte[]> Dispatch()
    {
        for (int i = 0; i < _count; i++)
        {
            byte[] item = new byte[_size];
            new Random(i).NextBytes(item);
            Report.Line($"sent index={i} sha={Convert.ToHexString(SHA256.HashData(item))}");
            yield return item;
        }
    }

    public string Perform(byte[] item) => $"{item.Length}:{Convert.ToHexString(SHA256.HashData(item))}";

    public void OnResult(ItemResult<byte[], string> result) =>
        Report.Line($"back status={result.Status} length={result.Item.Length} value={result.Result} error={result.Error?.Message}");
}
