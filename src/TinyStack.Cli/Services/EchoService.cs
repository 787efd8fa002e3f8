using TinyStack.Host.Sockets;

namespace TinyStack.Cli.Services;

/// <summary>
/// Echo (RFC 862, TCP port 7): "Once a connection is established any data received is sent back.
/// This continues until the calling user terminates the connection." After the peer's FIN, the
/// echoed bytes still go out before ours.
/// </summary>
public sealed class EchoService : TcpService
{
    private const int BufferSize = 64 * 1024;

    public override ushort Port => 7;

    public override string Name => "echo";

    public override async Task ServeAsync(TcpStream stream, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[BufferSize];
        int n;
        while ((n = await stream.ReadAsync(buffer, cancellationToken)) > 0)
        {
            await stream.WriteAsync(buffer.AsMemory(0, n), cancellationToken);
        }
    }
}
