using System.Buffers;
using BenchmarkDotNet.Attributes;
using Divvy.Framing;
using Divvy.Jobs;
using Divvy.Protocol;
using MessagePack;

namespace Divvy.Bench.Micro;

/// <summary>Per-item costs of the wire: serialization, message encoding, framing (ns and bytes allocated per item).</summary>
[MemoryDiagnoser]
public class WireBenchmarks
{
    private readonly MemoryStream _stream = new(new byte[64 * 1024 * 1024], 0, 64 * 1024 * 1024, writable: true, publiclyVisible: true);
    private readonly ArrayBufferWriter<byte> _buffer = new(1024);
    private byte[] _itemFrame = [];
    private byte[] _payload = [];
    private byte[] _framed = [];

    [Params(8, 65536)]
    public int PayloadBytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _payload = MessagePackSerializer.Serialize(new byte[PayloadBytes], Serialization.Options);
        MessageCodec.Write(_buffer, new ItemMessage(42, _payload));
        _itemFrame = _buffer.WrittenSpan.ToArray();

        var framed = new MemoryStream();
        var writer = new FrameWriter(framed, 1 << 26);
        for (int i = 0; i < 1000; i++)
        {
            MessageCodec.Write(writer.BeginFrame(), new ItemMessage(i, _payload));
            writer.EndFrame();
        }

        writer.Flush();
        _framed = framed.ToArray();
    }

    [Benchmark(Description = "serialize int item")]
    public byte[] SerializeInt() => Serialization.SerializeItem(12345);

    [Benchmark(Description = "encode Item message")]
    public int EncodeItem()
    {
        _buffer.ResetWrittenCount();
        MessageCodec.Write(_buffer, new ItemMessage(42, _payload));
        return _buffer.WrittenCount;
    }

    [Benchmark(Description = "decode Item message")]
    public long DecodeItem() => ((ItemMessage)MessageCodec.Read(_itemFrame)).Id;

    [Benchmark(Description = "read 1,000 frames", OperationsPerInvoke = 1000)]
    public int ReadFrames()
    {
        var reader = new FrameReader(new MemoryStream(_framed, writable: false), 1 << 26);
        int count = 0;
        while (reader.Read() is not null)
        {
            count++;
        }

        return count;
    }

    [Benchmark(Description = "write and flush 1,000 frames", OperationsPerInvoke = 1000)]
    public long WriteFrames()
    {
        _stream.Position = 0;
        var writer = new FrameWriter(_stream, 1 << 26);
        for (int i = 0; i < 1000; i++)
        {
            MessageCodec.Write(writer.BeginFrame(), new ItemMessage(i, _payload));
            writer.EndFrame();
        }

        writer.Flush();
        return _stream.Position;
    }
}
