using System.Buffers.Binary;
using System.Diagnostics;
using System.Security.Cryptography;

namespace Divvy.Bench;

/// <summary>
/// The same work as a workload, in the same number of plain .NET processes, with no Divvy code:
/// this program starts N copies of itself, deals the items out round-robin before it starts (no
/// scheduling, no results per item beyond a raw 4-byte answer, no retries, no crash attribution),
/// streams them over the children's stdin, and counts the answers on their stdout. Whatever a
/// workload costs beyond this floor is Divvy's; what the floor itself costs is the machine's and
/// the runtime's (process start-up, pipes, the work).
/// </summary>
/// <remarks>
/// <c>Divvy.Bench floor trivial|sleep|cpu|payload --workers N --items M [the workload's options]</c>;
/// the children run <c>Divvy.Bench floor-child WORKLOAD [options]</c>.
/// </remarks>
public static class Floors
{
    public const string ChildWorkload = "floor-child";

    public static int Run(string workload, int workers, int items, Func<string, int, int> option, bool echo)
    {
        var children = new Process[workers];
        var counted = new long[workers];
        var readers = new Thread[workers];
        for (int w = 0; w < workers; w++)
        {
            children[w] = StartChild(workload, option, echo);
            int slot = w;
            Stream answers = children[w].StandardOutput.BaseStream;
            int answerSize = workload == "payload" && echo ? option("--payload", 65536) : 4;
            readers[w] = new Thread(() => counted[slot] = CountAnswers(answers, answerSize)) { IsBackground = true };
            readers[w].Start();
        }

        // Items are dealt round-robin up front: worker w gets items w, w + N, w + 2N, ...
        var inputs = children.Select(c => new BufferedStream(c.StandardInput.BaseStream, 64 * 1024)).ToArray();
        int payloadSize = option("--payload", 65536);
        Span<byte> header = stackalloc byte[4];
        for (int i = 0; i < items; i++)
        {
            Stream input = inputs[i % workers];
            BinaryPrimitives.WriteInt32LittleEndian(header, i);
            input.Write(header);
            if (workload == "payload")
            {
                // A fresh buffer per item, as the payload job makes.
                byte[] bytes = new byte[payloadSize];
                BitConverter.TryWriteBytes(bytes, (long)i);
                input.Write(bytes);
            }
        }

        foreach (BufferedStream input in inputs)
        {
            input.Dispose();
        }

        long processed = 0;
        for (int w = 0; w < workers; w++)
        {
            readers[w].Join();
            children[w].WaitForExit();
            processed += counted[w];
            children[w].Dispose();
        }

        Console.WriteLine($"processed={processed} expected={items} {(processed == items ? "ok" : "MISMATCH")}");
        return processed == items ? 0 : 3;
    }

    /// <summary>The child: reads items until its input ends, does the workload's work, answers each.</summary>
    public static int Child(string workload, Func<string, int, int> option, bool echo)
    {
        using Stream input = new BufferedStream(Console.OpenStandardInput(), 64 * 1024);
        using Stream output = new BufferedStream(Console.OpenStandardOutput(), 64 * 1024);
        int sleepMs = option("--sleep-ms", 150);
        int rounds = option("--rounds", 250);
        byte[] buffer = new byte[option("--size", 1024 * 1024)];
        int payloadSize = option("--payload", 65536);
        byte[] header = new byte[4];
        Span<byte> hash = stackalloc byte[32];
        while (input.ReadAtLeast(header, 4, throwOnEndOfStream: false) == 4)
        {
            int item = BinaryPrimitives.ReadInt32LittleEndian(header);
            switch (workload)
            {
                case "sleep":
                    Thread.Sleep(sleepMs);
                    break;
                case "cpu":
                    for (int r = 0; r < rounds; r++)
                    {
                        SHA256.HashData(buffer, hash);
                    }

                    break;
                case "payload":
                    byte[] bytes = new byte[payloadSize];
                    input.ReadExactly(bytes);
                    if (echo)
                    {
                        output.Write(bytes);
                        continue;
                    }

                    break;
            }

            BinaryPrimitives.WriteInt32LittleEndian(header, workload == "trivial" ? item * 2 : item);
            output.Write(header);
            if (workload is "sleep" or "cpu")
            {
                // Slow items: answer each at once, as a worker sends its result.
                output.Flush();
            }
        }

        return 0;
    }

    private static Process StartChild(string workload, Func<string, int, int> option, bool echo)
    {
        var arguments = new List<string> { ChildWorkload, workload };
        foreach ((string name, int fallback) in new[] { ("--sleep-ms", 150), ("--rounds", 250), ("--size", 1024 * 1024), ("--payload", 65536) })
        {
            arguments.Add(name);
            arguments.Add(option(name, fallback).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (echo)
        {
            arguments.Add("--echo");
        }

        return SelfProcess.Start(arguments);
    }

    private static long CountAnswers(Stream answers, int answerSize)
    {
        byte[] answer = new byte[answerSize];
        long count = 0;
        while (answers.ReadAtLeast(answer, answerSize, throwOnEndOfStream: false) == answerSize)
        {
            count++;
        }

        return count;
    }
}
