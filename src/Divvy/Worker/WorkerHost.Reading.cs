using Divvy.Framing;
using Divvy.Protocol;

namespace Divvy.Worker;

internal sealed partial class WorkerHost
{
    private void ReadLoop(FrameReader reader, FrameWriter writer)
    {
        try
        {
            List<ItemMessage>? batch = null;
            while (reader.Read() is { } frame)
            {
                if (_session is not null)
                {
                    Heard();
                }

                // Items keep their frame's pooled array until they are performed (see FrameDecoding).
                switch (FrameDecoding.Decode(reader, frame))
                {
                    case ItemsMessage items:
                        (batch ??= []).AddRange(items.Items);
                        break;
                    case ItemMessage item:
                        (batch ??= []).Add(item);
                        break;
                    case PingMessage:
                        // Answered here, not by the item loop, so a long Perform does not look like a hang.
                        Locked(() =>
                        {
                            Write(writer, PongMessage.Instance);
                            writer.Flush();
                        });
                        break;
                    case StopMessage:
                        if (batch is not null)
                        {
                            _inbox.Post(batch);
                        }

                        _inbox.Complete();
                        if (_session is null)
                        {
                            return;
                        }

                        // TCP: keep reading (and answering pings) until the master closes after our Goodbye.
                        batch = null;
                        break;
                    case Message other:
                        throw new ProtocolException($"unexpected {other.Kind} message from the master");
                }

                if (batch is not null && (!reader.HasBufferedFrame || batch.Count >= MaxItemsPerHandOff))
                {
                    // Hand on what this read brought in; the next read may block.
                    _inbox.Post(batch);
                    batch = null;
                }
            }
        }
        catch (ProtocolException ex)
        {
            ReleaseOutput();
            Console.Error.WriteLine($"divvy worker {_workerNumber}, pid {Environment.ProcessId}: {ex.Message}; exiting");
            _exitProcess(WorkerExitCodes.ProtocolError);

            // Reached only where leaving does not end the process (a worker loop in process): end the loop.
            _inbox.Complete();
            return;
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            // A broken pipe is the master going away, handled below like a clean end of stream;
            // a disposed one is this worker finishing on its own.
        }
        finally
        {
            _readerDone.Set();
        }

        if (!_finishing)
        {
            // The pipe ended without Stop: the master is gone. Leave at once, even mid-item.
            if (_session is { } session)
            {
                ReleaseOutput();
                Console.Error.WriteLine($"divvy worker {_workerNumber}, pid {Environment.ProcessId}: the connection to the master at {session.Master} ended; leaving");
            }

            _exitProcess(WorkerExitCodes.MasterGone);
            _inbox.Complete();
        }
    }
}
