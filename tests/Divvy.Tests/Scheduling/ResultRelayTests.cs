using Divvy.Jobs;
using Divvy.Scheduling;

namespace Divvy.Tests.Scheduling;

public sealed class ResultRelayTests
{
    private sealed class Plain : IParallelizable<int, int>
    {
        public IEnumerable<int> Dispatch() => [];

        public int Perform(int item) => item;
    }

    private static (ResultRelay Relay, Func<int> Wakes) Streamed()
    {
        var relay = new ResultRelay(new JobAdapter<int, int>(new Plain()), streamed: true);
        int wakes = 0;
        relay.Attach(roomAgain: () => wakes++, hookFailed: _ => { }, stopRun: () => { });
        return (relay, () => wakes);
    }

    private static SettledItem Settled(long id) =>
        new(new DispatchedItem(id, (int)id, []), ItemStatus.Succeeded, (int)id, null, new WorkerInfo(1, 1), TimeSpan.Zero, null);

    [Fact]
    public async Task It_is_full_at_its_capacity_and_wakes_the_loop_once_when_the_reader_has_taken_half()
    {
        (ResultRelay relay, Func<int> wakes) = Streamed();
        for (int i = 1; i <= ResultRelay.Capacity; i++)
        {
            relay.PausesDispatch().Should().BeFalse();
            relay.Add(Settled(i));
        }

        relay.PausesDispatch().Should().BeTrue();
        for (int i = 0; i < ResultRelay.Capacity / 2; i++)
        {
            wakes().Should().Be(0, "the loop is woken only once the reader is half a relay behind");
            (await relay.ReadAsync()).Should().NotBeNull();
            relay.Taken();
        }

        wakes().Should().Be(1);
        relay.PausesDispatch().Should().BeFalse();
        (await relay.ReadAsync())!.Value.Item.Id.Should().Be(ResultRelay.Capacity / 2 + 1, "items come out in the order they settled");
        relay.Taken();
        wakes().Should().Be(1, "a loop that did not ask is not woken");
    }

    [Fact]
    public async Task The_reader_reaches_the_end_once_the_relay_is_complete_and_empty()
    {
        (ResultRelay relay, _) = Streamed();
        relay.Add(Settled(1));

        await relay.CompleteAsync();

        (await relay.ReadAsync()).Should().NotBeNull();
        (await relay.ReadAsync()).Should().BeNull();
    }
}
