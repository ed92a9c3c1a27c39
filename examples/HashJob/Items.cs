using MessagePack;

namespace HashJob;

// What the master sends a worker: public, [MessagePackObject], a numbered [Key] on each member.
[MessagePackObject]
public sealed record FileToHash([property: Key(0)] string Path, [property: Key(1)] string OutputFolder);

// What a worker sends back.
[MessagePackObject]
public sealed record FileHash([property: Key(0)] string Sha256, [property: Key(1)] long Bytes, [property: Key(2)] long CompressedBytes, [property: Key(3)] int WorkerPid);
