using System.Text;
using MessagePack;

namespace Divvy.Cli.Exec;

/// <summary>A stream's captured output: inline text, or the path of the file it spilled to.</summary>
[MessagePackObject]
public sealed class CapturedOutput
{
    [Key(0)]
    public string? Text { get; set; }

    [Key(1)]
    public string? SpillFile { get; set; }

    [Key(2)]
    public long Length { get; set; }

    /// <summary>The whole output; reads the spill file when there is one.</summary>
    public string ReadAll() => SpillFile is { } path && File.Exists(path) ? File.ReadAllText(path, Encoding.UTF8) : Text ?? "";

    /// <summary>Copies the output to a writer without loading a spill file whole.</summary>
    public void CopyTo(TextWriter writer)
    {
        if (SpillFile is { } path && File.Exists(path))
        {
            using var reader = new StreamReader(path, Encoding.UTF8);
            char[] buffer = new char[64 * 1024];
            int n;
            while ((n = reader.Read(buffer, 0, buffer.Length)) > 0)
            {
                writer.Write(buffer, 0, n);
            }

            return;
        }

        writer.Write(Text);
    }

    /// <summary>Lines, for the run log; streamed from the spill file when there is one.</summary>
    public IEnumerable<string> Lines()
    {
        using TextReader reader = SpillFile is { } path && File.Exists(path) ? new StreamReader(path, Encoding.UTF8) : new StringReader(Text ?? "");
        while (reader.ReadLine() is { } line)
        {
            yield return line;
        }
    }

    public void Delete()
    {
        if (SpillFile is { } path)
        {
            File.Delete(path);
        }
    }
}
