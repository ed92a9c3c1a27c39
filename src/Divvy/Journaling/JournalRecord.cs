using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Text;

namespace Divvy.Journaling;

/// <summary>
/// One settled item as the journal keeps it. On disk: the body's length and its CRC-32, then the
/// body (status, attempts, duration, the key, the result a success returned, and for an item that
/// did not succeed its serialized bytes and its error), so a record cut short or garbled by a
/// master killed mid-write is recognised and dropped when the journal is read again.
/// </summary>
internal sealed record JournalRecord(
    JournalKey Key,
    ItemStatus Status,
    int Attempts,
    TimeSpan Duration,
    ReadOnlyMemory<byte>? Result,
    ReadOnlyMemory<byte>? Payload,
    RemoteError? Error)
{
    /// <summary>Length and checksum before each body.</summary>
    public const int HeaderSize = 8;

    /// <summary>A body longer than this is garbage, not a record: the journal stops there.</summary>
    public const int MaxBodySize = 1 << 30;

    /// <summary>Appends the record, header and body, to <paramref name="output"/>.</summary>
    public void WriteTo(ArrayBufferWriter<byte> output)
    {
        int start = output.WrittenCount + HeaderSize;
        output.GetSpan(HeaderSize);
        output.Advance(HeaderSize);
        WriteByte(output, (byte)Status);
        WriteInt32(output, Attempts);
        WriteInt64(output, Duration.Ticks);
        WriteByte(output, Key.IsJobKey ? (byte)1 : (byte)0);
        WriteString(output, Key.Text);
        WriteBytes(output, Result);
        WriteBytes(output, Payload);
        if (Error is null)
        {
            WriteByte(output, 0);
        }
        else
        {
            WriteByte(output, 1);
            WriteByte(output, (byte)Error.Kind);
            WriteString(output, Error.Type);
            WriteString(output, Error.Message);
            WriteString(output, Error.StackTrace);
        }

        // The header goes in front once the body's length and checksum are known.
        Span<byte> written = MemoryMarshal.AsMemory(output.WrittenMemory).Span;
        ReadOnlySpan<byte> body = written[start..];
        BinaryPrimitives.WriteInt32LittleEndian(written[(start - HeaderSize)..], body.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(written[(start - 4)..], Crc32.HashToUInt32(body));
    }

    /// <summary>
    /// Reads the record at the start of <paramref name="data"/>; <c>null</c> with <paramref name="length"/> 0
    /// when what is there is not a whole, intact record (the torn end of a journal).
    /// </summary>
    public static JournalRecord? TryRead(ReadOnlySpan<byte> data, out int length)
    {
        length = 0;
        if (data.Length < HeaderSize)
        {
            return null;
        }

        int size = BinaryPrimitives.ReadInt32LittleEndian(data);
        if (size <= 0 || size > MaxBodySize || data.Length - HeaderSize < size)
        {
            return null;
        }

        ReadOnlySpan<byte> body = data.Slice(HeaderSize, size);
        if (BinaryPrimitives.ReadUInt32LittleEndian(data[4..]) != Crc32.HashToUInt32(body))
        {
            return null;
        }

        try
        {
            var reader = new BodyReader(body);
            var status = (ItemStatus)reader.Byte();
            int attempts = reader.Int32();
            var duration = TimeSpan.FromTicks(reader.Int64());
            bool jobKey = reader.Byte() == 1;
            JournalKey key = JournalKey.Parse(reader.String(), jobKey);
            ReadOnlyMemory<byte>? result = reader.Bytes();
            ReadOnlyMemory<byte>? payload = reader.Bytes();
            RemoteError? error = null;
            if (reader.Byte() == 1)
            {
                var kind = (RemoteErrorKind)reader.Byte();
                string type = reader.String();
                string message = reader.String();
                string stack = reader.String();
                error = kind == RemoteErrorKind.Exception ? new RemoteError(type, message, stack) : new RemoteError(kind, message);
            }

            length = HeaderSize + size;
            return new JournalRecord(key, status, attempts, duration, result, payload, error);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or OverflowException)
        {
            // A checksum that matches a body of the wrong shape: treat it as the torn end too.
            return null;
        }
    }

    private static void WriteByte(ArrayBufferWriter<byte> output, byte value)
    {
        output.GetSpan(1)[0] = value;
        output.Advance(1);
    }

    private static void WriteInt32(ArrayBufferWriter<byte> output, int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(output.GetSpan(4), value);
        output.Advance(4);
    }

    private static void WriteInt64(ArrayBufferWriter<byte> output, long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(output.GetSpan(8), value);
        output.Advance(8);
    }

    private static void WriteString(ArrayBufferWriter<byte> output, string value)
    {
        int count = Encoding.UTF8.GetByteCount(value);
        WriteInt32(output, count);
        Encoding.UTF8.GetBytes(value, output.GetSpan(count));
        output.Advance(count);
    }

    private static void WriteBytes(ArrayBufferWriter<byte> output, ReadOnlyMemory<byte>? value)
    {
        if (value is not { } bytes)
        {
            WriteInt32(output, -1);
            return;
        }

        WriteInt32(output, bytes.Length);
        output.Write(bytes.Span);
    }

    /// <summary>Reads a body front to back; every read past its end throws <see cref="ArgumentOutOfRangeException"/>.</summary>
    private ref struct BodyReader(ReadOnlySpan<byte> body)
    {
        private ReadOnlySpan<byte> _rest = body;

        public byte Byte()
        {
            byte value = _rest[0];
            _rest = _rest[1..];
            return value;
        }

        public int Int32()
        {
            int value = BinaryPrimitives.ReadInt32LittleEndian(_rest);
            _rest = _rest[4..];
            return value;
        }

        public long Int64()
        {
            long value = BinaryPrimitives.ReadInt64LittleEndian(_rest);
            _rest = _rest[8..];
            return value;
        }

        public string String()
        {
            int count = Int32();
            string value = Encoding.UTF8.GetString(_rest[..count]);
            _rest = _rest[count..];
            return value;
        }

        public ReadOnlyMemory<byte>? Bytes()
        {
            int count = Int32();
            if (count < 0)
            {
                return null;
            }

            byte[] value = _rest[..count].ToArray();
            _rest = _rest[count..];
            return value;
        }
    }
}
