using System.Globalization;

namespace TinyStack.Http.Site;

/// <summary>
/// Serves the files of one directory, with content types and conditional GET
/// (Last-Modified / If-Modified-Since → 304, RFC 9110 §13.1.3). Nothing outside the directory can
/// be reached: "." and ".." segments (also percent-encoded: the path is decoded before it is
/// checked), backslashes, NULs and encoded slashes are refused with 404, and a symbolic link
/// that leads out of the directory is refused with 403.
/// </summary>
public sealed class StaticFiles
{
    private readonly string _root;

    public StaticFiles(string root)
    {
        ArgumentNullException.ThrowIfNull(root);
        DirectoryInfo directory = new(Path.GetFullPath(root));
        if (!directory.Exists)
        {
            throw new DirectoryNotFoundException($"--www {root}: no such directory.");
        }

        // Compare against the real location, in case the root itself is reached through a link.
        _root = Path.TrimEndingDirectorySeparator((directory.ResolveLinkTarget(returnFinalTarget: true) as DirectoryInfo)?.FullName ?? directory.FullName);
    }

    public string Root => _root;

    /// <summary>Serves <paramref name="relativePath"/> (decoded, without the leading '/').</summary>
    public async ValueTask ServeAsync(HttpContext context, string relativePath)
    {
        (int status, string? file) = Resolve(relativePath);
        if (file is null)
        {
            await context.WriteTextAsync(status, status == 403 ? "403 Forbidden: outside the served directory\n" : $"404 Not Found: {context.Request.Path}\n").ConfigureAwait(false);
            return;
        }

        FileInfo info = new(file);
        DateTimeOffset modified = TruncateToSeconds(info.LastWriteTimeUtc);
        HttpResponse response = context.Response;
        response.Headers.Set("Last-Modified", modified.ToString("r", CultureInfo.InvariantCulture));
        if (context.Request.GetHeader("If-Modified-Since") is string since
            && DateTimeOffset.TryParseExact(since, "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset sinceDate)
            && modified <= sinceDate)
        {
            response.StatusCode = 304;
            return;
        }

        response.ContentType = ContentTypes.For(file);
        response.ContentLength = info.Length;
        if (context.Request.Method == RequestMethod.Head)
        {
            return;
        }

        await using FileStream stream = new(file, new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.Read, Share = FileShare.ReadWrite, Options = FileOptions.Asynchronous | FileOptions.SequentialScan, BufferSize = 0 });
        byte[] buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            long left = info.Length;
            int n;
            while (left > 0 && (n = await stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, left)), context.Aborted).ConfigureAwait(false)) > 0)
            {
                await response.WriteAsync(buffer.AsMemory(0, n), context.Aborted).ConfigureAwait(false);
                left -= n;
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The file to serve (directories serve their index.html), or the status that refuses the path.</summary>
    public (int Status, string? File) Resolve(string relativePath)
    {
        if (relativePath.Contains('\\') || relativePath.Contains('\0') || relativePath.Contains("%2F", StringComparison.OrdinalIgnoreCase)
            || relativePath.StartsWith('/'))
        {
            return (404, null);
        }

        string[] segments = relativePath.Split('/');
        foreach (string segment in segments)
        {
            if (segment is "." or "..")
            {
                return (404, null);
            }
        }

        string candidate = Path.GetFullPath(Path.Combine(_root, relativePath));
        if (candidate != _root && !candidate.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            return (404, null);
        }

        // Every step of the way must stay inside the root once symbolic links are followed.
        string current = _root;
        foreach (string segment in segments)
        {
            if (segment.Length == 0)
            {
                continue;
            }

            current = Path.Combine(current, segment);
            FileSystemInfo step = Directory.Exists(current) ? new DirectoryInfo(current) : new FileInfo(current);
            if (!step.Exists)
            {
                return (404, null);
            }

            if (step.LinkTarget is not null)
            {
                FileSystemInfo? target = step.ResolveLinkTarget(returnFinalTarget: true);
                if (target is null || !target.Exists || !IsInside(target.FullName))
                {
                    return (403, null);
                }
            }
        }

        if (Directory.Exists(candidate))
        {
            string index = Path.Combine(candidate, "index.html");
            FileInfo indexInfo = new(index);
            if (!indexInfo.Exists)
            {
                return (404, null);
            }

            if (indexInfo.LinkTarget is not null)
            {
                FileSystemInfo? target = indexInfo.ResolveLinkTarget(returnFinalTarget: true);
                if (target is null || !target.Exists || !IsInside(target.FullName))
                {
                    return (403, null);
                }
            }

            return (200, FinalTarget(index));
        }

        return File.Exists(candidate) ? (200, FinalTarget(candidate)) : (404, null);
    }

    /// <summary>The file a link leads to (checked to be inside above): its length and date are the ones to serve.</summary>
    private static string FinalTarget(string file) => new FileInfo(file).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? file;

    private bool IsInside(string path)
    {
        string full = Path.GetFullPath(path);
        return full == _root || full.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal);
    }

    private static DateTimeOffset TruncateToSeconds(DateTime utc) =>
        new(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
}
