using System.Security.Cryptography;
using System.Text;

namespace Divvy.Client;

/// <summary>
/// The TCP handshake's proofs (docs/protocol.md): HMAC-SHA256 under the token (its text, trimmed,
/// as UTF-8) of <c>"divvy-serve ROLE\nNONCE\nCNONCE"</c>, hex. The client proves itself first; the
/// server's proof, over the same nonces with the other role, tells the client it is not talking
/// to an impostor.
/// </summary>
internal static class ServeProof
{
    /// <summary>A fresh nonce, 32 random bytes as hex.</summary>
    public static string NewNonce() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    /// <summary>What is signed: the role (<c>client</c> or <c>server</c>) and both nonces.</summary>
    public static byte[] Transcript(string role, string nonce, string clientNonce) =>
        Encoding.UTF8.GetBytes($"divvy-serve {role}\n{nonce}\n{clientNonce}");

    /// <summary>The proof for <paramref name="role"/> with the token's text.</summary>
    public static string Prove(string token, string role, string nonce, string clientNonce) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(token.Trim()), Transcript(role, nonce, clientNonce)));

    /// <summary>Whether <paramref name="proof"/> (hex) is <paramref name="expected"/>, in constant time.</summary>
    public static bool Matches(string? proof, byte[] expected)
    {
        try
        {
            return proof is not null && CryptographicOperations.FixedTimeEquals(Convert.FromHexString(proof), expected);
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
