using TinyStack.Host.Sockets;

namespace TinyStack.Cli.Services;

/// <summary>Discard (RFC 863, TCP port 9): "Once a connection is established any data received is thrown away."</summary>
public sealed class DiscardService : TcpService
{
    private const int BufferSize = 64 * 1024;

    public override ushort Port => 9;

    public override string Name => "discard";

    public override async Task ServeAsync(TcpStream stream, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[BufferSize];
        while (await stream.ReadAsync(buffer, cancellationToken) > 0)
        {
        }
    }
}
