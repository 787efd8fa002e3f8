using System.Net.Security;
using System.Security.Authentication;
using System.Text;
using TinyStack.Host;
using TinyStack.Host.Sockets;
using TinyStack.Wire;

namespace TinyStack.Http.Client;

/// <summary>
/// Fetches one URL over a TinyStack stack: an active open from our TCP, one request, the
/// response (Content-Length, chunked, or until close), then a graceful close. HTTPS goes through
/// <see cref="SslStream"/> over the same <see cref="TcpStream"/>. Hosts are IPv4 literals (the
/// stack has no resolver).
/// </summary>
public static class HttpGet
{
    /// <param name="host">The running stack to connect from.</param>
    /// <param name="url">http:// or https:// with an IPv4 address, e.g. http://10.0.0.2/stats.</param>
    /// <param name="body">Where the body goes.</param>
    /// <param name="head">Send HEAD instead of GET.</param>
    /// <param name="insecure">Accept any server certificate (like curl -k).</param>
    /// <param name="onHead">Called with the response head before the body is read (e.g. to print it first).</param>
    public static async Task<HttpGetResult> FetchAsync(StackHost host, Uri url, Stream body, bool head = false, bool insecure = false, Action<HttpClientResponse>? onHead = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(url);
        ArgumentNullException.ThrowIfNull(body);
        bool tls = url.Scheme switch
        {
            "http" => false,
            "https" => true,
            _ => throw new ArgumentException($"'{url}': only http:// and https:// URLs can be fetched.", nameof(url)),
        };
        if (!Ipv4Address.TryParse(url.Host, out Ipv4Address address))
        {
            throw new ArgumentException($"'{url.Host}' is not an IPv4 address: TinyStack has no DNS resolver, use an address such as 10.0.0.2.", nameof(url));
        }

        System.Diagnostics.Stopwatch watch = System.Diagnostics.Stopwatch.StartNew();
        ushort port = (ushort)url.Port;
        TcpStream tcp = await TcpStream.ConnectAsync(host, address, port, cancellationToken).ConfigureAwait(false);
        tcp.NoDelay = true;
        Stream stream = tcp;
        try
        {
            if (tls)
            {
                SslStream ssl = new(tcp, leaveInnerStreamOpen: true);
                stream = ssl;
                await ssl.AuthenticateAsClientAsync(
                    new SslClientAuthenticationOptions
                    {
                        TargetHost = url.Host,
                        EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                        ApplicationProtocols = [SslApplicationProtocol.Http11],
                        RemoteCertificateValidationCallback = insecure ? (_, _, _, _) => true : null,
                    },
                    cancellationToken).ConfigureAwait(false);
            }

            string authority = url.IsDefaultPort ? url.Host : $"{url.Host}:{url.Port}";
            string request = $"{(head ? "HEAD" : "GET")} {url.PathAndQuery} HTTP/1.1\r\nHost: {authority}\r\nUser-Agent: tinystack-get/1\r\nAccept: */*\r\nConnection: close\r\n\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(request), cancellationToken).ConfigureAwait(false);
            using HttpResponseReader reader = new(stream);
            HttpClientResponse response = await reader.ReadHeadAsync(cancellationToken).ConfigureAwait(false);
            onHead?.Invoke(response);
            long length = await reader.ReadBodyAsync(response, head, body, cancellationToken).ConfigureAwait(false);
            return new HttpGetResult(response, length, watch.Elapsed);
        }
        finally
        {
            if (stream is SslStream ssl)
            {
                await ssl.DisposeAsync().ConfigureAwait(false);
            }

            tcp.Dispose();
        }
    }
}
