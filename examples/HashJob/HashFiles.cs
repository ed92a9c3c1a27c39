using System.IO.Compression;
using System.Security.Cryptography;
using Divvy;

namespace HashJob;

public sealed class HashFiles : IParallelizable<FileToHash, FileHash>
{
    private readonly string _folder;

    // Program.cs passes its arguments; the divvy command passes those after the assembly path.
    public HashFiles(string[] args) => _folder = args.Length > 0 ? args[0] : "data";

    // In the master: one item per file, pulled lazily as workers become free.
    public IEnumerable<FileToHash> Dispatch()
    {
        string output = Path.GetFullPath(_folder.TrimEnd('/') + "-gz");
        Directory.CreateDirectory(output);
        foreach (string path in Directory.EnumerateFiles(_folder).Order())
        {
            yield return new FileToHash(Path.GetFullPath(path), output);
        }
    }

    // In a worker: hash one file and write a compressed copy.
    public FileHash Perform(FileToHash item)
    {
        byte[] bytes = File.ReadAllBytes(item.Path);
        string target = Path.Combine(item.OutputFolder, Path.GetFileName(item.Path) + ".gz");
        using (var gzip = new GZipStream(File.Create(target), CompressionLevel.SmallestSize))
        {
            gzip.Write(bytes);
        }

        string sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes));
        return new FileHash(sha256, bytes.Length, new FileInfo(target).Length, Environment.ProcessId);
    }

    // In a worker, after Perform threw: is another attempt worth it? A missing file stays missing.
    public bool ShouldRetry(Exception exception) => exception is not FileNotFoundException;

    // In the master: every item once, after its last attempt.
    public void OnResult(ItemResult<FileToHash, FileHash> result)
    {
        string name = Path.GetFileName(result.Item.Path);
        if (result.Result is { } hash)
        {
            Console.WriteLine($"{hash.Sha256[..16]}  {hash.Bytes,6} -> {hash.CompressedBytes,5} bytes  {name}  (pid {hash.WorkerPid})");
        }
        else
        {
            Console.WriteLine($"{result.Status}: {name} after {result.Attempts} attempt(s): {result.Error}");
        }
    }
}
