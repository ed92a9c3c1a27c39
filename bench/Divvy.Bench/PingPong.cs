using System.Diagnostics;
using System.Globalization;

namespace Divvy.Bench;

/// <summary>
/// The floor under Divvy's per-item cost: a raw round trip of 8 bytes over a pair of pipes between
/// this process and a child .NET process (this same program), with no framing, serialization or
/// scheduling. Prints <c>roundtrips=M ns_per_roundtrip=X ok</c>.
/// </summary>
public static class PingPong
{
    public const string EchoWorkload = "pingpong-echo";

    public static int Run(int roundTrips)
    {
        using Process child = SelfProcess.Start([EchoWorkload]);
        Stream down = child.StandardInput.BaseStream;
        Stream up = child.StandardOutput.BaseStream;
        byte[] message = new byte[8];
        byte[] reply = new byte[8];

        // One warm-up round trip, so process start-up is not counted.
        RoundTrip(down, up, message, reply, 0);
        long started = Stopwatch.GetTimestamp();
        for (long i = 1; i <= roundTrips; i++)
        {
            RoundTrip(down, up, message, reply, i);
        }

        TimeSpan elapsed = Stopwatch.GetElapsedTime(started);
        down.Close();
        child.WaitForExit();
        double nanoseconds = elapsed.TotalNanoseconds / Math.Max(1, roundTrips);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"roundtrips={roundTrips} ns_per_roundtrip={nanoseconds:F0} ok"));
        return 0;
    }

    /// <summary>The child: sends back every 8 bytes it reads, until its input ends.</summary>
    public static int Echo()
    {
        using Stream input = Console.OpenStandardInput();
        using Stream output = Console.OpenStandardOutput();
        byte[] buffer = new byte[8];
        while (input.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false) == buffer.Length)
        {
            output.Write(buffer);
            output.Flush();
        }

        return 0;
    }

    private static void RoundTrip(Stream down, Stream up, byte[] message, byte[] reply, long value)
    {
        BitConverter.TryWriteBytes(message, value);
        down.Write(message);
        down.Flush();
        up.ReadExactly(reply);
        if (BitConverter.ToInt64(reply) != value)
        {
            throw new InvalidOperationException($"round trip {value} came back as {BitConverter.ToInt64(reply)}");
        }
    }
}
