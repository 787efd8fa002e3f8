using System.Globalization;
using System.Text;
using TinyStack.Host.Sockets;

namespace TinyStack.Cli.Services;

/// <summary>
/// Daytime (RFC 867, TCP port 13): "Once a connection is established the current date and time is
/// sent out the connection as a ascii character string (and any data received is thrown away).
/// The service closes the connection after sending the quote." The server closes first, so its
/// side of each connection passes through TIME-WAIT.
/// </summary>
public sealed class DaytimeService : TcpService
{
    public override ushort Port => 13;

    public override string Name => "daytime";

    public override async Task ServeAsync(TcpStream stream, CancellationToken cancellationToken)
    {
        // The RFC's suggested syntax: "Weekday, Month Day, Year Time-Zone".
        string quote = DateTime.UtcNow.ToString("dddd, MMMM d, yyyy HH:mm:ss'-UTC'", CultureInfo.InvariantCulture) + "\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(quote), cancellationToken);
    }
}
