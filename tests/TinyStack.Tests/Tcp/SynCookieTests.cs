using TinyStack.Tcp;
using TinyStack.Tests.Tcp.Harness;
using TinyStack.Time;
using TinyStack.Wire;
using static TinyStack.Tests.Tcp.Harness.TcpHarness;

namespace TinyStack.Tests.Tcp;

/// <summary>SYN cookies when the SYN queue is full (RFC 4987 §3.6).</summary>
public class SynCookieTests
{
    private static readonly TcpOptions s_mss = new() { Mss = 1460 };

    /// <summary>A listener with backlog 1 whose SYN queue is already full (one half-open connection).</summary>
    private static TcpListener FullSynQueue(TcpHarness h)
    {
        TcpListener listener = h.Layer.Listen(LocalPort, backlog: 1);
        h.TheirPort = 40000;
        h.Send(TcpFlags.Syn, RemoteIss, options: s_mss);
        h.Next();
        Assert.Equal(1, listener.SynQueueLength);
        h.TheirPort = RemotePort;
        return listener;
    }

    [Fact]
    public void A_full_syn_queue_answers_with_a_stateless_cookie()
    {
        var h = new TcpHarness();
        TcpListener listener = FullSynQueue(h);
        Assert.Equal(DropReason.Accepted, h.Send(TcpFlags.Syn, RemoteIss, options: s_mss));
        Emitted synAck = h.Next();
        Assert.Equal(TcpFlags.Syn | TcpFlags.Ack, synAck.Flags);
        Assert.Equal(RemoteIss + 1, synAck.Ack);
        Assert.Equal(s_mss, synAck.Options);
        Assert.Equal(1, h.Stats.SynCookiesSent);
        Assert.Equal(1, h.Layer.ConnectionCount);
        Assert.Equal(1, listener.SynQueueLength);
    }

    [Fact]
    public void The_final_ack_rebuilds_the_connection_from_the_cookie()
    {
        var h = new TcpHarness();
        TcpListener listener = FullSynQueue(h);
        h.Send(TcpFlags.Syn, RemoteIss, options: new TcpOptions { Mss = 1400 });
        uint cookie = h.Next().Seq;
        h.Advance(Duration.FromSeconds(30));

        // (The half-open connection has been retransmitting its SYN-ACK meanwhile.)
        h.Clear();

        h.Send(TcpFlags.Ack | TcpFlags.Psh, RemoteIss + 1, cookie + 1, window: 2000, payload: Bytes(20));
        TcpConnection? c = listener.Accept();
        Assert.NotNull(c);
        Assert.Equal(TcpState.Established, c.State);
        Assert.Equal(20, c.ReadableBytes);
        Assert.Equal(2000u, c.SndWnd);

        // The cookie remembered MSS 1400 (a table value not above the peer's).
        Assert.Equal(1400, c.SendMss);
        Assert.Equal(1, h.Stats.SynCookiesReceived);

        c.Send(Bytes(5));
        h.Expect(TcpFlags.Ack | TcpFlags.Psh, cookie + 1, RemoteIss + 21, window: 32768 - 20, payload: Bytes(5));
    }

    [Fact]
    public void A_forged_or_expired_cookie_is_refused_with_a_reset()
    {
        var h = new TcpHarness();
        FullSynQueue(h);
        h.Send(TcpFlags.Syn, RemoteIss, options: s_mss);
        uint cookie = h.Next().Seq;

        Assert.Equal(DropReason.TcpNoConnection, h.Send(TcpFlags.Ack, RemoteIss + 1, cookie + 2));
        h.Expect(TcpFlags.Rst, cookie + 2, window: 0);
        Assert.Equal(1, h.Stats.SynCookiesFailed);

        // Another peer ISN does not match the MAC either.
        h.Send(TcpFlags.Ack, RemoteIss + 2, cookie + 1);
        h.Expect(TcpFlags.Rst, cookie + 1, window: 0);

        // Two periods of 64 s later the cookie has expired (a fresh cookie for another peer keeps
        // the listener checking cookies at all).
        h.Advance(Duration.FromSeconds(200));
        h.Clear();
        // (The first half-open connection gave up meanwhile, so the queue must fill again.)
        h.TheirPort = 40001;
        h.Send(TcpFlags.Syn, RemoteIss, options: s_mss);
        h.TheirPort = 40002;
        h.Send(TcpFlags.Syn, RemoteIss, options: s_mss);
        Assert.Equal(2, h.Stats.SynCookiesSent);
        h.Clear();
        h.TheirPort = RemotePort;
        h.Send(TcpFlags.Ack, RemoteIss + 1, cookie + 1);
        h.Expect(TcpFlags.Rst, cookie + 1, window: 0);
        Assert.Equal(3, h.Stats.SynCookiesFailed);
    }

