using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Divvy.Transport.Tcp;

/// <summary>
/// The first bytes on a TCP worker connection: a mutual HMAC-SHA256 challenge-response over fresh
/// nonces, then the master's verdict and the session's terms. Hand-parsed fixed-size frames, so no
/// deserializer ever sees a byte from a peer that has not proved it knows the token.
/// </summary>
/// <remarks>
/// Every frame is a 4-byte big-endian length (at most <see cref="MaxFrame"/> before authentication)
/// and a body that starts with the magic <c>DVYT</c> and a type byte:
/// <code>
/// master → worker  1 Challenge  version:u32  runId:16  masterNonce:32
/// worker → master  2 Response   version:u32  workerNonce:32  workerProof:32
/// master → worker  3 Verdict    masterProof:32  verdict:u8 (1 accepted, 2 full)  slots:u32
/// master → worker  4 Terms      heartbeatInterval:i64 ticks  heartbeatTimeout:i64 ticks  argc:u32  (len:u32 utf8)*
/// </code>
/// workerProof = HMAC(token, "divvy-tcp worker" | runId | masterNonce | workerNonce | version), and
/// masterProof the same with "divvy-tcp master". Each side's proof covers the other side's fresh
/// nonce, so a recorded proof is worthless on another connection; the role in the label keeps a
/// proof from being reflected back as the other side's. The master proves itself only after the
/// worker has, so a stranger learns nothing. Terms are sent only to an accepted worker.
/// </remarks>
internal static class TcpHandshake
{
    /// <summary>Largest frame either side reads before the peer is authenticated.</summary>
    public const int MaxFrame = 4096;

    /// <summary>Largest Terms frame (the job's arguments), read only from an authenticated master.</summary>
    public const int MaxTermsFrame = 1024 * 1024;

    /// <summary>How long the whole handshake may take, from the connection to the verdict.</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(5);

    private const int NonceSize = 32;
    private const int RunIdSize = 16;
    private const int ProofSize = 32;
    private const byte Challenge = 1;
    private const byte Response = 2;
    private const byte Verdict = 3;
    private const byte Terms = 4;
    private const byte Accepted = 1;
    private const byte Full = 2;
    private const int HeaderSize = 5;

    private static ReadOnlySpan<byte> Magic => "DVYT"u8;

    /// <summary>A new run's id: sent in the clear, bound into every proof.</summary>
    public static byte[] NewRunId() => RandomNumberGenerator.GetBytes(RunIdSize);

    /// <summary>
    /// The master's half up to the verdict: challenges the worker and checks its proof. Returns what
    /// the master needs to answer with <see cref="AnswerAsync"/>.
    /// </summary>
    /// <exception cref="HandshakeException">The peer is not a worker that knows the token and speaks <paramref name="version"/>.</exception>
    public static async Task<MasterSide> ChallengeAsync(Stream stream, TcpToken token, byte[] runId, int version, CancellationToken cancellationToken)
    {
        byte[] masterNonce = RandomNumberGenerator.GetBytes(NonceSize);
        byte[] challenge = Body(Challenge, 4 + RunIdSize + NonceSize, out int at);
        BinaryPrimitives.WriteUInt32BigEndian(challenge.AsSpan(at), (uint)version);
        runId.CopyTo(challenge, at + 4);
        masterNonce.CopyTo(challenge, at + 4 + RunIdSize);
        await WriteFrameAsync(stream, challenge, cancellationToken).ConfigureAwait(false);

        byte[] response = await ReadFrameAsync(stream, Response, 4 + NonceSize + ProofSize, MaxFrame, "worker", cancellationToken).ConfigureAwait(false);
        int theirVersion = (int)BinaryPrimitives.ReadUInt32BigEndian(response.AsSpan(HeaderSize));
        byte[] workerNonce = response.AsSpan(HeaderSize + 4, NonceSize).ToArray();
        ReadOnlySpan<byte> workerProof = response.AsSpan(HeaderSize + 4 + NonceSize, ProofSize);
        if (theirVersion != version)
        {
            throw new HandshakeException(HandshakeFailure.WrongVersion, $"it speaks protocol version {theirVersion}, this master {version} (run the same Divvy version on both ends)");
        }

        if (CryptographicOperations.FixedTimeEquals(workerNonce, masterNonce))
        {
            throw new HandshakeException(HandshakeFailure.WrongToken, "it echoed the master's nonce (a reflection attempt)");
        }

        byte[] expected = token.Prove(Transcript("worker", runId, masterNonce, workerNonce, version));
        if (!CryptographicOperations.FixedTimeEquals(expected, workerProof))
        {
            throw new HandshakeException(HandshakeFailure.WrongToken, "wrong token (its proof does not match)");
        }

        return new MasterSide(runId, masterNonce, workerNonce, version);
    }

