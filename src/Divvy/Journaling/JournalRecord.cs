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

    /// <summary>
    /// Appends a record to <paramref name="output"/> without making one first. A success's result
    /// is what <paramref name="writeResult"/> writes of <paramref name="value"/>: serialized straight
    /// into the journal; with no <paramref name="writeResult"/> the record keeps no result.
    /// </summary>
    public static void Write(
        ArrayBufferWriter<byte> output,
        JournalKey key,
        ItemStatus status,
        int attempts,
        TimeSpan duration,
        Action<IBufferWriter<byte>, object?>? writeResult,
        object? value,
        ReadOnlyMemory<byte>? payload,
        RemoteError? error)
    {
        int start = output.WrittenCount + HeaderSize;
        output.GetSpan(HeaderSize);
        output.Advance(HeaderSize);
        WriteByte(output, (byte)status);
        WriteInt32(output, attempts);
        WriteInt64(output, duration.Ticks);
        if (key.IsJobKey)
        {
            WriteByte(output, 1);
            WriteString(output, key.Name!);
        }
        else
        {
            // A hashed key is its 16 bytes: the hex people see is made only when they look.
            WriteByte(output, 0);
            BinaryPrimitives.WriteUInt128LittleEndian(output.GetSpan(16), key.Hash);
            output.Advance(16);
        }

        if (writeResult is not null)
        {
            int at = output.WrittenCount;
            WriteInt32(output, 0);
            writeResult(output, value);
            BinaryPrimitives.WriteInt32LittleEndian(MemoryMarshal.AsMemory(output.WrittenMemory).Span[at..], output.WrittenCount - at - 4);
        }
        else
        {
            WriteBytes(output, null);
        }

        WriteBytes(output, payload);
        if (error is null)
        {
            WriteByte(output, 0);
        }
        else
        {
            WriteByte(output, 1);
            WriteByte(output, (byte)error.Kind);
            WriteString(output, error.Type);
            WriteString(output, error.Message);
            WriteString(output, error.StackTrace);
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
        if (!TryBody(data, out ReadOnlySpan<byte> body))
        {
            return null;
        }

        try
        {
            var reader = new BodyReader(body);
            var status = (ItemStatus)reader.Byte();
            int attempts = reader.Int32();
            var duration = TimeSpan.FromTicks(reader.Int64());
            JournalKey key = reader.Byte() == 1 ? JournalKey.ForName(reader.String()) : JournalKey.ForHash(reader.UInt128());
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

            length = HeaderSize + body.Length;
            return new JournalRecord(key, status, attempts, duration, result, payload, error);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or OverflowException)
        {
            // A checksum that matches a body of the wrong shape: treat it as the torn end too.
            return null;
        }
    }

    /// <summary>
    /// What opening a journal needs of the record at the start of <paramref name="data"/>, read
    /// without making anything: its length, its key's hash and its status; <c>false</c> as for <see cref="TryRead"/>.
    /// </summary>
    public static bool TryPeek(ReadOnlySpan<byte> data, out int length, out UInt128 key, out ItemStatus status)
    {
        length = 0;
        key = default;
        status = default;
        // Status, attempts, duration, the key's kind, then the key: 16 bytes, or a length and UTF-8.
        const int KeyAt = 1 + 4 + 8 + 1;
        if (!TryBody(data, out ReadOnlySpan<byte> body) || body.Length < KeyAt + 4)
        {
            return false;
        }

        status = (ItemStatus)body[0];
        ReadOnlySpan<byte> rest = body[KeyAt..];
        if (body[KeyAt - 1] == 1)
        {
            int count = BinaryPrimitives.ReadInt32LittleEndian(rest);
            if (count < 0 || count > rest.Length - 4)
            {
                return false;
            }

            key = JournalKey.HashName(rest.Slice(4, count));
        }
        else if (rest.Length >= 16)
        {
            key = BinaryPrimitives.ReadUInt128LittleEndian(rest);
        }
        else
        {
            return false;
        }

        length = HeaderSize + body.Length;
        return true;
    }

    /// <summary>The body of a whole record whose checksum matches, at the start of <paramref name="data"/>.</summary>
    private static bool TryBody(ReadOnlySpan<byte> data, out ReadOnlySpan<byte> body)
    {
        body = default;
        if (data.Length < HeaderSize)
        {
            return false;
        }

        int size = BinaryPrimitives.ReadInt32LittleEndian(data);
        if (size <= 0 || size > MaxBodySize || data.Length - HeaderSize < size)
        {
            return false;
        }

        body = data.Slice(HeaderSize, size);
        return BinaryPrimitives.ReadUInt32LittleEndian(data[4..]) == Crc32.HashToUInt32(body);
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

        public UInt128 UInt128()
        {
            UInt128 value = BinaryPrimitives.ReadUInt128LittleEndian(_rest);
            _rest = _rest[16..];
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
