using Divvy.Jobs;
using Divvy.Scheduling;

namespace Divvy.Tests.Scheduling;

public sealed class ItemLedgerTests
{
    private static DispatchedItem Item(long id) => new(id, (int)id, [(byte)id]);

    private static List<long> TakeAll(ItemLedger ledger)
    {
        var taken = new List<long>();
        while (ledger.TryTake(workerIsEmpty: true, out DispatchedItem? item, out _))
        {
            taken.Add(item.Id);
        }

        return taken;
    }

    [Fact]
    public async Task Items_sent_back_go_first_in_their_order_and_are_not_counted_as_dispatched_again()
    {
        var ledger = new ItemLedger();
        for (long id = 1; id <= 4; id++)
        {
            await ledger.AddAsync(Item(id), default);
        }

        ledger.TryTake(workerIsEmpty: true, out _, out bool fresh).Should().BeTrue();
        fresh.Should().BeTrue();
        ledger.Requeue([Item(9)]);
        ledger.Requeue([Item(7), Item(8)]);

        TakeAll(ledger).Should().Equal(7, 8, 9, 2, 3, 4);
        ledger.Counts.Dispatched.Should().Be(4);
    }

    [Fact]
    public void An_item_sent_alone_goes_only_to_an_empty_worker_and_the_items_behind_it_wait_for_it()
    {
        var ledger = new ItemLedger();
        DispatchedItem suspect = Item(1);
        suspect.SentAlone = true;
        ledger.Requeue([suspect, Item(2)]);

        ledger.TryTake(workerIsEmpty: false, out DispatchedItem? refused, out _).Should().BeFalse();
        refused.Should().BeNull();
        ledger.TryTake(workerIsEmpty: true, out DispatchedItem? taken, out _).Should().BeTrue();
        taken!.Id.Should().Be(1);
        ledger.TryTake(workerIsEmpty: false, out DispatchedItem? next, out _).Should().BeTrue();
        next!.Id.Should().Be(2);
    }

    [Fact]
    public void An_item_that_crashed_a_worker_is_sent_alone_from_then_on()
    {
        DispatchedItem item = Item(1);
        item.SentAlone.Should().BeFalse();
        item.Crashes = 1;
        item.SentAlone.Should().BeTrue();
    }

    [Fact]
    public void Delayed_items_wait_until_they_are_due_and_then_join_the_back_of_the_line()
    {
        var ledger = new ItemLedger();
        ledger.Delay(Item(1), due: 200);
        ledger.Delay(Item(2), due: 100);
        ledger.Requeue([Item(3)]);

        ledger.NextDue.Should().Be(100);
        ledger.ReleaseDue(now: 150);

        ledger.Delayed.Should().Be(1);
        TakeAll(ledger).Should().Equal(3, 2);
        ledger.ReleaseDue(now: 200);
        TakeAll(ledger).Should().Equal(1);
        ledger.NextDue.Should().BeNull();
    }

    [Fact]
    public async Task Leftovers_are_every_item_still_held_with_the_unsent_ones_counted_as_dispatched()
    {
        var ledger = new ItemLedger();
        await ledger.AddAsync(Item(1), default);
        await ledger.AddAsync(Item(2), default);
        ledger.Requeue([Item(3)]);
        ledger.Delay(Item(4), due: 10);

        ledger.TakeLeftovers().Select(i => i.Id).Should().BeEquivalentTo([1L, 2, 3, 4]);
        ledger.Counts.Dispatched.Should().Be(2);
        ledger.Waiting.Should().Be(0);
        ledger.Delayed.Should().Be(0);
    }
}
