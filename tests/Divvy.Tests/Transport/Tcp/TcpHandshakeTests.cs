using System.Buffers.Binary;
using System.Text;
using Divvy.Protocol;
using Divvy.Transport.Tcp;

namespace Divvy.Tests.Transport.Tcp;

public sealed class TcpHandshakeTests
{
    private static readonly TcpToken s_token = TcpToken.FromText("0123456789abcdef0123456789abcdef", "test");
    private static readonly TcpToken s_otherToken = TcpToken.FromText("fedcba9876543210fedcba9876543210", "test");
    private static readonly SessionTerms s_terms = new(["500", "--name", "dé jà"], TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30));

    private static CancellationToken Deadline() => new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token;

    [Fact]
    public async Task With_the_same_token_both_sides_prove_themselves_and_the_worker_learns_the_terms()
    {
        using LoopbackPair pair = await LoopbackPair.CreateAsync();
        Task<SessionTerms> worker = TcpHandshake.RespondAsync(pair.Worker.Stream, s_token, WireProtocol.Version, "master", Deadline());

        TcpHandshake.MasterSide side = await TcpHandshake.ChallengeAsync(pair.Master.Stream, s_token, TcpHandshake.NewRunId(), WireProtocol.Version, Deadline());
        await TcpHandshake.AnswerAsync(pair.Master.Stream, s_token, side, accepted: true, slots: 4, s_terms, Deadline());

        SessionTerms terms = await worker;
        terms.JobArguments.Should().Equal(s_terms.JobArguments);
        terms.HeartbeatInterval.Should().Be(s_terms.HeartbeatInterval);
        terms.HeartbeatTimeout.Should().Be(s_terms.HeartbeatTimeout);
    }

    [Fact]
    public async Task A_worker_with_a_wrong_token_is_refused_and_the_master_never_proves_itself_to_it()
    {
        using LoopbackPair pair = await LoopbackPair.CreateAsync();
        Task<SessionTerms> worker = TcpHandshake.RespondAsync(pair.Worker.Stream, s_otherToken, WireProtocol.Version, "master", Deadline());

        Func<Task> master = () => TcpHandshake.ChallengeAsync(pair.Master.Stream, s_token, TcpHandshake.NewRunId(), WireProtocol.Version, Deadline());

        (await master.Should().ThrowAsync<HandshakeException>()).Which.Failure.Should().Be(HandshakeFailure.WrongToken);
        pair.Master.Dispose();
        (await worker.Invoking(w => w).Should().ThrowAsync<HandshakeException>())
            .Which.Should().Match<HandshakeException>(e => e.Failure == HandshakeFailure.WrongToken && e.Message.Contains("refused this worker: wrong token"));
    }

    [Fact]
    public async Task Peers_speaking_different_protocol_versions_refuse_each_other_and_say_so()
    {
        using LoopbackPair pair = await LoopbackPair.CreateAsync();
        Task<SessionTerms> worker = TcpHandshake.RespondAsync(pair.Worker.Stream, s_token, WireProtocol.Version + 1, "master", Deadline());

        Func<Task> master = () => TcpHandshake.ChallengeAsync(pair.Master.Stream, s_token, TcpHandshake.NewRunId(), WireProtocol.Version, Deadline());

        (await master.Should().ThrowAsync<HandshakeException>())
            .Which.Should().Match<HandshakeException>(e => e.Failure == HandshakeFailure.WrongVersion && e.Message.Contains($"protocol version {WireProtocol.Version + 1}"));
        (await worker.Invoking(w => w).Should().ThrowAsync<HandshakeException>()).Which.Failure.Should().Be(HandshakeFailure.WrongVersion);
    }

    public static TheoryData<string, byte[]> Garbage() => new()
    {
        { "an HTTP request", Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: x\r\n\r\n") },
        { "a length over the pre-authentication limit", [0x00, 0x00, 0x10, 0x01, .. new byte[16]] },
        { "a length under the header", [0x00, 0x00, 0x00, 0x02, 0x44, 0x56] },
        { "the right length with the wrong magic", Frame("XXXX"u8.ToArray(), 2, 68) },
        { "the right magic with the wrong step", Frame("DVYT"u8.ToArray(), 1, 68) },
        { "the right step with the wrong length", Frame("DVYT"u8.ToArray(), 2, 12) },
    };

    [Theory]
    [MemberData(nameof(Garbage))]
    public async Task A_peer_that_sends_garbage_is_refused_as_not_a_Divvy_worker(string what, byte[] bytes)
    {
        _ = what;
        using LoopbackPair pair = await LoopbackPair.CreateAsync();
        await pair.Worker.Stream.WriteAsync(bytes);
        pair.Worker.ShutdownSend();

        Func<Task> master = () => TcpHandshake.ChallengeAsync(pair.Master.Stream, s_token, TcpHandshake.NewRunId(), WireProtocol.Version, Deadline());

        (await master.Should().ThrowAsync<HandshakeException>())
            .Which.Failure.Should().BeOneOf(HandshakeFailure.Garbage, HandshakeFailure.Closed);
    }

    [Fact]
    public async Task A_peer_that_says_nothing_is_refused_when_the_deadline_passes()
    {
        using LoopbackPair pair = await LoopbackPair.CreateAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        Func<Task> master = () => TcpHandshake.ChallengeAsync(pair.Master.Stream, s_token, TcpHandshake.NewRunId(), WireProtocol.Version, deadline.Token);

        (await master.Should().ThrowAsync<HandshakeException>()).Which.Failure.Should().Be(HandshakeFailure.Silent);
    }

    [Fact]
    public async Task A_worker_proof_recorded_on_one_connection_is_refused_on_the_next()
    {
        byte[] runId = TcpHandshake.NewRunId();
        byte[] recorded;
        using (LoopbackPair first = await LoopbackPair.CreateAsync())
        {
            Task<SessionTerms> worker = TcpHandshake.RespondAsync(first.Worker.Stream, s_token, WireProtocol.Version, "master", Deadline());
            byte[] challenge = TcpChallenge(runId);
            await first.Master.Stream.WriteAsync(challenge);
            recorded = await ReadFrameAsync(first.Master.Stream);
            first.Master.Abort();
            await worker.Invoking(w => w).Should().ThrowAsync<HandshakeException>();
        }

        using LoopbackPair second = await LoopbackPair.CreateAsync();
        Task<TcpHandshake.MasterSide> master = TcpHandshake.ChallengeAsync(second.Master.Stream, s_token, runId, WireProtocol.Version, Deadline());
        await ReadFrameAsync(second.Worker.Stream);
        await second.Worker.Stream.WriteAsync(recorded);

        (await master.Invoking(m => m).Should().ThrowAsync<HandshakeException>()).Which.Failure.Should().Be(HandshakeFailure.WrongToken);
    }

    [Fact]
    public async Task A_master_that_reflects_the_workers_own_proof_back_is_not_believed()
    {
        using LoopbackPair pair = await LoopbackPair.CreateAsync();
        Task<SessionTerms> worker = TcpHandshake.RespondAsync(pair.Worker.Stream, s_token, WireProtocol.Version, "master", Deadline());
        await pair.Master.Stream.WriteAsync(TcpChallenge(TcpHandshake.NewRunId()));
        byte[] response = await ReadFrameAsync(pair.Master.Stream);

        // A verdict frame whose proof is the worker's own (the last 32 bytes of its response).
        byte[] verdict = Frame("DVYT"u8.ToArray(), 3, 32 + 1 + 4);
        response.AsSpan(response.Length - 32).CopyTo(verdict.AsSpan(4 + 5));
        verdict[4 + 5 + 32] = 1;
        await pair.Master.Stream.WriteAsync(verdict);

        (await worker.Invoking(w => w).Should().ThrowAsync<HandshakeException>())
            .Which.Should().Match<HandshakeException>(e => e.Failure == HandshakeFailure.WrongToken && e.Message.Contains("did not prove it knows the token"));
    }

    [Fact]
    public async Task A_worker_turned_away_for_lack_of_slots_is_told_how_many_there_are()
    {
        using LoopbackPair pair = await LoopbackPair.CreateAsync();
        Task<SessionTerms> worker = TcpHandshake.RespondAsync(pair.Worker.Stream, s_token, WireProtocol.Version, "127.0.0.1:7601", Deadline());

        TcpHandshake.MasterSide side = await TcpHandshake.ChallengeAsync(pair.Master.Stream, s_token, TcpHandshake.NewRunId(), WireProtocol.Version, Deadline());
        await TcpHandshake.AnswerAsync(pair.Master.Stream, s_token, side, accepted: false, slots: 2, s_terms, Deadline());

        (await worker.Invoking(w => w).Should().ThrowAsync<HandshakeException>())
            .Which.Should().Match<HandshakeException>(e => e.Failure == HandshakeFailure.Full && e.Message == "the master at 127.0.0.1:7601 has no free worker slot (all 2 taken, its -n); this worker is not needed");
    }

    private static byte[] TcpChallenge(byte[] runId)
    {
        byte[] frame = Frame("DVYT"u8.ToArray(), 1, 4 + 16 + 32);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(9), WireProtocol.Version);
        runId.CopyTo(frame, 13);
        Random.Shared.NextBytes(frame.AsSpan(29, 32));
        return frame;
    }

    private static byte[] Frame(byte[] magic, byte type, int payload)
    {
        byte[] frame = new byte[4 + 5 + payload];
        BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)(5 + payload));
        magic.CopyTo(frame, 4);
        frame[8] = type;
        return frame;
    }

    private static async Task<byte[]> ReadFrameAsync(Stream stream)
    {
        byte[] header = new byte[4];
        await stream.ReadExactlyAsync(header);
        byte[] frame = new byte[4 + BinaryPrimitives.ReadUInt32BigEndian(header)];
        header.CopyTo(frame, 0);
        await stream.ReadExactlyAsync(frame.AsMemory(4));
        return frame;
    }
}
