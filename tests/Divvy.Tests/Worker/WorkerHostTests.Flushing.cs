using Divvy.Jobs;
using Divvy.Protocol;
using Divvy.Tests.Support;
using Divvy.Worker;
using MessagePack;

namespace Divvy.Tests.Worker;

public sealed partial class WorkerHostTests
{
    [Fact]
    public async Task Big_results_queued_behind_each_other_go_out_in_pieces_not_in_one_growing_buffer()
    {
        // 40 items of 64 KiB results arrive together: the worker has a deep queue and, before this,
        // held every result until the queue drained (2.6 MB grown, copied and dropped in one buffer).
        const int ResultSize = 64 * 1024;
        const int Items = 40;
        var up = new WriteRecordingStream(_upClient);
        Task<int> worker = Task.Run(() => new WorkerHost(new JobAdapter<int, string>(new Divider(ResultSize)), _downClient, up, masterProcessId: null, _exited.SetResult).RunAsync());
        Send(new StartMessage(WireProtocol.Version, 1, 1 << 20));
        (await ReceiveAsync()).Should().BeOfType<ReadyMessage>();

        for (int i = 1; i <= Items; i++)
        {
            MessageCodec.Write(_toWorker.BeginFrame(), new ItemMessage(i, MessagePackSerializer.Serialize(i)));
            _toWorker.EndFrame();
        }

        MessageCodec.Write(_toWorker.BeginFrame(), StopMessage.Instance);
        _toWorker.EndFrame();
        _toWorker.Flush();

        for (int i = 1; i <= Items; i++)
        {
            var result = (ResultMessage)await ReceiveAsync();
            result.Id.Should().Be(i, "results keep their order");
            MessagePackSerializer.Deserialize<string>(result.Payload).Should().HaveLength(ResultSize);
        }

        (await worker.WaitAsync(TimeSpan.FromSeconds(10))).Should().Be(WorkerExitCodes.Finished);
        up.Writes.Max().Should().BeLessThan(512 * 1024, "results are sent about every 256 KiB, whatever the queue depth");
        up.Writes.Sum().Should().BeGreaterThan(Items * ResultSize, "every result was written");
    }
}
