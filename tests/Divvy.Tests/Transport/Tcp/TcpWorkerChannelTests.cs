using Divvy.Framing;
using Divvy.Jobs;
using Divvy.Protocol;
using Divvy.Transport.Tcp;

namespace Divvy.Tests.Transport.Tcp;

// The transport contract suite (WorkerChannelContractTests) has not landed on main yet; these
// cover the same ground for TCP, plus what only TCP has: Goodbye and a lost connection.
public sealed class TcpWorkerChannelTests
{
    private const int MaxFrame = 1 << 20;

    [Fact]
    public async Task Posts_arrive_at_the_worker_in_order_as_frames_items_posted_together_in_one()
    {
        using LoopbackPair pair = await LoopbackPair.CreateAsync();
        await using var channel = new TcpWorkerChannel(pair.Master, MaxFrame);

        channel.Post(new StartMessage(WireProtocol.Version, 1, MaxFrame));
        channel.PostItems([new DispatchedItem(1, null, [0x01]), new DispatchedItem(2, null, [0x02])]);
        channel.Post(StopMessage.Instance);

        var reader = new FrameReader(pair.Worker.Stream, MaxFrame);
        var received = new List<Message>();
        for (int i = 0; i < 3; i++)
        {
            received.Add(MessageCodec.Read(reader.Read()!.Value, ownPayloads: true));
        }

        received[0].Should().Be(new StartMessage(WireProtocol.Version, 1, MaxFrame));
        ((ItemsMessage)received[1]).Items.Select(m => (m.Id, m.Payload.ToArray()[0])).Should().Equal((1L, (byte)1), (2L, (byte)2));
        received[2].Should().Be(StopMessage.Instance);
        channel.PreferredWindowBytes.Should().Be(TcpWorkerChannel.WindowBytes);
    }

    [Fact]
    public async Task A_worker_that_says_Goodbye_and_closes_has_exited_with_its_code_and_the_Goodbye_is_not_passed_on()
    {
        using LoopbackPair pair = await LoopbackPair.CreateAsync();
        await using var channel = new TcpWorkerChannel(pair.Master, MaxFrame);

        Send(pair.Worker, PongMessage.Instance, new GoodbyeMessage(0));
        pair.Worker.ShutdownSend();

        var messages = new List<Message>();
        while (await channel.ReadBatchAsync(CancellationToken.None) is { } batch)
        {
            messages.AddRange(batch);
        }

        messages.Should().Equal(PongMessage.Instance);
        (await channel.Closed.WaitAsync(TimeSpan.FromSeconds(10))).Should().Be(0);
    }

    [Fact]
    public async Task Output_is_handed_aside_in_order_each_piece_before_the_messages_that_follow_it_are_passed_on()
    {
        using LoopbackPair pair = await LoopbackPair.CreateAsync();
        var seen = new List<string>();
        await using var channel = new TcpWorkerChannel(pair.Master, MaxFrame, o => seen.Add($"{o.Stream}:{System.Text.Encoding.UTF8.GetString(o.Bytes.Span)}"));

        Send(pair.Worker, Output(StandardStream.Output, "a"), Output(StandardStream.Error, "b"), PongMessage.Instance, Output(StandardStream.Output, "c"), new GoodbyeMessage(0));
        pair.Worker.ShutdownSend();

        var messages = new List<Message>();
        while (await channel.ReadBatchAsync(CancellationToken.None) is { } batch)
        {
            // Everything written before the message was handed aside before the message is seen.
            seen.Add($"message:{batch.Count}");
            messages.AddRange(batch);
        }

        messages.Should().Equal(PongMessage.Instance);
        seen.Where(s => s != "message:1").Should().Equal(["Output:a", "Error:b", "Output:c"], "each stream's pieces in the order sent");
        seen.IndexOf("message:1").Should().BeGreaterThan(seen.IndexOf("Error:b"), "output that came before a message is written out before the message is passed on");
        (await channel.Closed.WaitAsync(TimeSpan.FromSeconds(10))).Should().Be(0);
    }

    [Fact]
    public async Task A_batch_of_nothing_but_output_is_not_passed_on_as_an_empty_batch()
    {
        using LoopbackPair pair = await LoopbackPair.CreateAsync();
        int pieces = 0;
        await using var channel = new TcpWorkerChannel(pair.Master, MaxFrame, _ => pieces++);

        Send(pair.Worker, Output(StandardStream.Output, "only output"));
        pair.Worker.ShutdownSend();

        (await channel.ReadBatchAsync(CancellationToken.None)).Should().BeNull();
        pieces.Should().Be(1);
    }

    private static OutputMessage Output(StandardStream stream, string text) => new(stream, System.Text.Encoding.UTF8.GetBytes(text));

    [Fact]
    public async Task A_worker_whose_connection_ends_without_Goodbye_is_lost()
    {
        using LoopbackPair pair = await LoopbackPair.CreateAsync();
        await using var channel = new TcpWorkerChannel(pair.Master, MaxFrame);

        Send(pair.Worker, PongMessage.Instance);
        pair.Worker.Abort();

        while (await channel.ReadBatchAsync(CancellationToken.None) is not null)
        {
        }

        (await channel.Closed.WaitAsync(TimeSpan.FromSeconds(10))).Should().BeNull();
    }

    [Fact]
    public async Task Garbage_from_an_authenticated_worker_is_a_protocol_error_and_the_connection_counts_as_lost()
    {
        using LoopbackPair pair = await LoopbackPair.CreateAsync();
        await using var channel = new TcpWorkerChannel(pair.Master, MaxFrame);

        await pair.Worker.Stream.WriteAsync(new byte[] { 0, 0, 0, 2, 0xC1, 0xC1 });

        Func<Task> read = async () => await channel.ReadBatchAsync(CancellationToken.None);
        await read.Should().ThrowAsync<ProtocolException>();
        (await channel.Closed.WaitAsync(TimeSpan.FromSeconds(10))).Should().BeNull();
    }

    private static void Send(TcpConnection connection, params Message[] messages)
    {
        var writer = new FrameWriter(connection.Stream, MaxFrame);
        foreach (Message message in messages)
        {
            MessageCodec.Write(writer.BeginFrame(), message);
            writer.EndFrame();
        }

        writer.Flush();
    }
}
