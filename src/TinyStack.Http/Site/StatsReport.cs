using System.Net;
using System.Text.Json;
using TinyStack.Host;
using TinyStack.Tcp;

namespace TinyStack.Http.Site;

/// <summary>
/// The /stats document: interface and protocol counters and one entry per TCP connection. What
/// belongs to the stack is read on the stack thread (the stack is single-threaded by design), and
/// the JSON is written afterwards on the caller's thread.
/// </summary>
public static class StatsReport
{
    /// <summary>Reads the stack's state on its thread and returns the JSON document.</summary>
    public static async Task<byte[]> CreateAsync(SiteOptions site, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(site);
        StackSnapshot stack = await ReadOnStackThreadAsync(site.Host).WaitAsync(TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(false);
        Dictionary<IPEndPoint, HttpConnectionInfo> http = [];
        foreach (HttpServer server in site.Servers)
        {
            foreach (HttpConnectionInfo info in server.GetConnections())
            {
                http[info.RemoteEndPoint] = info;
            }
        }

        using MemoryStream output = new();
        using (Utf8JsonWriter json = new(output, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("server", "TinyStack");
            json.WriteString("address", stack.Address);
            json.WriteString("mac", stack.Mac);
            json.WriteNumber("mtu", stack.Mtu);
            json.WriteNumber("uptimeSeconds", Math.Round((DateTimeOffset.UtcNow - site.StartedAt).TotalSeconds, 1));

            StackHostCounters host = site.Host.Counters;
            json.WriteStartObject("host");
            json.WriteNumber("framesReceived", host.FramesReceived);
            json.WriteNumber("framesTransmitted", host.FramesTransmitted);
            json.WriteNumber("wakeups", host.Wakeups);
            json.WriteNumber("workItems", host.WorkItems);
            json.WriteNumber("allocatedBytes", host.AllocatedBytes);
            json.WriteString("continuations", site.Host.SocketContinuations == Host.Sockets.SocketContinuations.StackThread ? "stack" : "pool");
            json.WriteEndObject();

            json.WriteStartObject("interface");
            json.WriteNumber("totalDrops", stack.TotalDrops);
            foreach ((string name, long value) in stack.Counters)
            {
                json.WriteNumber(JsonName(name), value);
            }

            json.WriteEndObject();

            json.WriteStartObject("tcp");
            foreach ((string name, long value) in stack.Tcp)
            {
                json.WriteNumber(name, value);
            }

            json.WriteEndObject();

            json.WriteStartArray("http");
            foreach (HttpServer server in site.Servers)
            {
                HttpServerCounters c = server.Counters;
                json.WriteStartObject();
                json.WriteNumber("port", server.LocalEndPoint.Port);
                json.WriteBoolean("https", server.IsHttps);
                json.WriteNumber("connectionsAccepted", c.ConnectionsAccepted);
                json.WriteNumber("connectionsRefused", c.ConnectionsRefused);
                json.WriteNumber("connectionsActive", c.ConnectionsActive);
                json.WriteNumber("requests", c.Requests);
                json.WriteNumber("requestErrors", c.RequestErrors);
                json.WriteNumber("headerTimeouts", c.HeaderTimeouts);
                json.WriteNumber("idleTimeouts", c.IdleTimeouts);
                json.WriteNumber("handlerFailures", c.HandlerFailures);
                json.WriteNumber("tlsHandshakeFailures", c.TlsHandshakeFailures);
                json.WriteNumber("bytesReceived", c.BytesReceived);
                json.WriteNumber("bytesSent", c.BytesSent);
                json.WriteEndObject();
            }

            json.WriteEndArray();

            json.WriteStartArray("connections");
            foreach (ConnectionSnapshot connection in stack.Connections)
            {
                json.WriteStartObject();
                json.WriteString("local", connection.Local.ToString());
                json.WriteString("remote", connection.Remote.ToString());
                json.WriteString("state", connection.State);
                json.WriteNumber("cwnd", connection.Cwnd);
                json.WriteNumber("ssthresh", connection.Ssthresh);
                json.WriteNumber("srttMs", Math.Round(connection.SrttMs, 3));
                json.WriteNumber("rtoMs", Math.Round(connection.RtoMs, 1));
                json.WriteNumber("mss", connection.Mss);
                json.WriteNumber("sendWindow", connection.SendWindow);
                json.WriteNumber("sendBuffered", connection.SendBuffered);
                json.WriteNumber("receiveUnread", connection.Unread);
                json.WriteNumber("retransmits", connection.Retransmits);

                // Payload bytes: in = received in sequence, out = acknowledged by the peer (the
                // engine's 64-bit counters, exact past 4 GiB).
                json.WriteNumber("bytesIn", connection.BytesIn);
                json.WriteNumber("bytesOut", connection.BytesOut);
                if (http.TryGetValue(connection.Remote, out HttpConnectionInfo? info) && info.LocalEndPoint.Port == connection.Local.Port)
                {
                    json.WriteNumber("httpRequests", info.Requests);
                    json.WriteString("httpPhase", info.Phase);
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return output.ToArray();
    }

    private static Task<StackSnapshot> ReadOnStackThreadAsync(StackHost host)
    {
        TaskCompletionSource<StackSnapshot> done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        host.Post(stack =>
        {
            try
            {
                TcpStats tcp = stack.Tcp.Stats;
                List<ConnectionSnapshot> connections = [];
                foreach (TcpConnection c in stack.Tcp.Connections)
                {
                    TcpTuple t = c.Tuple;
                    connections.Add(new ConnectionSnapshot(
                        new IPEndPoint(ToIp(t.LocalAddress.Value), t.LocalPort),
                        new IPEndPoint(ToIp(t.RemoteAddress.Value), t.RemotePort),
                        c.State.ToString(),
                        c.Cwnd,
                        c.CongestionControl.Ssthresh,
                        c.Srtt.TotalMilliseconds,
                        c.Rto.TotalMilliseconds,
                        c.SendMss,
                        c.SndWnd,
                        c.BufferedSendBytes,
                        c.ReadableBytes,
                        c.Retransmits,
                        c.BytesReceived,
                        c.BytesAcked));
                }

                done.SetResult(new StackSnapshot(
                    stack.Options.Address.ToString(),
                    stack.Options.Mac.ToString(),
                    stack.Options.Mtu,
                    stack.Stats.TotalDrops,
                    stack.Stats.NonZeroCounters(),
                    [
                        ("segmentsReceived", tcp.SegmentsReceived),
                        ("segmentsSent", tcp.SegmentsSent),
                        ("segmentsRetransmitted", tcp.SegmentsRetransmitted),
                        ("retransmitTimeouts", tcp.RetransmitTimeouts),
                        ("fastRetransmits", tcp.FastRetransmits),
                        ("resetsSent", tcp.ResetsSent),
                        ("activeOpens", tcp.ActiveOpens),
                        ("passiveOpens", tcp.PassiveOpens),
                        ("attemptFails", tcp.AttemptFails),
                        ("establishedResets", tcp.EstablishedResets),
                        ("currentEstablished", tcp.CurrentEstablished),
                        ("currentTimeWait", tcp.CurrentTimeWait),
                        ("timeWaitOverflows", tcp.TimeWaitOverflows),
                        ("listenOverflows", tcp.ListenOverflows),
                        ("synCookiesSent", tcp.SynCookiesSent),
                        ("droppedSegments", tcp.DroppedTotal),
                        ("connections", stack.Tcp.ConnectionCount),
                    ],
                    connections));
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        });
        return done.Task;
    }

    /// <summary>Ipv4Address.Value holds a.b.c.d as a&lt;&lt;24 | b&lt;&lt;16 | c&lt;&lt;8 | d.</summary>
    private static IPAddress ToIp(uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return new IPAddress(bytes);
    }

    private static string JsonName(string counter) =>
        counter.StartsWith("drop.", StringComparison.Ordinal) ? "drop" + counter[5..] : char.ToLowerInvariant(counter[0]) + counter[1..];

    private sealed record StackSnapshot(string Address, string Mac, int Mtu, long TotalDrops, IReadOnlyList<(string Name, long Value)> Counters, IReadOnlyList<(string Name, long Value)> Tcp, List<ConnectionSnapshot> Connections);

    private sealed record ConnectionSnapshot(IPEndPoint Local, IPEndPoint Remote, string State, uint Cwnd, uint Ssthresh, double SrttMs, double RtoMs, int Mss, uint SendWindow, int SendBuffered, int Unread, int Retransmits, long BytesIn, long BytesOut);
}
