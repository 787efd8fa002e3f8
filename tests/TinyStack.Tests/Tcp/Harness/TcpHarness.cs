using TinyStack.Tcp;
using TinyStack.Time;
using TinyStack.Wire;

namespace TinyStack.Tests.Tcp.Harness;

/// <summary>
/// Drives one <see cref="TcpLayer"/> as smoltcp's socket tests do: the test plays the remote peer,
/// <see cref="Send"/>s it exact segments and <see cref="Expect"/>s the exact segments it answers
/// with (flags, seq, ack, window, options, payload), in virtual time.
/// </summary>
internal sealed class TcpHarness : ITcpTransmitter
{
    public const ushort LocalPort = 80;
    public const ushort RemotePort = 49500;
    public const uint RemoteIss = 1000;

    public static readonly Ipv4Address LocalIp = new(10, 0, 0, 2);
    public static readonly Ipv4Address RemoteIp = new(10, 0, 0, 1);

    private readonly Queue<Emitted> _emitted = new();
    private byte[] _buffer = new byte[65536];
    private int _length;
    private Ipv4Address _source;
    private Ipv4Address _destination;

    public TcpHarness(TcpSettings? settings = null, ulong seed = 42)
    {
        Settings = settings ?? DefaultSettings();
        Layer = new TcpLayer(this, LocalIp, Settings, seed);
    }

    /// <summary>Plain settings that make segments easy to predict: no timestamps, SACK or scaling; 32 KiB receive window.</summary>
    public static TcpSettings DefaultSettings() => new()
    {
        Timestamps = false,
        Sack = false,
        WindowScaling = false,
        ReceiveBufferSize = 32 * 1024,
        SendBufferSize = 64 * 1024,
        InitialBufferSize = 4096,
    };

    public TcpSettings Settings { get; }

    public TcpLayer Layer { get; }

    public TcpStats Stats => Layer.Stats;

    public Instant Now { get; set; } = Instant.FromMilliseconds(10_000);

    public int Mtu { get; set; } = 1500;

    /// <summary>When true, BeginSegment returns an empty span (the IP layer cannot send).</summary>
    public bool Blocked { get; set; }

    /// <summary>Our ISS, learned from the first SYN or SYN-ACK the layer sent.</summary>
    public uint Iss { get; private set; }

    public int PendingCount => _emitted.Count;

    /// <summary>Our receive window as the plain settings advertise it.</summary>
    public ushort Window => (ushort)Math.Min(Settings.ReceiveBufferSize, ushort.MaxValue);

    /// <summary>The MSS our segments carry at MTU 1500.</summary>
    public const int Mss = 1460;

    /// <summary>The layer's port in the connection under test (80 for passive opens).</summary>
    public ushort OurPort { get; set; } = LocalPort;

    /// <summary>The test peer's port (49500 for passive opens).</summary>
    public ushort TheirPort { get; set; } = RemotePort;

    public Span<byte> BeginSegment(Ipv4Address source, Ipv4Address destination, int tcpLength)
    {
        if (Blocked)
        {
            return default;
        }

        if (_buffer.Length < tcpLength)
        {
            _buffer = new byte[tcpLength];
        }

        _source = source;
        _destination = destination;
        _length = tcpLength;
        return _buffer.AsSpan(0, tcpLength);
    }

    public void CommitSegment(in TxNote note)
    {
        ReadOnlySpan<byte> bytes = _buffer.AsSpan(0, _length);
        Assert.True(TcpSegment.TryCreate(bytes, out TcpSegment segment), "emitted segment does not parse");
        Assert.True(segment.IsChecksumValid(_source, _destination), "emitted segment has a bad checksum");
        Assert.True(segment.TryToHeader(out TcpHeader header), "emitted segment has malformed options");
        var emitted = new Emitted(_source, _destination, header, segment.Payload.ToArray(), note);
        if ((header.Flags & TcpFlags.Syn) != 0 && Iss == 0)
        {
            Iss = header.SequenceNumber.Value;
        }

        _emitted.Enqueue(emitted);
    }

    public int PathMtu(Ipv4Address destination) => Mtu;

    /// <summary>The remote peer sends a segment to us.</summary>
    public DropReason Send(TcpFlags flags, uint seq, uint ack = 0, ushort window = 65535, TcpOptions options = default, byte[]? payload = null)
    {
        var header = new TcpHeader(TheirPort, OurPort, new SeqNumber(seq), new SeqNumber(ack), flags, window, options);
        return SendRaw(Build(header, payload ?? []));
    }

    public DropReason SendRaw(byte[] segment) => Layer.HandleSegment(RemoteIp, LocalIp, segment, Now);

    public static byte[] Build(TcpHeader header, ReadOnlySpan<byte> payload, Ipv4Address? source = null, Ipv4Address? destination = null)
    {
        byte[] bytes = new byte[header.Length + payload.Length];
        payload.CopyTo(bytes.AsSpan(header.Length));
        header.WriteTo(bytes, source ?? RemoteIp, destination ?? LocalIp);
        return bytes;
    }

    /// <summary>Runs due timers and output at <see cref="Now"/>.</summary>
    public void Poll()
    {
        if (Layer.NextDeadline <= Now)
        {
            Layer.Poll(Now);
        }
    }

    /// <summary>Moves time forward to <paramref name="until"/>, running every deadline on the way at its own time.</summary>
    public void AdvanceTo(Instant until)
    {
        while (true)
        {
            Instant next = Layer.NextDeadline;
            if (next > until)
            {
                break;
            }

            Now = Instant.Max(Now, next);
            Layer.Poll(Now);
        }

        Now = until;
    }

