using TinyStack.Tcp;
using TinyStack.Tests.Tcp.Harness;
using TinyStack.Time;
using TinyStack.Wire;
using static TinyStack.Tests.Tcp.Harness.TcpHarness;

namespace TinyStack.Tests.Tcp;

/// <summary>RFC 9293 §3.10.7.3: SYN-SENT.</summary>
public class SynSentTests
{
    private static readonly TcpOptions s_mss = new() { Mss = 1460 };

    [Fact]
    public void Connect_sends_a_syn_with_mss_and_arms_the_initial_rto()
    {
        var h = new TcpHarness();
        TcpConnection connection = h.Connect(out _);
        Emitted syn = h.Expect(TcpFlags.Syn, h.Iss, options: s_mss, reason: TxReason.TcpSyn);
        Assert.Equal(TcpState.SynSent, connection.State);
        Assert.Equal(h.Now + Duration.FromSeconds(1), h.Layer.NextDeadline);
        Assert.Equal(1, h.Stats.ActiveOpens);
        Assert.Equal(0, syn.Note.Count);
    }

    [Fact]
    public void Syn_ack_establishes_and_is_acknowledged()
    {
        var h = new TcpHarness();
        TcpConnection connection = h.Connect(out RecordingObserver observer);
        h.Next();
        Assert.Equal(DropReason.Accepted, h.Send(TcpFlags.Syn | TcpFlags.Ack, RemoteIss, h.Iss + 1, window: 5000, options: new TcpOptions { Mss = 1200 }));
        h.Expect(TcpFlags.Ack, h.Iss + 1, RemoteIss + 1, reason: TxReason.TcpAck);
        Assert.Equal(TcpState.Established, connection.State);
        Assert.Equal(5000u, connection.SndWnd);
        Assert.Equal(1200, connection.SendMss);
        Assert.Equal(["connected", "writable"], observer.Events);
        Assert.Equal(Instant.MaxValue, h.Layer.NextDeadline);
    }

    [Fact]
    public void Syn_ack_with_an_unacceptable_ack_gets_a_reset_and_changes_nothing()
    {
        var h = new TcpHarness();
        TcpConnection connection = h.Connect(out _);
        h.Next();
        Assert.Equal(DropReason.TcpBadAck, h.Send(TcpFlags.Syn | TcpFlags.Ack, RemoteIss, h.Iss + 2));
        h.Expect(TcpFlags.Rst, h.Iss + 2, window: 0);
        Assert.Equal(TcpState.SynSent, connection.State);

        // ACK = ISS does not acknowledge the SYN either.
        h.Send(TcpFlags.Ack, RemoteIss, h.Iss);
        h.Expect(TcpFlags.Rst, h.Iss, window: 0);
    }

    [Fact]
    public void Rst_with_an_acceptable_ack_refuses_the_connection()
    {
        var h = new TcpHarness();
        TcpConnection connection = h.Connect(out RecordingObserver observer);
        h.Next();
        h.Send(TcpFlags.Rst | TcpFlags.Ack, 0, h.Iss + 1);
        Assert.Equal(TcpState.Closed, connection.State);
        Assert.Equal(TcpError.ConnectionRefused, connection.Error);
        Assert.Equal(TcpError.ConnectionRefused, observer.ClosedWith);
        h.ExpectNothing();
        Assert.Equal(0, h.Layer.ConnectionCount);
        Assert.Equal(Instant.MaxValue, h.Layer.NextDeadline);
    }

    [Fact]
    public void Rst_without_ack_or_with_a_bad_ack_is_ignored()
    {
        var h = new TcpHarness();
        TcpConnection connection = h.Connect(out _);
        h.Next();
        Assert.Equal(DropReason.TcpRstIgnored, h.Send(TcpFlags.Rst, 0));
        Assert.Equal(DropReason.TcpBadAck, h.Send(TcpFlags.Rst | TcpFlags.Ack, 0, h.Iss + 5));
        h.ExpectNothing();
        Assert.Equal(TcpState.SynSent, connection.State);
    }

    [Fact]
    public void Plain_ack_without_syn_is_dropped()
    {
        var h = new TcpHarness();
        TcpConnection connection = h.Connect(out _);
        h.Next();
        Assert.Equal(DropReason.TcpNoConnection, h.Send(TcpFlags.Ack, RemoteIss, h.Iss + 1));
        h.ExpectNothing();
        Assert.Equal(TcpState.SynSent, connection.State);
    }

    [Fact]
    public void Simultaneous_open_goes_through_syn_received()
    {
        var h = new TcpHarness();
        TcpConnection connection = h.Connect(out RecordingObserver observer);
        h.Next();
        h.Send(TcpFlags.Syn, RemoteIss, options: s_mss);
        h.Expect(TcpFlags.Syn | TcpFlags.Ack, h.Iss, RemoteIss + 1, options: s_mss, reason: TxReason.TcpSynAck);
        Assert.Equal(TcpState.SynReceived, connection.State);

        // The peer's SYN-ACK (its answer to our SYN) completes the handshake.
        h.Send(TcpFlags.Syn | TcpFlags.Ack, RemoteIss, h.Iss + 1, options: s_mss);
        Assert.Equal(TcpState.SynReceived, connection.State);
        h.Clear();
        h.Send(TcpFlags.Ack, RemoteIss + 1, h.Iss + 1);
        Assert.Equal(TcpState.Established, connection.State);
        Assert.Contains("connected", observer.Events);
    }

