using System.Buffers.Binary;
using System.Text;

namespace Divvy.Protocol;

/// <summary>
/// Reads the MessagePack the protocol's own fields use, and steps over a payload of any MessagePack
/// value without decoding it: the reading half of <see cref="WireWriter"/>, precompiled with Divvy
/// for the same reason. Integers are read in any MessagePack width that fits.
/// </summary>
/// <exception cref="WireFormatException">Every read: the bytes end early, or hold another type than the one asked for.</exception>
internal ref struct WireReader
{
    private readonly ReadOnlySpan<byte> _bytes;
    private int _position;

    public WireReader(ReadOnlySpan<byte> bytes)
    {
        _bytes = bytes;
    }

    /// <summary>Bytes read so far.</summary>
    public readonly int Consumed => _position;

    /// <summary>Whether every byte has been read.</summary>
    public readonly bool End => _position == _bytes.Length;

    /// <summary>Reads an array header; the count is checked against the bytes left (each element takes one at least).</summary>
    public int ReadArrayHeader()
    {
        byte code = Next();
        uint count = code switch
        {
            >= 0x90 and <= 0x9f => (uint)(code & 0x0f),
            0xdc => BinaryPrimitives.ReadUInt16BigEndian(Take(2)),
            0xdd => BinaryPrimitives.ReadUInt32BigEndian(Take(4)),
            _ => throw Unexpected(code, "an array"),
        };

        if (count > (uint)(_bytes.Length - _position))
        {
            throw new WireFormatException($"an array of {count} elements in {_bytes.Length - _position} bytes");
        }

        return (int)count;
    }

    public int ReadInt32()
    {
        long value = ReadInt64();
        return value is >= int.MinValue and <= int.MaxValue ? (int)value : throw new WireFormatException($"{value} does not fit an int");
    }

    public long ReadInt64()
    {
        byte code = Next();
        switch (code)
        {
            case <= 0x7f:
                return code;
            case >= 0xe0:
                return (sbyte)code;
            case 0xcc:
                return Take(1)[0];
            case 0xcd:
                return BinaryPrimitives.ReadUInt16BigEndian(Take(2));
            case 0xce:
                return BinaryPrimitives.ReadUInt32BigEndian(Take(4));
            case 0xcf:
                ulong big = BinaryPrimitives.ReadUInt64BigEndian(Take(8));
                return big <= long.MaxValue ? (long)big : throw new WireFormatException($"{big} does not fit a long");
            case 0xd0:
                return (sbyte)Take(1)[0];
            case 0xd1:
                return BinaryPrimitives.ReadInt16BigEndian(Take(2));
            case 0xd2:
                return BinaryPrimitives.ReadInt32BigEndian(Take(4));
            case 0xd3:
                return BinaryPrimitives.ReadInt64BigEndian(Take(8));
            default:
                throw Unexpected(code, "an integer");
        }
    }

    /// <summary>Steps over a nil and says so; anything else is left to be read.</summary>
    public bool TryReadNil()
    {
        if (_position < _bytes.Length && _bytes[_position] == 0xc0)
        {
            _position++;
            return true;
        }

        return false;
    }

    /// <summary>A str as a string, or <c>null</c> for nil.</summary>
    public string? ReadString()
    {
        byte code = Next();
        int length = code switch
        {
            0xc0 => -1,
            >= 0xa0 and <= 0xbf => code & 0x1f,
            0xd9 => Take(1)[0],
            0xda => BinaryPrimitives.ReadUInt16BigEndian(Take(2)),
            0xdb => Length(BinaryPrimitives.ReadUInt32BigEndian(Take(4))),
            _ => throw Unexpected(code, "a string"),
        };

        return length < 0 ? null : Encoding.UTF8.GetString(Take(length));
    }

    /// <summary>A bin's bytes as where they lie in what is read, or <c>null</c> for nil.</summary>
    public Range? ReadBytes()
    {
        byte code = Next();
        int length = code switch
        {
            0xc0 => -1,
            0xc4 => Take(1)[0],
            0xc5 => BinaryPrimitives.ReadUInt16BigEndian(Take(2)),
            0xc6 => Length(BinaryPrimitives.ReadUInt32BigEndian(Take(4))),
            _ => throw Unexpected(code, "bytes"),
        };

        if (length < 0)
        {
            return null;
        }

        int start = _position;
        Take(length);
        return start..(start + length);
    }

    /// <summary>
    /// Steps over one whole value of any type, nested arrays and maps included, and says where it
    /// lies. A loop with a count of values still to skip, not recursion: a hostile payload nested a
    /// million deep costs a counter, not the stack.
    /// </summary>
    public Range ReadRaw()
    {
        int start = _position;
        long pending = 1;
        while (pending-- > 0)
        {
            pending += SkipOne();
            if (pending > _bytes.Length - _position)
            {
                // Every value still owed takes a byte at least.
                throw new WireFormatException($"{pending} values announced in {_bytes.Length - _position} bytes");
            }
        }

        return start.._position;
    }

    /// <summary>Steps over one value's own bytes; returns how many values it contains (an array's or a map's).</summary>
    private long SkipOne()
    {
        byte code = Next();
        switch (code)
        {
            case <= 0x7f or >= 0xe0 or 0xc0 or 0xc2 or 0xc3:
                return 0;
            case >= 0x80 and <= 0x8f:
                return 2L * (code & 0x0f);
            case >= 0x90 and <= 0x9f:
                return code & 0x0f;
            case >= 0xa0 and <= 0xbf:
                Take(code & 0x1f);
                return 0;
            case 0xc4 or 0xd9:
                Take(Take(1)[0]);
                return 0;
            case 0xc5 or 0xda:
                Take(BinaryPrimitives.ReadUInt16BigEndian(Take(2)));
                return 0;
            case 0xc6 or 0xdb:
                Take(Length(BinaryPrimitives.ReadUInt32BigEndian(Take(4))));
                return 0;
            case 0xc7:
                Take(1 + Take(1)[0]);
                return 0;
            case 0xc8:
                Take(1 + BinaryPrimitives.ReadUInt16BigEndian(Take(2)));
                return 0;
            case 0xc9:
                Take(Length(1 + (long)BinaryPrimitives.ReadUInt32BigEndian(Take(4))));
                return 0;
            case 0xca or 0xce or 0xd2:
                Take(4);
                return 0;
            case 0xcb or 0xcf or 0xd3:
                Take(8);
                return 0;
            case 0xcc or 0xd0:
                Take(1);
                return 0;
            case 0xcd or 0xd1:
                Take(2);
                return 0;
            case 0xd4:
                Take(2);
                return 0;
            case 0xd5:
                Take(3);
                return 0;
            case 0xd6:
                Take(5);
                return 0;
            case 0xd7:
                Take(9);
                return 0;
            case 0xd8:
                Take(17);
                return 0;
            case 0xdc:
                return BinaryPrimitives.ReadUInt16BigEndian(Take(2));
            case 0xdd:
                return BinaryPrimitives.ReadUInt32BigEndian(Take(4));
            case 0xde:
                return 2L * BinaryPrimitives.ReadUInt16BigEndian(Take(2));
            case 0xdf:
                return 2L * BinaryPrimitives.ReadUInt32BigEndian(Take(4));
            default:
                // 0xc1: never used by MessagePack.
                throw Unexpected(code, "a value");
        }
    }

    private byte Next() => Take(1)[0];

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count > _bytes.Length - _position)
        {
            throw new WireFormatException($"{count} more bytes expected, {_bytes.Length - _position} left");
        }

        ReadOnlySpan<byte> taken = _bytes.Slice(_position, count);
        _position += count;
        return taken;
    }

    private readonly int Length(long length) =>
        length <= _bytes.Length - _position ? (int)length : throw new WireFormatException($"{length} more bytes expected, {_bytes.Length - _position} left");

    private readonly WireFormatException Unexpected(byte code, string expected) =>
        new($"0x{code:x2} at byte {_position - 1} where {expected} belongs");
}
