using System.CommandLine;
using TinyStack.Http;
using TinyStack.Time;

namespace TinyStack.Cli;

/// <summary>The options of <c>tinystack run</c> that shape its web site (HTTP on 80, HTTPS on 443).</summary>
public sealed class HttpSiteOptions
{
    public Option<bool> NoHttp { get; } = new("--no-http") { Description = "Do not serve the web site (HTTP on port 80)" };

    public Option<int> HttpPort { get; } = new("--http-port")
    {
        Description = "Port of the web site",
        DefaultValueFactory = _ => 80,
    };

    public Option<string?> Www { get; } = new("--www")
    {
        Description = "Also serve the files of DIR (with content types and Last-Modified) for paths no built-in route takes",
    };

    public Option<bool> Tls { get; } = new("--tls")
    {
        Description = "Also serve the site over HTTPS (TLS 1.2/1.3) on --https-port, with --cert or a self-signed certificate",
    };

    public Option<int> HttpsPort { get; } = new("--https-port")
    {
        Description = "Port of the HTTPS site (with --tls)",
        DefaultValueFactory = _ => 443,
    };

    public Option<string?> Cert { get; } = new("--cert")
    {
        Description = "Certificate for --tls: a PFX/PKCS#12 file (.pfx, .p12) or a PEM file (with the key in it, or in --key)",
    };

    public Option<string?> Key { get; } = new("--key") { Description = "PEM private key of a PEM --cert" };

    public Option<string?> CertPassword { get; } = new("--cert-password") { Description = "Password of a PFX --cert" };

    public Option<Duration> IdleTimeout { get; } = DurationOption("--http-idle-timeout", "Close a kept-alive HTTP connection idle this long (and a request without progress this long)", 60);

    public Option<Duration> HeaderTimeout { get; } = DurationOption("--http-header-timeout", "Answer 408 and close when a request head takes longer than this (slowloris)", 10);

    public Option<int> MaxConnections { get; } = new("--http-max-connections")
    {
        Description = "HTTP connections served at once; more are answered 503 and closed",
        DefaultValueFactory = _ => 16384,
    };

    public Option<long> MaxBody { get; } = SizeOption("--http-max-body", "Default largest request body (413 beyond), e.g. 1m; /discard takes any size", 1L << 20);

    public Option<long> MaxRequestLine { get; } = SizeOption("--http-max-request-line", "Longest request line (414 beyond), e.g. 16k", 8 * 1024);

    public Option<long> MaxHeaders { get; } = SizeOption("--http-max-headers", "Largest request header block (431 beyond), e.g. 128k", 64 * 1024);

    public Option<int> MaxHeaderCount { get; } = new("--http-max-header-count")
    {
        Description = "Most header fields in one request (431 beyond)",
        DefaultValueFactory = _ => 100,
    };

    public void AddTo(Command command)
    {
        foreach (Option option in new Option[] { NoHttp, HttpPort, Www, Tls, HttpsPort, Cert, Key, CertPassword, IdleTimeout, HeaderTimeout, MaxConnections, MaxBody, MaxRequestLine, MaxHeaders, MaxHeaderCount })
        {
            command.Options.Add(option);
        }
    }

    /// <summary>A one-line error for values that cannot work together, or null.</summary>
    public string? Validate(ParseResult result)
    {
        foreach ((Option<int> option, int value) in new[] { (HttpPort, result.GetValue(HttpPort)), (HttpsPort, result.GetValue(HttpsPort)) })
        {
            if (value is < 1 or > 65535)
            {
                return $"{option.Name} {value} is out of range: use 1..65535.";
            }
        }

        if (result.GetValue(Www) is string www && !Directory.Exists(www))
        {
            return $"--www {www}: no such directory.";
        }

        if (result.GetValue(Cert) is string cert && !File.Exists(cert))
        {
            return $"--cert {cert}: no such file.";
        }

        if (result.GetValue(MaxConnections) < 1)
        {
            return "--http-max-connections must be at least 1.";
        }

        // Each bound keeps the parser's buffer for one request head within reason.
        if (result.GetValue(MaxRequestLine) is < 16 or > MaxHeadBytes)
        {
            return "--http-max-request-line must be 16 bytes .. 1m.";
        }

        if (result.GetValue(MaxHeaders) is < 64 or > MaxHeadBytes)
        {
            return "--http-max-headers must be 64 bytes .. 1m.";
        }

        if (result.GetValue(MaxHeaderCount) is < 1 or > 10_000)
        {
            return "--http-max-header-count must be 1 .. 10000.";
        }

        if (result.GetValue(IdleTimeout) <= Duration.Zero || result.GetValue(HeaderTimeout) <= Duration.Zero)
        {
            return "--http-idle-timeout and --http-header-timeout must be above zero.";
        }

        return null;
    }

    public HttpServerOptions ToServerOptions(ParseResult result, Action<string> log) => new()
    {
        IdleTimeout = result.GetValue(IdleTimeout).ToTimeSpan(),
        HeaderTimeout = result.GetValue(HeaderTimeout).ToTimeSpan(),
        MaxConnections = result.GetValue(MaxConnections),
        Limits = new HttpLimits
        {
            MaxRequestBodyBytes = result.GetValue(MaxBody),
            MaxRequestLineBytes = (int)result.GetValue(MaxRequestLine),
            MaxHeaderBytes = (int)result.GetValue(MaxHeaders),
            MaxHeaderCount = result.GetValue(MaxHeaderCount),
        },
        Log = log,
    };

    private const long MaxHeadBytes = 1 << 20;

    private static Option<long> SizeOption(string name, string description, long defaultBytes) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => defaultBytes,
        CustomParser = r =>
        {
            string text = r.Tokens.Count > 0 ? r.Tokens[0].Value : string.Empty;
            if (Http.Site.TinyStackSite.TryParseCount(text, out long bytes))
            {
                return bytes;
            }

            r.AddError($"{name} '{text}' is not valid: expected a size such as 1048576, 64k, 10m or 1g.");
            return 0;
        },
    };

    private static Option<Duration> DurationOption(string name, string description, int defaultSeconds) => new(name)
    {
        Description = description + $" (default {defaultSeconds}s), e.g. 500ms, 30s, 2m",
        DefaultValueFactory = _ => Duration.FromSeconds(defaultSeconds),
        CustomParser = r =>
        {
            string text = r.Tokens.Count > 0 ? r.Tokens[0].Value : string.Empty;
            if (CliParsers.TryParseDuration(text, out Duration duration))
            {
                return duration;
            }

            r.AddError($"{name} '{text}' is not valid: expected a duration such as 500ms, 30s or 2m.");
            return default;
        },
    };
}
