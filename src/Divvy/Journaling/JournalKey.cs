using System.Globalization;
using System.IO.Hashing;
using System.Text;

namespace Divvy.Journaling;

/// <summary>
/// An item's identity in the journal: the key its job gives (<c>ItemKey</c>), or else a 128-bit
/// hash of its serialized bytes, so the same item yielded by a later run is recognised.
/// </summary>
internal sealed class JournalKey
{
    private const long JobKeySeed = 0x44697676; // "Divv": job keys and byte hashes never meet

    private JournalKey(UInt128 hash, string? name)
    {
        Hash = hash;
        Name = name;
    }

    /// <summary>What the journal indexes by.</summary>
    public UInt128 Hash { get; }

    /// <summary>The job's key, or <c>null</c> for a key hashed from the item's bytes.</summary>
    public string? Name { get; }

    /// <summary>Whether the job gave this key.</summary>
    public bool IsJobKey => Name is not null;

    /// <summary>The key as people see it: the job's, or the hash in 32 hex digits.</summary>
    public string Text => Name ?? Hash.ToString("x32", CultureInfo.InvariantCulture);

    /// <summary>The key the job gave.</summary>
    public static JournalKey ForName(string name) => new(HashName(Encoding.UTF8.GetBytes(name)), name);

    /// <summary>What a job's key, as UTF-8, is indexed by.</summary>
    public static UInt128 HashName(ReadOnlySpan<byte> utf8) => XxHash128.HashToUInt128(utf8, JobKeySeed);

    /// <summary>The key of an item the job gives none for: its serialized bytes, hashed.</summary>
    public static JournalKey ForPayload(ReadOnlySpan<byte> payload) => new(XxHash128.HashToUInt128(payload), null);

    /// <summary>A hashed key as a record keeps it.</summary>
    public static JournalKey ForHash(UInt128 hash) => new(hash, null);
}
