namespace Divvy.Client;

/// <summary>The frame types of the <c>divvy/1</c> protocol (docs/protocol.md).</summary>
internal enum ServeFrameType : byte
{
    Challenge = 0x01,
    Hello = 0x02,
    Ready = 0x03,
    Run = 0x10,
    Started = 0x11,
    Rejected = 0x12,
    Stdin = 0x20,
    StdinEof = 0x21,
    Stdout = 0x22,
    Stderr = 0x23,
    Signal = 0x40,
    Exit = 0x50,
    Ping = 0x60,
    Pong = 0x61,
    Status = 0x71,
    Shutdown = 0x72,
    Error = 0x7F,
}
