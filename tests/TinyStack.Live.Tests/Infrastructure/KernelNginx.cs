using System.Diagnostics;
using System.Globalization;

namespace TinyStack.Live.Tests.Infrastructure;

/// <summary>
/// nginx on the kernel's TCP stack inside a lab namespace, as the yardstick for TinyStack's HTTP
/// server: one worker, listening on 127.0.0.1 of the lab (so nothing outside the namespace can
/// reach it), serving one directory. Everything it writes (config, pid file, logs, temp files)
/// lives in its own temp directory; it runs in the foreground (no daemon) and is stopped with
/// SIGTERM on dispose.
/// </summary>
public sealed class KernelNginx : IDisposable
{
    private readonly Process _process;
    private readonly string _directory;
    private bool _disposed;

    private KernelNginx(Process process, string directory, int port)
    {
        _process = process;
        _directory = directory;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The directory nginx serves; put the files there before fetching them.</summary>
    public string Root => Path.Combine(_directory, "www");

    /// <summary>The URL of <paramref name="path"/> as seen from inside the lab.</summary>
    public string Url(string path) => string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{Port}{path}");

    /// <summary>Starts nginx in <paramref name="lab"/> and waits until it answers on its port.</summary>
    public static KernelNginx Start(Lab lab, int port = 8080)
    {
        ArgumentNullException.ThrowIfNull(lab);
        string nginx = new[] { "/usr/sbin/nginx", "/usr/bin/nginx" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("nginx is not installed: install the Debian package nginx (scripts/test.sh does, from TS_APT_PACKAGES).");
        string directory = Directory.CreateTempSubdirectory("ts-nginx-").FullName;

        // The worker runs as an unprivileged user: it must be able to enter the directory.
        Shell.Run("chmod", ["755", directory], TimeSpan.FromSeconds(10));
        Directory.CreateDirectory(Path.Combine(directory, "www"));
        string config = Path.Combine(directory, "nginx.conf");
        File.WriteAllText(config, string.Create(CultureInfo.InvariantCulture, $$"""
            daemon off;
            master_process on;
            worker_processes 1;
            pid {{directory}}/nginx.pid;
            error_log {{directory}}/error.log warn;
            events { worker_connections 4096; }
            http {
              access_log off;
              client_body_temp_path {{directory}}/client_body;
              proxy_temp_path {{directory}}/proxy;
              fastcgi_temp_path {{directory}}/fastcgi;
              uwsgi_temp_path {{directory}}/uwsgi;
              scgi_temp_path {{directory}}/scgi;
              types { text/html html; }
              keepalive_requests 1000000;
              server {
                listen 127.0.0.1:{{port}};
                root {{directory}}/www;
              }
            }
            """));

        ProcessStartInfo info = new("ip")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in (string[])["netns", "exec", lab.Name, nginx, "-p", directory, "-c", config, "-e", Path.Combine(directory, "error.log")])
        {
            info.ArgumentList.Add(arg);
        }

        Process process = Process.Start(info) ?? throw new InvalidOperationException("could not start nginx");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        KernelNginx server = new(process, directory, port);
        try
        {
            server.WaitUntilListening(lab);
        }
        catch
        {
            server.Dispose();
            throw;
        }

        return server;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (!_process.HasExited)
        {
            // `ip netns exec` execs nginx, so this PID is nginx's master: SIGTERM stops it and its worker.
            Shell.Run("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(10));
            if (!_process.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        _process.WaitForExit();
        _process.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private void WaitUntilListening(Lab lab)
    {
        Stopwatch watch = Stopwatch.StartNew();
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"nginx exited with {_process.ExitCode}: {ErrorLog()}");
            }

            ProcessResult probe = lab.Exec(TimeSpan.FromSeconds(10), "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", Url("/"));
            if (probe.Stdout.Trim() is { Length: 3 } code && code != "000")
            {
                return;
            }

            if (watch.Elapsed > TimeSpan.FromSeconds(15))
            {
                throw new TimeoutException($"nginx did not answer on {Url("/")} within 15 s: {ErrorLog()}");
            }

            Thread.Sleep(100);
        }
    }

    private string ErrorLog()
    {
        string log = Path.Combine(_directory, "error.log");
        return File.Exists(log) ? File.ReadAllText(log) : "(no error log)";
    }
}
