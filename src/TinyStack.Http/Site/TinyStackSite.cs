using System.Globalization;
using System.Net;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace TinyStack.Http.Site;

/// <summary>
/// The site `tinystack run` serves: a live status page, /stats, test endpoints for throughput and
/// uploads, a static page, a REST resource with CORS, a session counter, and optionally the files
/// of a directory.
/// </summary>
public static class TinyStackSite
{
    /// <summary>Bytes per line of the /bytes pattern: a 64 KiB block holds whole lines, so blocks repeat seamlessly.</summary>
    private const int PatternLine = 64;

    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web);
    private static readonly byte[] s_pattern = CreatePattern(64 * 1024);

    /// <summary>The routes, with `/api` CORS handled by middleware.</summary>
    public static HttpApp Create(SiteOptions site)
    {
        ArgumentNullException.ThrowIfNull(site);
        HttpApp app = new();
        NotesStore notes = new();
        SessionCounter sessions = new();
        StaticFiles? files = site.WwwRoot is null ? null : new StaticFiles(site.WwwRoot);
        string home = ReadResource("home.html");
        byte[] index = Encoding.UTF8.GetBytes(ReadResource("index.html"));

        app.Use(CorsAsync);
        app.MapGet("/", ctx => HomeAsync(ctx, site, home));
        app.MapGet("/stats", ctx => StatsAsync(ctx, site));
        app.MapGet("/bytes/{n}", BytesAsync);
        app.MapPost("/echo", EchoAsync);
        app.MapPost("/discard", DiscardAsync).WithMaxRequestBodyBytes(long.MaxValue);
        app.MapGet("/index.html", ctx =>
        {
            ctx.Response.ContentType = "text/html; charset=utf-8";
            return ctx.Response.WriteAsync(index);
        });
        app.MapGet("/session", ctx => SessionAsync(ctx, sessions));
        NotesApi.Map(app, notes, s_json);
        if (files is not null)
        {
            app.MapGet("/{*path}", ctx => files.ServeAsync(ctx, ctx.GetRouteValue("path")!));
        }

        return app;
    }

    /// <summary>Parses a /bytes count: digits with an optional binary suffix (k, m, g: KiB, MiB, GiB).</summary>
    public static bool TryParseCount(string text, out long count)
    {
        count = 0;
        long unit = 1;
        if (text.Length > 1)
        {
            unit = char.ToLowerInvariant(text[^1]) switch
            {
                'k' => 1L << 10,
                'm' => 1L << 20,
                'g' => 1L << 30,
                _ => 1,
            };
        }

        string digits = unit == 1 ? text : text[..^1];
        if (digits.Length == 0 || digits.Length > 18 || !digits.All(char.IsAsciiDigit))
        {
            return false;
        }

        long value = long.Parse(digits, CultureInfo.InvariantCulture);
        if (value > long.MaxValue / unit)
        {
            return false;
        }

        count = value * unit;
        return true;
    }

    private static ValueTask CorsAsync(HttpContext context, HttpHandler next)
    {
        string path = context.Request.Path;
        if (!(path == "/api" || path.StartsWith("/api/", StringComparison.OrdinalIgnoreCase)))
        {
            return next(context);
        }

        // CORS (Fetch standard): any origin may call the API; Location must be readable by script.
        HttpResponse response = context.Response;
        response.Headers.Set("Access-Control-Allow-Origin", "*");
        response.Headers.Set("Access-Control-Expose-Headers", "Location");
        if (context.Request.Method == RequestMethod.Options && context.Request.GetHeader("Access-Control-Request-Method") is not null)
        {
            // A preflight: say what the real request may use, without running it.
            response.StatusCode = context.AllowedMethods == 0 ? 404 : 204;
            response.Headers.Set("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE, OPTIONS");
            response.Headers.Set("Access-Control-Allow-Headers", context.Request.GetHeader("Access-Control-Request-Headers") is string asked && IsHeaderList(asked) ? asked : "Content-Type");
            response.Headers.Set("Access-Control-Max-Age", "600");
            return ValueTask.CompletedTask;
        }

        return next(context);
    }

    private static bool IsHeaderList(string value) =>
        value.Length < 512 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or ',' or ' ' or '_');

    private static ValueTask HomeAsync(HttpContext context, SiteOptions site, string template)
    {
        TimeSpan up = DateTimeOffset.UtcNow - site.StartedAt;
        var counters = site.Host.Counters;
        string page = template
            .Replace("{{address}}", WebUtility.HtmlEncode(site.Host.Stack.Options.Address.ToString()), StringComparison.Ordinal)
            .Replace("{{mac}}", WebUtility.HtmlEncode(site.Host.Stack.Options.Mac.ToString()), StringComparison.Ordinal)
            .Replace("{{uptime}}", $"{(int)up.TotalHours}h {up.Minutes}m {up.Seconds}s", StringComparison.Ordinal)
            .Replace("{{client}}", WebUtility.HtmlEncode(context.Request.RemoteEndPoint.ToString()), StringComparison.Ordinal)
            .Replace("{{local}}", WebUtility.HtmlEncode(context.Request.LocalEndPoint.ToString()), StringComparison.Ordinal)
            .Replace("{{tls}}", context.Request.IsHttps ? " over TLS" : string.Empty, StringComparison.Ordinal)
            .Replace("{{framesIn}}", counters.FramesReceived.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{{framesOut}}", counters.FramesTransmitted.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        context.Response.ContentType = "text/html; charset=utf-8";
        context.Response.Headers.Set("Cache-Control", "no-store");
        return context.Response.WriteAsync(page);
    }

    private static async ValueTask StatsAsync(HttpContext context, SiteOptions site)
    {
        byte[] json = await StatsReport.CreateAsync(site, context.Aborted).ConfigureAwait(false);
        context.Response.ContentType = "application/json";
        context.Response.Headers.Set("Cache-Control", "no-store");
        await context.Response.WriteAsync(json).ConfigureAwait(false);
    }

    /// <summary>n generated bytes, streamed from one 64 KiB block: any size, constant memory.</summary>
    private static async ValueTask BytesAsync(HttpContext context)
    {
        if (!TryParseCount(context.GetRouteValue("n")!, out long count))
        {
            await context.WriteTextAsync(400, "400 Bad Request: /bytes/{n} takes a byte count such as 1048576, 64k, 10m or 1g\n").ConfigureAwait(false);
            return;
        }

        HttpResponse response = context.Response;
        response.ContentType = "application/octet-stream";
        response.ContentLength = count;
        if (context.Request.Method == RequestMethod.Head)
        {
            return;
        }

        long left = count;
        while (left > 0)
        {
            int n = (int)Math.Min(left, s_pattern.Length);
            await response.WriteAsync(s_pattern.AsMemory(0, n), context.Aborted).ConfigureAwait(false);
            left -= n;
        }
    }

    /// <summary>The body back, streamed as it arrives (same length and type).</summary>
    private static async ValueTask EchoAsync(HttpContext context)
    {
        HttpRequest request = context.Request;
        HttpResponse response = context.Response;
        response.ContentType = request.GetHeader("Content-Type") ?? "application/octet-stream";
        if (request.ContentLength is long length)
        {
            response.ContentLength = length;
        }

        byte[] buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int n;
            while ((n = await request.Body.ReadAsync(buffer, context.Aborted).ConfigureAwait(false)) > 0)
            {
                await response.WriteAsync(buffer.AsMemory(0, n), context.Aborted).ConfigureAwait(false);
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Reads a body of any size as a stream; answers its length and SHA-256.</summary>
    private static async ValueTask DiscardAsync(HttpContext context)
    {
        using IncrementalHash sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        byte[] buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(64 * 1024);
        long total = 0;
        System.Diagnostics.Stopwatch watch = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            int n;
            while ((n = await context.Request.Body.ReadAsync(buffer, context.Aborted).ConfigureAwait(false)) > 0)
            {
                sha.AppendData(buffer, 0, n);
                total += n;
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }

        double seconds = watch.Elapsed.TotalSeconds;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(JsonSerializer.Serialize(
            new
            {
                bytes = total,
                sha256 = Convert.ToHexStringLower(sha.GetHashAndReset()),
                seconds = Math.Round(seconds, 3),
                megabitsPerSecond = seconds > 0 ? Math.Round(total * 8 / seconds / 1e6, 1) : 0,
            },
            s_json) + "\n").ConfigureAwait(false);
    }

    private static ValueTask SessionAsync(HttpContext context, SessionCounter sessions)
    {
        string? presented = SessionCounter.ReadCookie(context.Request.GetHeader("Cookie"), SessionCounter.CookieName);
        (string id, int visits, bool isNew) = sessions.Visit(presented);
        HttpResponse response = context.Response;
        if (isNew)
        {
            // HttpOnly: page script cannot read the id; Secure over TLS; SameSite=Lax against cross-site posts.
            response.Headers.Add("Set-Cookie", $"{SessionCounter.CookieName}={id}; Path=/; Max-Age=86400; HttpOnly; SameSite=Lax{(context.Request.IsHttps ? "; Secure" : string.Empty)}");
        }

        response.Headers.Set("Cache-Control", "no-store");
        response.ContentType = "text/html; charset=utf-8";
        string ordinal = visits.ToString(CultureInfo.InvariantCulture);
        return response.WriteAsync(
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>TinyStack session</title></head><body>"
            + $"<h1>Visit {ordinal}</h1><p>This is visit {ordinal} of your session{(isNew ? " (a new one: the server just set an HttpOnly cookie)" : string.Empty)}.</p>"
            + $"<p>Sessions known: {sessions.Count}.</p></body></html>\n");
    }

    private static byte[] CreatePattern(int size)
    {
        const string Alphabet = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ!";
        byte[] block = new byte[size];
        for (int i = 0; i < size; i++)
        {
            block[i] = i % PatternLine == PatternLine - 1 ? (byte)'\n' : (byte)Alphabet[i % PatternLine];
        }

        return block;
    }

    private static string ReadResource(string name)
    {
        using Stream stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"TinyStack.Http.Site.wwwroot.{name}")
            ?? throw new InvalidOperationException($"Embedded resource {name} is missing from TinyStack.Http.");
        using StreamReader reader = new(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