    public void Advance(Duration duration) => AdvanceTo(Now + duration);

    /// <summary>Takes the next emitted segment (polling first if nothing is queued).</summary>
    public Emitted Next()
    {
        if (_emitted.Count == 0)
        {
            Poll();
        }

        Assert.True(_emitted.Count > 0, "expected a segment but the layer sent nothing");
        return _emitted.Dequeue();
    }

    /// <summary>The next emitted segment must be exactly this (ports are ours to theirs).</summary>
    public Emitted Expect(TcpFlags flags, uint seq, uint ack = 0, ushort? window = null, TcpOptions options = default, byte[]? payload = null, TxReason? reason = null)
    {
        Emitted actual = Next();
        var expected = new TcpHeader(OurPort, TheirPort, new SeqNumber(seq), new SeqNumber(ack), flags, window ?? Window, options);
        Assert.Equal(expected, actual.Header);
        Assert.Equal(payload ?? [], actual.Payload);
        if (reason is TxReason r)
        {
            Assert.Equal(r, actual.Note.Reason);
        }

        return actual;
    }

    /// <summary>Nothing is sent now.</summary>
    public void ExpectNothing()
    {
        Poll();
        Assert.True(_emitted.Count == 0, $"expected nothing but the layer sent {(_emitted.Count > 0 ? _emitted.Peek().ToString() : "")}");
    }

    /// <summary>Nothing is sent from now until <paramref name="at"/> (timers run on the way).</summary>
    public void ExpectNothing(Instant at)
    {
        ExpectNothing();
        AdvanceTo(at);
        Assert.True(_emitted.Count == 0, $"expected nothing until {at} but the layer sent {(_emitted.Count > 0 ? _emitted.Peek().ToString() : "")}");
    }

    public void Clear() => _emitted.Clear();

    // ---- Connection setup helpers -------------------------------------------------------

    /// <summary>Opens a listener and takes it through SYN and SYN-ACK: a connection in SYN-RECEIVED.</summary>
    public TcpListener ListenAndReceiveSyn(TcpOptions synOptions = default, ushort peerWindow = 65535)
    {
        TcpListener listener = Layer.Listen(LocalPort, backlog: 8);
        Assert.Equal(DropReason.Accepted, Send(TcpFlags.Syn, RemoteIss, window: peerWindow, options: synOptions.IsEmpty ? new TcpOptions { Mss = 1460 } : synOptions));
        Emitted synAck = Next();
        Assert.Equal(TcpFlags.Syn | TcpFlags.Ack, synAck.Flags);
        Assert.Equal(RemoteIss + 1, synAck.Ack);
        return listener;
    }

    /// <summary>
    /// A passively opened connection in ESTABLISHED, accepted, with a recording observer. The
    /// peer's SYN and final ACK offer <paramref name="peerWindow"/> (a peer that wants a small
    /// window offers it from the start: receivers do not shrink windows, RFC 9293 §3.8.6.2.2).
    /// </summary>
    public TcpConnection EstablishPassive(out RecordingObserver observer, TcpOptions synOptions = default, ushort peerWindow = 65535)
    {
        TcpListener listener = ListenAndReceiveSyn(synOptions, peerWindow);
        Assert.Equal(DropReason.Accepted, Send(TcpFlags.Ack, RemoteIss + 1, Iss + 1, window: peerWindow));
        TcpConnection? connection = listener.Accept();
        Assert.NotNull(connection);
        Assert.Equal(TcpState.Established, connection.State);
        observer = new RecordingObserver();
        connection.Observer = observer;
        Poll();
        observer.Events.Clear();
        ExpectNothing();
        return connection;
    }

    public TcpConnection EstablishPassive() => EstablishPassive(out _);

    /// <summary>An actively opened connection in ESTABLISHED (SYN, SYN-ACK, ACK).</summary>
    public TcpConnection EstablishActive(out RecordingObserver observer, TcpOptions synAckOptions = default)
    {
        TcpConnection connection = Connect(out observer);
        Emitted syn = Next();
        Assert.Equal(TcpFlags.Syn, syn.Flags);
        Send(TcpFlags.Syn | TcpFlags.Ack, RemoteIss, Iss + 1, options: synAckOptions.IsEmpty ? new TcpOptions { Mss = 1460 } : synAckOptions);
        Assert.Equal(TcpState.Established, connection.State);
        Expect(TcpFlags.Ack, Iss + 1, RemoteIss + 1);
        Poll();
        observer.Events.Clear();
        return connection;
    }

    public TcpConnection EstablishActive() => EstablishActive(out _);

    /// <summary>Connect from our port 50000 to the peer's port 80 (the SYN is queued for Expect).</summary>
    public TcpConnection Connect(out RecordingObserver observer)
    {
        OurPort = ActiveLocalPort;
        TheirPort = LocalPort;
        TcpConnection connection = Layer.Connect(RemoteIp, LocalPort, Now, localPort: ActiveLocalPort);
        Iss = connection.Iss.Value;
        observer = new RecordingObserver();
        connection.Observer = observer;
        return connection;
    }

    /// <summary>Our port in actively opened test connections.</summary>
    public const ushort ActiveLocalPort = 50000;

    public static byte[] Bytes(int count, int seed = 0)
    {
        byte[] data = new byte[count];
        for (int i = 0; i < count; i++)
        {
            data[i] = (byte)((i * 31) + seed);
        }

        return data;
    }
}
