using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Divvy.Jobs;
using Divvy.Launching;
using Divvy.Worker;

namespace Divvy.Cli.Serve;

/// <summary>
/// The user's job as <c>divvy serve job.dll</c> runs it: its items come from clients instead of
/// <c>Dispatch</c>, for as long as the server runs, and each settled item goes back to the request
/// that brought it (as well as to the job's own <c>OnResult</c>). Everything else, and the whole
/// failure contract (retries, timeouts, quarantine, recycling), is the scheduler's, unchanged.
/// </summary>
internal sealed class ServedJob : IJob
{
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web) { MaxDepth = 32, TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver() };

    private readonly IJob _job;
    private readonly Channel<DispatchedItem> _requests;
    private readonly ConcurrentDictionary<long, TaskCompletionSource<ServedOutcome>> _waiting = new();
    private long _nextId;

    public ServedJob(IJob job, int maxQueue)
    {
        _job = job;

        // Warm in the master too: the item's and the result's JSON contracts and formatters are
        // built now, not on the first request.
        job.Prime();
        try
        {
            _ = s_json.GetTypeInfo(job.ItemType);
            _ = s_json.GetTypeInfo(job.ResultType);
        }
        catch (Exception ex) when (ex is NotSupportedException or InvalidOperationException)
        {
            // A type JSON cannot carry: its requests say so one by one (bad_request); MessagePack ones still work.
        }
        _requests = Channel.CreateBounded<DispatchedItem>(new BoundedChannelOptions(Math.Max(maxQueue, 1)) { SingleReader = true });
    }

    public Type JobType => _job.JobType;

    public string Name => _job.JobType.Name;

    // Items come in as clients send them: never pulled synchronously.
    public JobShape Shape => _job.Shape with { DispatchesSynchronously = false };

    public Type ItemType => _job.ItemType;

    /// <summary>Items sent and not yet settled.</summary>
    public int Pending => _waiting.Count;

    public Type ResultType => _job.ResultType;

    /// <summary>
    /// Reads <paramref name="json"/> as the job's item and queues it; the task completes with the
    /// EXIT fields once it settled. <c>null</c> when the queue is full (the request is refused: busy).
    /// </summary>
    /// <exception cref="JsonException">The JSON is not a <see cref="ItemType"/>.</exception>
    public Task<ServedOutcome>? Submit(JsonNode? json) => Submit(json.Deserialize(_job.ItemType, s_json));

    /// <summary>As <see cref="Submit(JsonNode?)"/>, for an item in MessagePack.</summary>
    /// <exception cref="MessagePack.MessagePackSerializationException">The bytes are not a <see cref="ItemType"/>.</exception>
    public Task<ServedOutcome>? Submit(ReadOnlyMemory<byte> messagePack) => Submit(_job.DeserializeItem(messagePack));

    /// <summary>A result as JSON, for the EXIT of a JSON request.</summary>
    public JsonNode? ResultJson(object? result) => result is null ? null : JsonSerializer.SerializeToNode(result, _job.ResultType, s_json);

    /// <summary>A result as MessagePack, for a request that sent its item so.</summary>
    public byte[] ResultBytes(object? result) => _job.WriteResult(result);

    private Task<ServedOutcome>? Submit(object? item)
    {
        long id = Interlocked.Increment(ref _nextId);
        DispatchedItem dispatched = _job.Prepare(id, item);
        var settled = new TaskCompletionSource<ServedOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiting[id] = settled;
        if (!_requests.Writer.TryWrite(dispatched))
        {
            _waiting.TryRemove(id, out _);
            return null;
        }

        return settled.Task;
    }

    /// <summary>The server stops: no more items; the run ends once those in flight settle.</summary>
    public void Complete() => _requests.Writer.TryComplete();

    public IEnumerable<DispatchedItem> Dispatch() => throw new NotSupportedException("a served job's items come asynchronously");

    public async IAsyncEnumerable<DispatchedItem> DispatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (DispatchedItem item in _requests.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return item;
        }
    }

    public void ReportResult(DispatchedItem item, ItemStatus status, object? result, RemoteError? error, WorkerInfo worker, TimeSpan duration, WorkerExit? exit)
    {
        if (_waiting.TryRemove(item.Id, out TaskCompletionSource<ServedOutcome>? settled))
        {
            settled.TrySetResult(new ServedOutcome(result, new JsonObject
            {
                ["reason"] = "performed",
                ["status"] = status.ToString(),
                ["error"] = error is null ? null : new JsonObject { ["type"] = error.Type, ["message"] = error.Message, ["stack"] = error.StackTrace },
                ["attempts"] = item.Attempts,
                ["worker"] = worker.Number,
                ["pid"] = worker.ProcessId,
                ["run_ms"] = duration.TotalMilliseconds,
                ["exit_code"] = exit?.ExitCode,
            }));
        }

        _job.ReportResult(item, status, result, error, worker, duration, exit);
    }

    public void ReportAttempt(DispatchedItem item, AttemptOutcome outcome, WorkerInfo worker, TimeSpan duration, RemoteError? error, TimeSpan? retryDelay) =>
        _job.ReportAttempt(item, outcome, worker, duration, error, retryDelay);

    public DispatchedItem Prepare(long id, object? item) => _job.Prepare(id, item);

    public void Prime() => _job.Prime();

    public object? DeserializeItem(ReadOnlyMemory<byte> payload) => _job.DeserializeItem(payload);

    public byte[] WriteResult(object? result) => _job.WriteResult(result);

    public void WriteResult(System.Buffers.IBufferWriter<byte> output, object? result) => _job.WriteResult(output, result);

    public void BeforeSpawn(WorkerInfo worker) => _job.BeforeSpawn(worker);

    public string? ItemKey(object? value) => _job.ItemKey(value);

    public object? Replay(object? item, CancellationToken cancellationToken) => _job.Replay(item, cancellationToken);

    public ValueTask BeforeSpawnAsync(WorkerInfo worker, CancellationToken cancellationToken) => _job.BeforeSpawnAsync(worker, cancellationToken);

    public ValueTask ReportResultAsync(SettledItem settled, CancellationToken cancellationToken) => _job.ReportResultAsync(settled, cancellationToken);

    public void Configure(MasterOptions options) => _job.Configure(options);

    public void OnCompleted(RunSummary summary) => _job.OnCompleted(summary);

    public bool TryReadResult(ReadOnlyMemory<byte> payload, out object? result, out RemoteError? error) => _job.TryReadResult(payload, out result, out error);

    public int RunWorker(WorkerEndpoint endpoint) => _job.RunWorker(endpoint);

    public Task<int> RunWorkerAsync(WorkerLink link) => _job.RunWorkerAsync(link);
}