    [Fact]
    public void With_timestamps_the_cookie_also_keeps_window_scale_and_sack()
    {
        var h = new TcpHarness(new TcpSettings { ReceiveBufferSize = 256 * 1024 });
        TcpListener listener = FullSynQueue(h);
        h.Send(TcpFlags.Syn, RemoteIss, options: new TcpOptions { Mss = 1460, WindowScale = 7, SackPermitted = true, Timestamps = new TcpTimestamps(1234, 0) });
        Emitted synAck = h.Next();
        Assert.Equal((byte)3, synAck.Options.WindowScale);
        Assert.True(synAck.Options.SackPermitted);
        uint tsVal = synAck.Options.Timestamps!.Value.TsVal;
        Assert.Equal(1234u, synAck.Options.Timestamps!.Value.TsEcr);

        h.Send(TcpFlags.Ack, RemoteIss + 1, synAck.Seq + 1, window: 100, options: new TcpOptions { Timestamps = new TcpTimestamps(1235, tsVal) });
        TcpConnection c = listener.Accept()!;
        Assert.True(c.TimestampsEnabled);
        Assert.True(c.SackEnabled);
        Assert.Equal((7, 3), c.WindowShifts);
        Assert.Equal(12_800u, c.SndWnd);
    }

    [Fact]
    public void Without_timestamps_the_cookie_offers_no_options_it_cannot_remember()
    {
        var h = new TcpHarness(new TcpSettings { ReceiveBufferSize = 256 * 1024 });
        FullSynQueue(h);
        h.Send(TcpFlags.Syn, RemoteIss, options: new TcpOptions { Mss = 1460, WindowScale = 7, SackPermitted = true });
        Assert.Equal(s_mss, h.Next().Options);
    }

    [Fact]
    public void Cookie_encoding_round_trips_and_binds_the_tuple()
    {
        var secrets = new TcpSecrets(99);
        var tuple = new TcpTuple(LocalIp, 80, RemoteIp, 5555);
        Instant now = Instant.FromMilliseconds(1_000_000);
        uint cookie = SynCookies.Encode(secrets, tuple, new SeqNumber(777), SynCookies.MssIndex(1460), now);
        Assert.True(SynCookies.TryDecode(secrets, tuple, cookie, new SeqNumber(777), now + Duration.FromSeconds(100), out int mss));
        Assert.Equal(1460, mss);
        Assert.False(SynCookies.TryDecode(secrets, tuple with { RemotePort = 5556 }, cookie, new SeqNumber(777), now, out _));
        Assert.False(SynCookies.TryDecode(new TcpSecrets(100), tuple, cookie, new SeqNumber(777), now, out _));
        Assert.Equal(0, SynCookies.MssIndex(100));
        Assert.Equal(536, SynCookies.TryDecode(secrets, tuple, SynCookies.Encode(secrets, tuple, default, 0, now), default, now, out int small) ? small : -1);

        uint ts = SynCookies.EncodeTimestamp(100_000, 7, sackPermitted: true);
        Assert.True(ts <= 100_000);
        SynCookies.DecodeTimestamp(ts, out int? shift, out bool sack);
        Assert.Equal(7, shift);
        Assert.True(sack);
        SynCookies.DecodeTimestamp(SynCookies.EncodeTimestamp(100_000, null, false), out shift, out sack);
        Assert.Null(shift);
        Assert.False(sack);
    }
}
