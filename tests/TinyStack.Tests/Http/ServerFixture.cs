using System.Text;
using TinyStack.Host.Sockets;
using TinyStack.Http;
using TinyStack.Http.Client;
using TinyStack.Tests.Sockets;

namespace TinyStack.Tests.Http;

/// <summary>
/// An <see cref="HttpServer"/> on host B (10.0.0.2:80) of a <see cref="HostPair"/>, and raw
/// client connections from host A: everything over TinyStack's TCP on a memory link.
/// </summary>
internal sealed class ServerFixture : IAsyncDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private readonly HostPair _pair;

    public ServerFixture(
        Action<HttpApp> configure,
        HttpServerOptions? options = null,
        Func<TinyStack.Host.StackHost, HttpApp>? createApp = null,
        SocketContinuations continuations = SocketContinuations.ThreadPool)
    {
        _pair = new HostPair(continuations: continuations);
        HttpApp app = createApp?.Invoke(_pair.B) ?? new HttpApp();
        configure(app);
        Server = HttpServer.Start(_pair.B, 80, app, options);
    }

    public HttpServer Server { get; }

    /// <summary>The server's host (B).</summary>
    public TinyStack.Host.StackHost ServerHost => _pair.B;

    public async Task<Client> ConnectAsync()
    {
        TcpStream stream = await TcpStream.ConnectAsync(_pair.A, HostPair.AddressB, 80).AsTask().WaitAsync(Patience);
        return new Client(stream);
    }

    public async ValueTask DisposeAsync()
    {
        await Server.StopAsync();

        // With StackThread continuations this resumes on host B's thread, which cannot join itself.
        await Task.Yield();
        _pair.Dispose();
    }

    internal sealed class Client : IDisposable
    {
        public Client(TcpStream stream)
        {
            Stream = stream;
            Reader = new HttpResponseReader(stream);
        }

        public TcpStream Stream { get; }

        public HttpResponseReader Reader { get; }

        public Task SendAsync(string text) => Stream.WriteAsync(Encoding.Latin1.GetBytes(text)).AsTask().WaitAsync(Patience);

        public async Task<(HttpClientResponse Response, string Body)> ReceiveAsync(bool toHead = false)
        {
            (HttpClientResponse response, byte[] body) = await Reader.ReadResponseAsync(toHead).AsTask().WaitAsync(Patience);
            return (response, Encoding.UTF8.GetString(body));
        }

        /// <summary>True when the server has closed its side (a read returns 0), within the patience.</summary>
        public async Task<bool> ServerClosedAsync()
        {
            byte[] scratch = new byte[256];
            try
            {
                return await Stream.ReadAsync(scratch).AsTask().WaitAsync(Patience) == 0;
            }
            catch (IOException)
            {
                // Reset is also closed.
                return true;
            }
        }

        /// <summary>Raw bytes until the server closes.</summary>
        public async Task<string> ReadToEndAsync()
        {
            MemoryStream all = new();
            byte[] scratch = new byte[4096];
            int n;
            while ((n = await Stream.ReadAsync(scratch).AsTask().WaitAsync(Patience)) > 0)
            {
                all.Write(scratch, 0, n);
            }

            return Encoding.Latin1.GetString(all.ToArray());
        }

        public void Dispose()
        {
            Reader.Dispose();
            Stream.Dispose();
        }
    }
}
