using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Divvy.Protocol;

/// <summary>
/// Writes the MessagePack the protocol's own fields need (array headers, integers, strings, bins,
/// nil, and payloads already encoded) straight into a buffer. Hand-written rather than MessagePack's
/// writer: that library ships without precompiled code, so each of its methods a process touches is
/// JIT-compiled at the start of the master and of every worker; this code is in Divvy's ReadyToRun
/// image. The encodings are the compact ones MessagePack-CSharp writes, so every MessagePack reader
/// (the Python client's too) reads them.
/// </summary>
internal static class WireWriter
{
    /// <summary>The most bytes an array header or an integer takes.</summary>
    private const int MaxHeaderSize = 9;

    public static void ArrayHeader(IBufferWriter<byte> output, int count)
    {
        Span<byte> span = output.GetSpan(MaxHeaderSize);
        output.Advance(Header(span, (uint)count, fixedBase: 0x90, fixedLimit: 15, code16: 0xdc, code32: 0xdd, has8: false));
    }

    public static void Integer(IBufferWriter<byte> output, long value)
    {
        Span<byte> span = output.GetSpan(MaxHeaderSize);
        output.Advance(Integer(span, value));
    }

    public static void Nil(IBufferWriter<byte> output)
    {
        output.GetSpan(1)[0] = 0xc0;
        output.Advance(1);
    }

    /// <summary>A string as UTF-8 (str), or nil for <c>null</c>.</summary>
    public static void String(IBufferWriter<byte> output, string? value)
    {
        if (value is null)
        {
            Nil(output);
            return;
        }

        int length = Encoding.UTF8.GetByteCount(value);
        Span<byte> span = output.GetSpan(MaxHeaderSize + length);
        int header = Header(span, (uint)length, fixedBase: 0xa0, fixedLimit: 31, code16: 0xda, code32: 0xdb, has8: true);
        Encoding.UTF8.GetBytes(value, span[header..]);
        output.Advance(header + length);
    }

    /// <summary>Bytes as a MessagePack bin.</summary>
    public static void Bytes(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        Span<byte> span = output.GetSpan(MaxHeaderSize);
        int header;
        if (bytes.Length <= byte.MaxValue)
        {
            span[0] = 0xc4;
            span[1] = (byte)bytes.Length;
            header = 2;
        }
        else if (bytes.Length <= ushort.MaxValue)
        {
            span[0] = 0xc5;
            BinaryPrimitives.WriteUInt16BigEndian(span[1..], (ushort)bytes.Length);
            header = 3;
        }
        else
        {
            span[0] = 0xc6;
            BinaryPrimitives.WriteUInt32BigEndian(span[1..], (uint)bytes.Length);
            header = 5;
        }

        output.Advance(header);
        Raw(output, bytes);
    }

    /// <summary>Bytes that are already one MessagePack value (a payload), as they are.</summary>
    public static void Raw(IBufferWriter<byte> output, ReadOnlySpan<byte> value)
    {
        if (value.IsEmpty)
        {
            return;
        }

        value.CopyTo(output.GetSpan(value.Length));
        output.Advance(value.Length);
    }

    private static int Header(Span<byte> span, uint length, byte fixedBase, uint fixedLimit, byte code16, byte code32, bool has8)
    {
        if (length <= fixedLimit)
        {
            span[0] = (byte)(fixedBase | length);
            return 1;
        }

        if (has8 && length <= byte.MaxValue)
        {
            // str8 is 0xd9; arrays have no 8-bit form.
            span[0] = 0xd9;
            span[1] = (byte)length;
            return 2;
        }

        if (length <= ushort.MaxValue)
        {
            span[0] = code16;
            BinaryPrimitives.WriteUInt16BigEndian(span[1..], (ushort)length);
            return 3;
        }

        span[0] = code32;
        BinaryPrimitives.WriteUInt32BigEndian(span[1..], length);
        return 5;
    }

    private static int Integer(Span<byte> span, long value)
    {
        if (value >= 0)
        {
            if (value <= 0x7f)
            {
                span[0] = (byte)value;
                return 1;
            }

            if (value <= byte.MaxValue)
            {
                span[0] = 0xcc;
                span[1] = (byte)value;
                return 2;
            }

            if (value <= ushort.MaxValue)
            {
                span[0] = 0xcd;
                BinaryPrimitives.WriteUInt16BigEndian(span[1..], (ushort)value);
                return 3;
            }

            if (value <= uint.MaxValue)
            {
                span[0] = 0xce;
                BinaryPrimitives.WriteUInt32BigEndian(span[1..], (uint)value);
                return 5;
            }

            span[0] = 0xcf;
            BinaryPrimitives.WriteUInt64BigEndian(span[1..], (ulong)value);
            return 9;
        }

        if (value >= -32)
        {
            span[0] = (byte)(sbyte)value;
            return 1;
        }

        if (value >= sbyte.MinValue)
        {
            span[0] = 0xd0;
            span[1] = (byte)(sbyte)value;
            return 2;
        }

        if (value >= short.MinValue)
        {
            span[0] = 0xd1;
            BinaryPrimitives.WriteInt16BigEndian(span[1..], (short)value);
            return 3;
        }

        if (value >= int.MinValue)
        {
            span[0] = 0xd2;
            BinaryPrimitives.WriteInt32BigEndian(span[1..], (int)value);
            return 5;
        }

        span[0] = 0xd3;
        BinaryPrimitives.WriteInt64BigEndian(span[1..], value);
        return 9;
    }
}