    /// <summary>The master's second half: proves itself, gives its verdict, and the terms to an accepted worker.</summary>
    public static async Task AnswerAsync(Stream stream, TcpToken token, MasterSide side, bool accepted, int slots, SessionTerms terms, CancellationToken cancellationToken)
    {
        byte[] verdict = Body(Verdict, ProofSize + 1 + 4, out int at);
        token.Prove(Transcript("master", side.RunId, side.MasterNonce, side.WorkerNonce, side.Version)).CopyTo(verdict, at);
        verdict[at + ProofSize] = accepted ? Accepted : Full;
        BinaryPrimitives.WriteUInt32BigEndian(verdict.AsSpan(at + ProofSize + 1), (uint)slots);
        await WriteFrameAsync(stream, verdict, cancellationToken).ConfigureAwait(false);
        if (accepted)
        {
            await WriteFrameAsync(stream, EncodeTerms(terms), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The worker's side, whole: answers the challenge, checks the master's proof, reads the verdict and terms.</summary>
    /// <exception cref="HandshakeException">The master refused this worker, is not a master that knows the token, or has no free slot.</exception>
    public static async Task<SessionTerms> RespondAsync(Stream stream, TcpToken token, int version, string master, CancellationToken cancellationToken)
    {
        byte[] challenge = await ReadFrameAsync(stream, Challenge, 4 + RunIdSize + NonceSize, MaxFrame, $"master at {master}", cancellationToken).ConfigureAwait(false);
        int theirVersion = (int)BinaryPrimitives.ReadUInt32BigEndian(challenge.AsSpan(HeaderSize));
        byte[] runId = challenge.AsSpan(HeaderSize + 4, RunIdSize).ToArray();
        byte[] masterNonce = challenge.AsSpan(HeaderSize + 4 + RunIdSize, NonceSize).ToArray();
        byte[] workerNonce = RandomNumberGenerator.GetBytes(NonceSize);

        // Answered even when the versions differ, so the master can say why it refuses.
        byte[] response = Body(Response, 4 + NonceSize + ProofSize, out int at);
        BinaryPrimitives.WriteUInt32BigEndian(response.AsSpan(at), (uint)version);
        workerNonce.CopyTo(response, at + 4);
        token.Prove(Transcript("worker", runId, masterNonce, workerNonce, version)).CopyTo(response, at + 4 + NonceSize);
        await WriteFrameAsync(stream, response, cancellationToken).ConfigureAwait(false);
        if (theirVersion != version)
        {
            throw new HandshakeException(HandshakeFailure.WrongVersion, $"the master at {master} speaks protocol version {theirVersion}, this worker {version}; run the same Divvy version on both ends");
        }

        byte[] verdict;
        try
        {
            verdict = await ReadFrameAsync(stream, Verdict, ProofSize + 1 + 4, MaxFrame, $"master at {master}", cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HandshakeException { Failure: HandshakeFailure.Closed } or IOException)
        {
            // A master refuses a worker by closing without a word (it says nothing to a stranger);
            // a close with our bytes unread arrives as a reset.
            throw new HandshakeException(HandshakeFailure.WrongToken, $"the master at {master} refused this worker: wrong token (check --token-file / {TcpToken.FileVariable} / {TcpToken.ValueVariable})", ex);
        }

        byte[] expected = token.Prove(Transcript("master", runId, masterNonce, workerNonce, version));
        if (!CryptographicOperations.FixedTimeEquals(expected, verdict.AsSpan(HeaderSize, ProofSize)))
        {
            throw new HandshakeException(HandshakeFailure.WrongToken, $"the peer at {master} did not prove it knows the token: it is not the master this token belongs to");
        }

        int slots = (int)BinaryPrimitives.ReadUInt32BigEndian(verdict.AsSpan(HeaderSize + ProofSize + 1));
        switch (verdict[HeaderSize + ProofSize])
        {
            case Accepted:
                break;
            case Full:
                throw new HandshakeException(HandshakeFailure.Full, $"the master at {master} has no free worker slot (all {slots} taken, its -n); this worker is not needed");
            default:
                throw new HandshakeException(HandshakeFailure.Garbage, $"the master at {master} sent an unknown verdict {verdict[HeaderSize + ProofSize]}");
        }

        byte[] terms = await ReadFrameAsync(stream, Terms, -1, MaxTermsFrame, $"master at {master}", cancellationToken).ConfigureAwait(false);
        return DecodeTerms(terms, master);
    }

    /// <summary>What the master keeps between its two halves.</summary>
    internal sealed record MasterSide(byte[] RunId, byte[] MasterNonce, byte[] WorkerNonce, int Version);

    private static byte[] Transcript(string role, ReadOnlySpan<byte> runId, ReadOnlySpan<byte> masterNonce, ReadOnlySpan<byte> workerNonce, int version)
    {
        byte[] label = Encoding.ASCII.GetBytes($"divvy-tcp {role}");
        byte[] transcript = new byte[label.Length + RunIdSize + (2 * NonceSize) + 4];
        var span = transcript.AsSpan();
        label.CopyTo(span);
        runId.CopyTo(span[label.Length..]);
        masterNonce.CopyTo(span[(label.Length + RunIdSize)..]);
        workerNonce.CopyTo(span[(label.Length + RunIdSize + NonceSize)..]);
        BinaryPrimitives.WriteUInt32BigEndian(span[^4..], (uint)version);
        return transcript;
    }

    private static byte[] Body(byte type, int payload, out int payloadAt)
    {
        byte[] body = new byte[HeaderSize + payload];
        Magic.CopyTo(body);
        body[4] = type;
        payloadAt = HeaderSize;
        return body;
    }

    private static async Task WriteFrameAsync(Stream stream, byte[] body, CancellationToken cancellationToken)
    {
        byte[] frame = new byte[4 + body.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)body.Length);
        body.CopyTo(frame, 4);
        await stream.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads one frame of the expected type and payload size (-1: any size up to <paramref name="limit"/>).</summary>
    private static async Task<byte[]> ReadFrameAsync(Stream stream, byte type, int payload, int limit, string peer, CancellationToken cancellationToken)
    {
        byte[] header = new byte[4];
        await ReadExactlyAsync(stream, header, peer, cancellationToken).ConfigureAwait(false);
        uint length = BinaryPrimitives.ReadUInt32BigEndian(header);

        // Checked before allocating: a stranger decides nothing about our memory.
        if (length > limit || length < HeaderSize)
        {
            throw new HandshakeException(HandshakeFailure.Garbage, $"not a Divvy {peer}: its first bytes announce a frame of {length} bytes (the handshake takes {HeaderSize} to {limit})");
        }

        byte[] body = new byte[length];
        await ReadExactlyAsync(stream, body, peer, cancellationToken).ConfigureAwait(false);
        if (!body.AsSpan(0, 4).SequenceEqual(Magic) || body[4] != type || (payload >= 0 && length != HeaderSize + payload))
        {
            throw new HandshakeException(HandshakeFailure.Garbage, $"not a Divvy {peer}: a {length}-byte frame that is not the expected handshake step {type}");
        }

        return body;
    }

    private static async Task ReadExactlyAsync(Stream stream, byte[] buffer, string peer, CancellationToken cancellationToken)
    {
        int read;
        try
        {
            read = await stream.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex)
        {
            throw new HandshakeException(HandshakeFailure.Silent, $"the {peer} did not complete the handshake within {Deadline.TotalSeconds:F0} s", ex);
        }

        if (read < buffer.Length)
        {
            throw new HandshakeException(HandshakeFailure.Closed, $"the {peer} closed the connection during the handshake");
        }
    }

    private static byte[] EncodeTerms(SessionTerms terms)
    {
        byte[][] arguments = terms.JobArguments.Select(Encoding.UTF8.GetBytes).ToArray();
        byte[] body = Body(Terms, 8 + 8 + 4 + arguments.Sum(a => 4 + a.Length), out int at);
        var span = body.AsSpan(at);
        BinaryPrimitives.WriteInt64BigEndian(span, terms.HeartbeatInterval.Ticks);
        BinaryPrimitives.WriteInt64BigEndian(span[8..], terms.HeartbeatTimeout.Ticks);
        BinaryPrimitives.WriteUInt32BigEndian(span[16..], (uint)arguments.Length);
        int offset = 20;
        foreach (byte[] argument in arguments)
        {
            BinaryPrimitives.WriteUInt32BigEndian(span[offset..], (uint)argument.Length);
            argument.CopyTo(span[(offset + 4)..]);
            offset += 4 + argument.Length;
        }

        if (body.Length > MaxTermsFrame)
        {
            throw new InvalidOperationException($"the job's arguments take {body.Length} bytes, more than the {MaxTermsFrame} a worker accepts");
        }

        return body;
    }

    private static SessionTerms DecodeTerms(byte[] body, string master)
    {
        try
        {
            var span = body.AsSpan(HeaderSize);
            var interval = TimeSpan.FromTicks(BinaryPrimitives.ReadInt64BigEndian(span));
            var timeout = TimeSpan.FromTicks(BinaryPrimitives.ReadInt64BigEndian(span[8..]));
            int count = checked((int)BinaryPrimitives.ReadUInt32BigEndian(span[16..]));
            var arguments = new List<string>(Math.Min(count, 1024));
            int offset = 20;
            for (int i = 0; i < count; i++)
            {
                int length = checked((int)BinaryPrimitives.ReadUInt32BigEndian(span[offset..]));
                arguments.Add(Encoding.UTF8.GetString(span.Slice(offset + 4, length)));
                offset += 4 + length;
            }

            return offset == span.Length && interval > TimeSpan.Zero && timeout > TimeSpan.Zero
                ? new SessionTerms(arguments, interval, timeout)
                : throw new HandshakeException(HandshakeFailure.Garbage, $"the master at {master} sent malformed terms");
        }
        catch (Exception ex) when (ex is ArgumentOutOfRangeException or OverflowException)
        {
            throw new HandshakeException(HandshakeFailure.Garbage, $"the master at {master} sent malformed terms", ex);
        }
    }
}
