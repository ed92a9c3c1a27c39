using Divvy.Jobs;
using Divvy.Scheduling;

namespace Divvy.Tests.Scheduling;

public sealed class DispatchQueueTests
{
    private static DispatchedItem Item(long id) => new(id, (int)id, [(byte)id]);

    [Fact]
    public async Task Items_come_out_in_the_order_they_went_in()
    {
        var queue = new DispatchQueue(8, 1 << 20);
        for (long id = 1; id <= 5; id++)
        {
            await queue.AddAsync(Item(id), default);
        }

        var taken = new List<long>();
        while (queue.TryTake(out DispatchedItem? item))
        {
            taken.Add(item.Id);
        }

        taken.Should().Equal(1, 2, 3, 4, 5);
        queue.Count.Should().Be(0);
    }

    [Fact]
    public async Task Adding_reports_only_the_moment_the_queue_stops_being_empty()
    {
        var queue = new DispatchQueue(8, 1 << 20);

        (await queue.AddAsync(Item(1), default)).Should().BeTrue();
        (await queue.AddAsync(Item(2), default)).Should().BeFalse();
        queue.TryTake(out _).Should().BeTrue();
        queue.TryTake(out _).Should().BeTrue();
        (await queue.AddAsync(Item(3), default)).Should().BeTrue();
    }

    [Fact]
    public async Task A_full_queue_holds_the_producer_until_it_is_half_empty()
    {
        var queue = new DispatchQueue(4, 1 << 20);
        for (long id = 1; id <= 4; id++)
        {
            await queue.AddAsync(Item(id), default);
        }

        ValueTask<bool> fifth = queue.AddAsync(Item(5), default);
        fifth.IsCompleted.Should().BeFalse("the queue is full");

        queue.TryTake(out _).Should().BeTrue();
        await Task.Delay(50);
        fifth.IsCompleted.Should().BeFalse("one free place is not half the queue: the producer is not woken for each item");

        queue.TryTake(out _).Should().BeTrue();
        (await fifth.AsTask().WaitAsync(TimeSpan.FromSeconds(10))).Should().BeFalse();
        queue.Count.Should().Be(3);
    }

    [Fact]
    public async Task A_producer_waiting_on_a_full_queue_can_be_cancelled()
    {
        var queue = new DispatchQueue(2, 1 << 20);
        await queue.AddAsync(Item(1), default);
        await queue.AddAsync(Item(2), default);
        using var cancel = new CancellationTokenSource();

        Task adding = queue.AddAsync(Item(3), cancel.Token).AsTask();
        cancel.Cancel();

        await adding.Invoking(a => a.WaitAsync(TimeSpan.FromSeconds(10))).Should().ThrowAsync<OperationCanceledException>();
        queue.Count.Should().Be(2);
    }

    [Fact]
    public async Task Big_items_fill_it_by_bytes_before_they_fill_it_by_count()
    {
        var queue = new DispatchQueue(100, 10);
        await queue.AddAsync(new DispatchedItem(1, 1, new byte[6]), default);
        await queue.AddAsync(new DispatchedItem(2, 2, new byte[6]), default);

        ValueTask<bool> third = queue.AddAsync(new DispatchedItem(3, 3, new byte[6]), default);
        third.IsCompleted.Should().BeFalse("12 bytes are held, over the 10-byte bound");

        queue.TryTake(out _).Should().BeTrue();
        await Task.Delay(50);
        third.IsCompleted.Should().BeFalse("6 bytes are still over half the bound");

        queue.TryTake(out _).Should().BeTrue();
        await third.AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        queue.Count.Should().Be(1);
    }

    [Fact]
    public async Task An_item_bigger_than_the_whole_bound_still_gets_in_alone()
    {
        var queue = new DispatchQueue(100, 10);

        (await queue.AddAsync(new DispatchedItem(1, 1, new byte[1000]), default).AsTask().WaitAsync(TimeSpan.FromSeconds(10))).Should().BeTrue();
        queue.AddAsync(new DispatchedItem(2, 2, new byte[1]), default).IsCompleted.Should().BeFalse();
    }
}