    [Fact]
    public void Syn_is_retransmitted_with_backoff_and_the_attempt_times_out()
    {
        var h = new TcpHarness(new TcpSettings { Timestamps = false, Sack = false, WindowScaling = false, ReceiveBufferSize = 32 * 1024, SynRetries = 2 });
        TcpConnection connection = h.Connect(out RecordingObserver observer);
        Instant start = h.Now;
        h.Next();
        h.ExpectNothing(start + Duration.FromMilliseconds(999));
        h.AdvanceTo(start + Duration.FromSeconds(1));
        Emitted first = h.Expect(TcpFlags.Syn, h.Iss, options: s_mss, reason: TxReason.TcpSyn);
        Assert.Equal(1, first.Note.Count);
        h.ExpectNothing(start + Duration.FromMilliseconds(2999));
        h.AdvanceTo(start + Duration.FromSeconds(3));
        Assert.Equal(2, h.Expect(TcpFlags.Syn, h.Iss, options: s_mss).Note.Count);

        // Both retransmitted SYNs count, on the connection and in the layer (RetransSegs).
        Assert.Equal(2, connection.Retransmits);
        Assert.Equal(2, h.Stats.SegmentsRetransmitted);

        // Two retries used up: after another 4 s the attempt fails.
        h.ExpectNothing(start + Duration.FromMilliseconds(6999));
        Assert.Equal(TcpState.SynSent, connection.State);
        h.AdvanceTo(start + Duration.FromSeconds(7));
        Assert.Equal(TcpState.Closed, connection.State);
        Assert.Equal(TcpError.TimedOut, observer.ClosedWith);
        h.ExpectNothing();
        Assert.Equal(1, h.Stats.AttemptFails);
    }

    [Fact]
    public void Close_in_syn_sent_deletes_the_connection_without_a_segment()
    {
        var h = new TcpHarness();
        TcpConnection connection = h.Connect(out RecordingObserver observer);
        h.Next();
        connection.Close();
        Assert.Equal(TcpState.Closed, connection.State);
        h.ExpectNothing(h.Now + Duration.FromSeconds(5));
        Assert.Equal(TcpError.None, observer.ClosedWith);
    }

    [Fact]
    public void Data_queued_before_the_handshake_goes_out_after_it()
    {
        var h = new TcpHarness();
        TcpConnection connection = h.Connect(out _);
        h.Next();
        Assert.Equal(5, connection.Send(Bytes(5)));
        h.ExpectNothing();
        h.Send(TcpFlags.Syn | TcpFlags.Ack, RemoteIss, h.Iss + 1, options: s_mss);
        h.Expect(TcpFlags.Ack | TcpFlags.Psh, h.Iss + 1, RemoteIss + 1, payload: Bytes(5), reason: TxReason.TcpNewData);
    }

    [Fact]
    public void Syn_ack_negotiates_window_scale_sack_and_timestamps()
    {
        var h = new TcpHarness(new TcpSettings { ReceiveBufferSize = 256 * 1024 });
        TcpConnection connection = h.Connect(out _);
        Emitted syn = h.Next();
        Assert.Equal((byte)3, syn.Options.WindowScale);
        Assert.True(syn.Options.SackPermitted);
        Assert.Equal(0u, syn.Options.Timestamps!.Value.TsEcr);
        Assert.Equal(65535, syn.Window);

        uint tsVal = syn.Options.Timestamps!.Value.TsVal;
        h.Send(TcpFlags.Syn | TcpFlags.Ack, RemoteIss, h.Iss + 1, window: 1000,
            options: new TcpOptions { Mss = 1460, WindowScale = 7, SackPermitted = true, Timestamps = new TcpTimestamps(777, tsVal) });
        Emitted ack = h.Next();
        Assert.Equal(TcpFlags.Ack, ack.Flags);
        Assert.Equal(777u, ack.Options.Timestamps!.Value.TsEcr);
        Assert.True(connection.TimestampsEnabled);
        Assert.True(connection.SackEnabled);
        Assert.Equal((7, 3), connection.WindowShifts);

        // The SYN-ACK's window is not scaled (RFC 7323 §2.2); later ones are.
        Assert.Equal(1000u, connection.SndWnd);
        Assert.Equal(1460, connection.SendMss);
        Assert.Equal(1460 - 12, connection.EffectiveMss);
        h.Send(TcpFlags.Ack, RemoteIss + 1, h.Iss + 1, window: 1000, options: new TcpOptions { Timestamps = new TcpTimestamps(778, tsVal) });
        Assert.Equal(128_000u, connection.SndWnd);

        // Our window field is scaled by 3: 256 KiB >> 3.
        Assert.Equal(32768, ack.Window);
    }
}
