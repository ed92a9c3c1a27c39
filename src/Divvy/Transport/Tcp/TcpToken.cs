using System.Security.Cryptography;
using System.Text;

namespace Divvy.Transport.Tcp;

/// <summary>
/// The secret a master and its TCP workers share. It never crosses the wire: each side proves it
/// knows it with an HMAC-SHA256 over fresh nonces (<see cref="TcpHandshake"/>). Kept in a file only
/// its owner can read, or in <c>DIVVY_TOKEN</c>; never on a command line.
/// </summary>
internal sealed class TcpToken
{
    /// <summary>Names a file holding the token, for workers (and masters) that read it from the environment.</summary>
    public const string FileVariable = "DIVVY_TOKEN_FILE";

    /// <summary>Holds the token itself.</summary>
    public const string ValueVariable = "DIVVY_TOKEN";

    /// <summary>Shortest token accepted, in characters: a guessable token would make the proof worthless.</summary>
    public const int MinLength = 16;

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OthersMayTouch = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite;

    private readonly byte[] _key;

    private TcpToken(byte[] key)
    {
        _key = key;
    }

    /// <summary>A token from its text (surrounding whitespace ignored).</summary>
    /// <exception cref="InvalidDataException">Shorter than <see cref="MinLength"/> characters.</exception>
    public static TcpToken FromText(string text, string origin)
    {
        string trimmed = text.Trim();
        if (trimmed.Length < MinLength)
        {
            throw new InvalidDataException($"the token in {origin} is {trimmed.Length} characters long; at least {MinLength} are needed (delete the file and a master creates a random one)");
        }

        return new TcpToken(Encoding.UTF8.GetBytes(trimmed));
    }

    /// <summary>A fresh random 256-bit token, as 64 hex digits.</summary>
    public static string NewText() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    /// <summary>
    /// Reads the token in <paramref name="path"/>, or, when there is no such file, creates it with a
    /// fresh random token, readable and writable by its owner only (mode 0600), atomically: the file
    /// appears complete or not at all, and never with looser permissions.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is readable or writable by others, or its token is too short.</exception>
    /// <exception cref="IOException">The file cannot be read or created.</exception>
    /// <exception cref="UnauthorizedAccessException">The file cannot be read or created.</exception>
    public static TcpToken LoadOrCreate(string path, out bool created)
    {
        created = false;
        if (!File.Exists(path))
        {
            created = TryCreate(path);
        }

        return ReadFile(path);
    }

    /// <summary>Reads the token in <paramref name="path"/>, refusing a file others may read or write.</summary>
    /// <exception cref="InvalidDataException">The file is readable or writable by others, or its token is too short.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    /// <exception cref="UnauthorizedAccessException">The file cannot be read.</exception>
    public static TcpToken ReadFile(string path)
    {
        if (!OperatingSystem.IsWindows())
        {
            UnixFileMode mode = File.GetUnixFileMode(path);
            if ((mode & OthersMayTouch) != 0)
            {
                throw new InvalidDataException($"the token file {path} may be read or written by others (mode {Convert.ToString((int)mode, 8)}); run chmod 600 {path}");
            }
        }

        return FromText(File.ReadAllText(path), path);
    }

    /// <summary>HMAC-SHA256 of <paramref name="data"/> under the token.</summary>
    public byte[] Prove(ReadOnlySpan<byte> data) => HMACSHA256.HashData(_key, data);

    /// <summary>Never the token itself.</summary>
    public override string ToString() => "(token)";

    private static bool TryCreate(string path)
    {
        string directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        string temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}.tmp");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            // Set at creation (O_CREAT|O_EXCL with the mode), so the file never exists with a looser one.
            options.UnixCreateMode = OwnerOnly;
        }

        try
        {
            using (var stream = new FileStream(temporary, options))
            using (var writer = new StreamWriter(stream))
            {
                writer.WriteLine(NewText());
            }

            // Without overwrite, a token file another master created meanwhile wins, and both read it.
            File.Move(temporary, path, overwrite: false);
            return true;
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another process created it between our check and our move: use theirs.
            return false;
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}
