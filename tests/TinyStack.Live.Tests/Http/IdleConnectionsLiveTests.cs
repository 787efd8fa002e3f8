using System.Globalization;
using System.Text.RegularExpressions;
using TinyStack.Live.Tests.Infrastructure;
using Xunit.Abstractions;

namespace TinyStack.Live.Tests.Http;

/// <summary>
/// Ten thousand kept-alive connections from the kernel, each after one request, held idle: every
/// one is served, the server keeps them all open (no buffers held while idle), and the memory
/// they cost the TinyStack process is reported.
/// </summary>
[Collection(LiveCollection.Name)]
public sealed partial class IdleConnectionsLiveTests(ITestOutputHelper output)
{
    private const int Connections = 10_000;

    [Fact]
    public async Task Ten_thousand_idle_keep_alive_connections_are_held()
    {
        using Lab lab = new();
        StackProcess stack = lab.StartStack(extraArgs: ["--no-services"]);
        long before = StackRssKilobytes(lab);
        string script = $$"""
            import socket, time, resource, re
            soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
            want = 30000 if hard == resource.RLIM_INFINITY else min(hard, 30000)
            resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
            conns = []
            start = time.time()
            for i in range({{Connections}}):
                s = socket.create_connection(("10.0.0.2", 80), timeout=30)
                s.sendall(b"GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n")
                conns.append(s)
            ok = 0
            for s in conns:
                data = b""
                while b"</html>" not in data:
                    data += s.recv(65536)
                ok += data.startswith(b"HTTP/1.1 200 OK")
            print("served %d of %d in %.1f s" % (ok, len(conns), time.time() - start), flush=True)
            time.sleep(2)
            s = socket.create_connection(("10.0.0.2", 80), timeout=30)
            s.sendall(b"GET /stats HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            d = b""
            while True:
                c = s.recv(65536)
                if not c:
                    break
                d += c
            print(re.search(rb'"connectionsActive": \d+', d).group(0).decode())
            print(re.search(rb'"retransmitTimeouts": \d+', d).group(0).decode())
            print("HOLDING", flush=True)
            time.sleep(3)
            """;
        string file = Path.Combine(Path.GetTempPath(), $"ts-idle-{Environment.ProcessId}.py");
        File.WriteAllText(file, script);
        try
        {
            long during = 0;
            Task<ProcessResult> clients = Task.Run(() => lab.Exec(TimeSpan.FromMinutes(3), "/usr/bin/python3", file));
            System.Diagnostics.Stopwatch watch = System.Diagnostics.Stopwatch.StartNew();
            while (!clients.IsCompleted && watch.Elapsed < TimeSpan.FromMinutes(3))
            {
                during = Math.Max(during, StackRssKilobytes(lab));
                await Task.Delay(500);
            }

            ProcessResult result = await clients;
            output.WriteLine(result.ToString());
            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.Contains($"served {Connections} of {Connections}", result.Stdout);
            int active = int.Parse(Active().Match(result.Stdout).Groups[1].Value, CultureInfo.InvariantCulture);
            Assert.True(active > Connections, $"only {active} connections active");
            string seconds = Served().Match(result.Stdout).Groups[1].Value;
            double perConnection = (during - before) * 1024.0 / Connections;
            Figures.Record(string.Create(CultureInfo.InvariantCulture, $"HTTP {Connections} kept-alive idle connections: opened and served in {seconds} s, TinyStack RSS {before / 1024} -> {during / 1024} MiB (~{perConnection / 1024:0.0} KiB per connection), {Rto().Match(result.Stdout).Groups[1].Value} RTOs while opening"));

            // The client's exit closed all of them at once: 10,000 FINs in a burst into the TAP.
            // Stopping the stack (SIGTERM) right away must still let every close finish: no
            // connection may be left with an unacknowledged FIN (FIN-WAIT-1, CLOSING, LAST-ACK).
            string summary = stack.Stop();
            output.WriteLine(summary);
            string states = summary.Split('\n').Single(l => l.Contains("tcp connections:", StringComparison.Ordinal)).Trim();
            Assert.DoesNotContain("FIN-WAIT-1", states);
            Assert.DoesNotContain("CLOSING", states);
            Assert.DoesNotContain("LAST-ACK", states);
            Match timeouts = SummaryRto().Match(summary);
            ProcessResult tap = lab.Exec(TimeSpan.FromSeconds(10), "cat", "/sys/class/net/tap0/statistics/tx_dropped");
            Figures.Record(string.Create(CultureInfo.InvariantCulture, $"HTTP {Connections} idle connections closed by the client at once, then SIGTERM: {(timeouts.Success ? timeouts.Groups[1].Value : "0")} RTOs in all, {tap.Stdout.Trim()} frames to TinyStack dropped by the TAP queue; at exit {states}"));
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>Resident memory of the tinystack process of the lab (the only dotnet process in it).</summary>
    private static long StackRssKilobytes(Lab lab)
    {
        ProcessResult pids = Shell.Run("ip", ["netns", "pids", lab.Name], TimeSpan.FromSeconds(10));
        long largest = 0;
        foreach (string pid in pids.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            try
            {
                string? line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
                string cmd = File.ReadAllText($"/proc/{pid}/cmdline");
                if (line is not null && cmd.Contains("TinyStack.Cli", StringComparison.Ordinal))
                {
                    largest = Math.Max(largest, long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture));
                }
            }
            catch (IOException)
            {
                // The process ended between listing and reading.
            }
        }

        return largest;
    }

    [GeneratedRegex(@"connectionsActive"": (\d+)")]
    private static partial Regex Active();

    [GeneratedRegex(@"served \d+ of \d+ in ([\d.]+) s")]
    private static partial Regex Served();

    [GeneratedRegex(@"retransmitTimeouts"": (\d+)")]
    private static partial Regex Rto();

    [GeneratedRegex(@"tcp\.RetransmitTimeouts\s+(\d+)")]
    private static partial Regex SummaryRto();
}
