using System.Security.Cryptography;
using Divvy;
using MessagePack;

namespace Divvy.Bench;

/// <summary>
/// 0 .. count-1, as a loop (Python's peers use range()): Enumerable.Range would load System.Linq
/// into the master, about 0.6 MiB of its Pss that is the job's choice, not Divvy's.
/// </summary>
public static class ItemNumbers
{
    public static IEnumerable<int> Upto(int count)
    {
        for (int i = 0; i < count; i++)
        {
            yield return i;
        }
    }
}

/// <summary>item = i; Perform returns i * 2.</summary>
public sealed class TrivialJob(int items) : IParallelizable<int, int>
{
    public IEnumerable<int> Dispatch() => ItemNumbers.Upto(items);

    public int Perform(int item) => item * 2;
}

/// <summary>item = i; Perform sleeps and returns i.</summary>
/// <remarks>
/// A blocking sleep, as Python's time.sleep in the peers: a worker performs one item at a time, and
/// Thread.Sleep is precise where Task.Delay's timer overshoots by 1-5 ms on Linux (20 rounds of
/// that would be measured as Divvy's overhead).
/// </remarks>
public sealed class SleepJob(int items, int sleepMs) : IParallelizable<int, int>
{
    public IEnumerable<int> Dispatch() => ItemNumbers.Upto(items);

    public int Perform(int item)
    {
        Thread.Sleep(sleepMs);
        return item;
    }
}

/// <summary>SHA-256 over one zero buffer per worker, `rounds` times per item.</summary>
public sealed class CpuJob(int items, int rounds, int size) : IParallelizable<int, int>
{
    private byte[]? _buffer;

    public IEnumerable<int> Dispatch() => ItemNumbers.Upto(items);

    public void AfterSpawn(WorkerInfo worker) => _buffer = new byte[size];

    public int Perform(int item)
    {
        byte[] buffer = _buffer ??= new byte[size];
        Span<byte> hash = stackalloc byte[32];
        for (int r = 0; r < rounds; r++)
        {
            SHA256.HashData(buffer, hash);
        }

        return item;
    }
}

/// <summary>A payload item: its index and a fresh buffer whose first 8 bytes hold the index.</summary>
[MessagePackObject]
public sealed record Payload([property: Key(0)] int Index, [property: Key(1)] byte[] Bytes);

/// <summary>item = (i, fresh byte[B], bytes 0-7 = i); returns the bytes back with --echo, else the index.</summary>
public sealed class PayloadJob(int items, int size, bool echo) : IParallelizable<Payload, Payload>
{
    public IEnumerable<Payload> Dispatch()
    {
        for (int i = 0; i < items; i++)
        {
            byte[] bytes = new byte[size];
            BitConverter.TryWriteBytes(bytes, (long)i);
            yield return new Payload(i, bytes);
        }
    }

    public Payload Perform(Payload item) => echo ? item : new Payload(item.Index, []);
}
