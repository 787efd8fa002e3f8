using System.Runtime.CompilerServices;
using TinyStack.Host.Sockets;

namespace TinyStack.Cli.Services;

/// <summary>
/// Character generator (RFC 864, TCP port 19): sends the RFC's "popular pattern" until the peer
/// closes, throwing away whatever it receives. The 95 printing ASCII characters (32..126, in code
/// order, as BSD inetd) form a ring; line N holds characters N mod 95 through (71 + N) mod 95,
/// ended by CR LF. The stream repeats every 95 lines (7030 bytes), so it is sent from one
/// precomputed buffer. The peer may close gracefully (FIN: we stop after the write in progress)
/// or, as the RFC expects, "abort the TCP connection" (RST: the next write fails).
/// </summary>
public sealed class ChargenService : TcpService
{
    /// <summary>Characters per line, before CR LF.</summary>
    public const int LineLength = 72;

    /// <summary>Bytes of one whole period of the pattern: 95 lines of 74 bytes.</summary>
    public const int PeriodLength = RingSize * (LineLength + 2);

    private const int RingSize = 95;
    private const byte FirstPrintable = 32;
    private const int ChunkSize = 64 * 1024;

    // One period and enough of the next that any offset within the period starts a full chunk.
    private static readonly byte[] s_pattern = BuildPattern(PeriodLength + ChunkSize);

    public override ushort Port => 19;

    public override string Name => "chargen";

    /// <summary>The first <paramref name="length"/> bytes of the chargen stream.</summary>
    public static byte[] BuildPattern(int length)
    {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            int line = i / (LineLength + 2);
            int column = i % (LineLength + 2);
            bytes[i] = column switch
            {
                LineLength => (byte)'\r',
                LineLength + 1 => (byte)'\n',
                _ => (byte)(FirstPrintable + ((line + column) % RingSize)),
            };
        }

        return bytes;
    }

    public override async Task ServeAsync(TcpStream stream, CancellationToken cancellationToken)
    {
        var peerClosed = new StrongBox<bool>();
        Task watcher = DiscardUntilClosedAsync(stream, peerClosed, cancellationToken);
        int offset = 0;
        try
        {
            while (!Volatile.Read(ref peerClosed.Value))
            {
                await stream.WriteAsync(s_pattern.AsMemory(offset, ChunkSize), cancellationToken);
                offset = (offset + ChunkSize) % PeriodLength;
            }
        }
        finally
        {
            // The caller's Dispose ends the watcher's read if the peer is still there.
            _ = watcher.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }
    }

    private static async Task DiscardUntilClosedAsync(TcpStream stream, StrongBox<bool> peerClosed, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[4096];
        try
        {
            while (await stream.ReadAsync(buffer, cancellationToken) > 0)
            {
            }
        }
        finally
        {
            Volatile.Write(ref peerClosed.Value, true);
        }
    }
}
