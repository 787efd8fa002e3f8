using TinyStack.Tcp;
using TinyStack.Tests.Tcp.Harness;
using TinyStack.Time;
using TinyStack.Wire;
using static TinyStack.Tests.Tcp.Harness.TcpHarness;

namespace TinyStack.Tests.Tcp;

/// <summary>Timestamps (RFC 7323 §3, §4) and PAWS (§5).</summary>
public class PawsTests
{
    private static TcpOptions Ts(uint val, uint ecr = 0) => new() { Timestamps = new TcpTimestamps(val, ecr) };

    private static TcpConnection Establish(TcpHarness h, out uint ourTsVal)
    {
        TcpListener listener = h.Layer.Listen(LocalPort);
        h.Send(TcpFlags.Syn, RemoteIss, options: new TcpOptions { Mss = 1460, Timestamps = new TcpTimestamps(100, 0) });
        Emitted synAck = h.Next();
        ourTsVal = synAck.Options.Timestamps!.Value.TsVal;
        Assert.Equal(100u, synAck.Options.Timestamps!.Value.TsEcr);
        h.Send(TcpFlags.Ack, RemoteIss + 1, h.Iss + 1, options: Ts(101, ourTsVal));
        return listener.Accept()!;
    }

    private static TcpHarness Create() => new(new TcpSettings { Sack = false, WindowScaling = false, ReceiveBufferSize = 32 * 1024 });

    [Fact]
    public void Every_segment_carries_our_clock_and_echoes_ts_recent()
    {
        TcpHarness h = Create();
        TcpConnection c = Establish(h, out uint synTs);
        Assert.True(c.TimestampsEnabled);

        // Full-sized segments make room for the 12-byte option.
        Assert.Equal(1448, c.SendMss - 12);
        h.Advance(Duration.FromMilliseconds(1000));
        c.Send(Bytes(10));
        Emitted data = h.Next();
        Assert.Equal(synTs + 1000, data.Options.Timestamps!.Value.TsVal);
        Assert.Equal(101u, data.Options.Timestamps!.Value.TsEcr);
    }

    [Fact]
    public void An_old_timestamp_is_rejected_and_acknowledged()
    {
        TcpHarness h = Create();
        TcpConnection c = Establish(h, out uint ours);
        Assert.Equal(DropReason.TcpPaws, h.Send(TcpFlags.Ack, RemoteIss + 1, h.Iss + 1, options: Ts(50, ours), payload: Bytes(10)));
        Emitted ack = h.Next();
        Assert.Equal(RemoteIss + 1, ack.Ack);
        Assert.Equal(101u, ack.Options.Timestamps!.Value.TsEcr);
        Assert.Equal(0, c.ReadableBytes);
        Assert.Equal(1, h.Stats.PawsRejected);

        // A newer one is taken and becomes TS.Recent.
        Assert.Equal(DropReason.Accepted, h.Send(TcpFlags.Ack, RemoteIss + 1, h.Iss + 1, options: Ts(102, ours), payload: Bytes(10)));
        h.Advance(Duration.FromMilliseconds(40));
        Assert.Equal(102u, h.Next().Options.Timestamps!.Value.TsEcr);
    }

    [Fact]
    public void A_reset_is_not_subject_to_paws()
    {
        TcpHarness h = Create();
        TcpConnection c = Establish(h, out _);
        h.Send(TcpFlags.Rst, RemoteIss + 1, options: Ts(1));
        Assert.Equal(TcpError.ConnectionReset, c.Error);
    }

    [Fact]
    public void After_24_idle_days_ts_recent_is_no_longer_trusted()
    {
        TcpHarness h = Create();
        TcpConnection c = Establish(h, out uint ours);
        h.Now += Duration.FromSeconds(25L * 24 * 3600);
        Assert.Equal(DropReason.Accepted, h.Send(TcpFlags.Ack, RemoteIss + 1, h.Iss + 1, options: Ts(5, ours), payload: Bytes(10)));
        Assert.Equal(10, c.ReadableBytes);
    }

    [Fact]
    public void Tsecr_measures_the_rtt_of_a_retransmission()
    {
        TcpHarness h = Create();
        TcpConnection c = Establish(h, out _);
        c.Send(Bytes(10));
        h.Next();
        h.Advance(Duration.FromMilliseconds(200));
        Emitted retransmission = h.Next();
        Assert.Equal(TxReason.TcpRetransmitRto, retransmission.Note.Reason);
        h.Advance(Duration.FromMilliseconds(80));

        // The echo names the retransmission, so the 80 ms sample is unambiguous (RFC 7323 §4.2).
        h.Send(TcpFlags.Ack, RemoteIss + 1, h.Iss + 11, options: Ts(103, retransmission.Options.Timestamps!.Value.TsVal));
        Assert.Equal(Duration.FromMilliseconds(10), c.Srtt);
    }
}
