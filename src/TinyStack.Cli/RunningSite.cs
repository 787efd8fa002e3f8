using System.CommandLine;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using TinyStack.Host;
using TinyStack.Http;
using TinyStack.Http.Site;

namespace TinyStack.Cli;

/// <summary>The web site of <c>tinystack run</c>: the built-in routes on HTTP, and on HTTPS with --tls.</summary>
public sealed class RunningSite : IAsyncDisposable
{
    private readonly List<HttpServer> _servers;
    private readonly X509Certificate2? _certificate;

    private RunningSite(List<HttpServer> servers, X509Certificate2? certificate)
    {
        _servers = servers;
        _certificate = certificate;
    }

    public IReadOnlyList<HttpServer> Servers => _servers;

    /// <summary>Starts the servers on the running stack (called before the stack reports itself ready).</summary>
    public static RunningSite Start(StackHost host, ParseResult result, HttpSiteOptions options, IStackLogger logger)
    {
        SiteOptions site = new(host) { WwwRoot = result.GetValue(options.Www) };
        HttpApp app = TinyStackSite.Create(site);
        HttpServerOptions serverOptions = options.ToServerOptions(result, line => logger.Log(StackLogLevel.Warning, "http: " + line));
        List<HttpServer> servers = [];
        X509Certificate2? certificate = null;
        try
        {
            ushort port = (ushort)result.GetValue(options.HttpPort);
            servers.Add(HttpServer.Start(host, port, app, serverOptions));
            logger.Log(StackLogLevel.Info, $"serving HTTP on port {port}" + (site.WwwRoot is null ? string.Empty : $", files from {Path.GetFullPath(site.WwwRoot)}"));
            if (result.GetValue(options.Tls))
            {
                IPAddress address = IPAddress.Parse(host.Stack.Options.Address.Address.ToString());
                certificate = result.GetValue(options.Cert) is string path
                    ? TlsCertificates.Load(path, result.GetValue(options.Key), result.GetValue(options.CertPassword))
                    : TlsCertificates.CreateSelfSigned(address);
                ushort httpsPort = (ushort)result.GetValue(options.HttpsPort);
                HttpServerOptions tls = new()
                {
                    IdleTimeout = serverOptions.IdleTimeout,
                    HeaderTimeout = serverOptions.HeaderTimeout,
                    MaxConnections = serverOptions.MaxConnections,
                    Limits = serverOptions.Limits,
                    Log = serverOptions.Log,
                    Certificate = certificate,
                };
                servers.Add(HttpServer.Start(host, httpsPort, app, tls));
                logger.Log(StackLogLevel.Info, $"serving HTTPS on port {httpsPort} with {(result.GetValue(options.Cert) is null ? "a self-signed certificate" : "certificate")} {certificate.Subject}, SHA-256 fingerprint {TlsCertificates.Fingerprint(certificate)}");
            }
        }
        catch
        {
            foreach (HttpServer server in servers)
            {
                server.StopAsync().AsTask().GetAwaiter().GetResult();
            }

            certificate?.Dispose();
            throw;
        }

        site.Servers = servers;
        return new RunningSite(servers, certificate);
    }

    /// <summary>One line per server for the summary printed at exit.</summary>
    public string Summary() => string.Join(Environment.NewLine, _servers.Select(server =>
    {
        HttpServerCounters c = server.Counters;
        return $"  {(server.IsHttps ? "https" : "http")} :{server.LocalEndPoint.Port,-5} connections {c.ConnectionsAccepted} (refused {c.ConnectionsRefused}), requests {c.Requests}, "
            + $"errors {c.RequestErrors}, timeouts {c.HeaderTimeouts} head / {c.IdleTimeouts} idle, bytes in {c.BytesReceived} out {c.BytesSent}";
    }));

    public async ValueTask DisposeAsync()
    {
        foreach (HttpServer server in _servers)
        {
            await server.StopAsync().ConfigureAwait(false);
        }

        _certificate?.Dispose();
    }
}
