using Divvy.Protocol;
using Divvy.Worker;

namespace Divvy.Tests.Worker;

public sealed class ItemInboxTests
{
    private static List<ItemMessage> Batch(params long[] ids) => [.. ids.Select(id => new ItemMessage(id, Array.Empty<byte>()))];

    [Fact]
    public void Batches_come_out_in_the_order_they_were_posted_and_then_the_end()
    {
        var inbox = new ItemInbox();
        inbox.Post(Batch(1, 2));
        inbox.Post(Batch(3));
        inbox.Complete();

        inbox.IsEmpty.Should().BeFalse();
        inbox.Take()!.Select(i => i.Id).Should().Equal(1, 2);
        inbox.Take()!.Select(i => i.Id).Should().Equal(3);
        inbox.IsEmpty.Should().BeTrue();
        inbox.Take().Should().BeNull("the inbox is complete and empty");
    }

    [Fact]
    public async Task Take_waits_for_a_batch_posted_from_another_thread()
    {
        var inbox = new ItemInbox();
        Task<List<ItemMessage>?> taking = Task.Factory.StartNew(() => inbox.Take(), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        inbox.Post(Batch(7));

        (await taking.WaitAsync(TimeSpan.FromSeconds(10)))!.Select(i => i.Id).Should().Equal(7);
    }

    [Fact]
    public async Task Completing_wakes_a_waiting_Take_with_the_end()
    {
        var inbox = new ItemInbox();
        Task<List<ItemMessage>?> taking = Task.Factory.StartNew(() => inbox.Take(), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        inbox.Complete();

        (await taking.WaitAsync(TimeSpan.FromSeconds(10))).Should().BeNull();
    }

    [Fact]
    public async Task Cancelling_wakes_a_waiting_Take_with_OperationCanceledException()
    {
        var inbox = new ItemInbox();
        using var stop = new CancellationTokenSource();
        Task<List<ItemMessage>?> taking = Task.Factory.StartNew(() => inbox.Take(stop.Token), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        await stop.CancelAsync();

        await taking.Invoking(t => t.WaitAsync(TimeSpan.FromSeconds(10))).Should().ThrowAsync<OperationCanceledException>();
    }

    [Fact]
    public void A_batch_already_there_is_taken_even_with_a_cancelled_token()
    {
        var inbox = new ItemInbox();
        inbox.Post(Batch(1));

        inbox.Take(new CancellationToken(canceled: true))!.Select(i => i.Id).Should().Equal(1);
    }
}
