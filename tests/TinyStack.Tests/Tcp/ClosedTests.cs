using TinyStack.Tcp;
using TinyStack.Tests.Tcp.Harness;
using TinyStack.Wire;
using static TinyStack.Tests.Tcp.Harness.TcpHarness;

namespace TinyStack.Tests.Tcp;

/// <summary>RFC 9293 §3.10.7.1: segments for which no connection exists, and the CLOSED state.</summary>
public class ClosedTests
{
    [Fact]
    public void Syn_to_a_closed_port_gets_rst_ack_acknowledging_the_syn()
    {
        var h = new TcpHarness();
        Assert.Equal(DropReason.TcpNoConnection, h.Send(TcpFlags.Syn, RemoteIss));
        h.Expect(TcpFlags.Rst | TcpFlags.Ack, 0, RemoteIss + 1, window: 0, reason: TxReason.TcpReset);
        Assert.Equal(1, h.Stats.ResetsSent);
        Assert.Equal(1, h.Stats.Dropped(DropReason.TcpNoConnection));
    }

    [Fact]
    public void Data_without_ack_is_acknowledged_by_seq_plus_length()
    {
        var h = new TcpHarness();
        h.Send(TcpFlags.Psh | TcpFlags.Fin, RemoteIss, payload: Bytes(25));
        h.Expect(TcpFlags.Rst | TcpFlags.Ack, 0, RemoteIss + 26, window: 0);
    }

    [Fact]
    public void Ack_to_a_closed_port_gets_rst_at_its_ack_number()
    {
        var h = new TcpHarness();
        h.Send(TcpFlags.Ack, RemoteIss, ack: 0xFFFF_FFF0);
        h.Expect(TcpFlags.Rst, 0xFFFF_FFF0, window: 0);
    }

    [Fact]
    public void Rst_to_a_closed_port_is_discarded()
    {
        var h = new TcpHarness();
        Assert.Equal(DropReason.TcpNoConnection, h.Send(TcpFlags.Rst | TcpFlags.Ack, RemoteIss, 5));
        h.ExpectNothing();
    }

    [Fact]
    public void Bad_checksum_truncation_and_bad_options_are_counted_and_never_answered()
    {
        var h = new TcpHarness();
        var header = new TcpHeader(RemotePort, LocalPort, new SeqNumber(RemoteIss), default, TcpFlags.Syn, 1000);
        byte[] good = Build(header, []);
        byte[] corrupt = (byte[])good.Clone();
        corrupt[4] ^= 0x40;
        Assert.Equal(DropReason.TcpBadChecksum, h.SendRaw(corrupt));
        Assert.Equal(DropReason.TcpTruncated, h.SendRaw(good[..19]));

        // An option whose length runs past the header.
        byte[] badOptions = Build(header with { Options = new TcpOptions { Mss = 1460 } }, []);
        badOptions[21] = 40;
        Fix(badOptions);
        Assert.Equal(DropReason.TcpBadOptions, h.SendRaw(badOptions));
        h.ExpectNothing();
        Assert.Equal(3, h.Stats.DroppedTotal);
    }

    [Fact]
    public void A_closed_connection_refuses_sends_with_a_clear_message()
    {
        var h = new TcpHarness();
        TcpConnection connection = h.EstablishPassive();
        connection.Abort();
        Assert.Equal(TcpState.Closed, connection.State);
        Assert.Equal(TcpError.Aborted, connection.Error);
        var error = Assert.Throws<InvalidOperationException>(() => connection.Send([1]));
        Assert.Contains("closed", error.Message, StringComparison.Ordinal);

        // The tuple is free: segments for it are answered as for a closed port.
        h.Clear();
        h.Send(TcpFlags.Ack, RemoteIss + 1, h.Iss + 1);
        h.Expect(TcpFlags.Rst, h.Iss + 1, window: 0);
    }

    private static void Fix(byte[] segment)
    {
        segment[16] = 0;
        segment[17] = 0;
        ushort checksum = Checksum.ComputeWithPseudoHeader(RemoteIp, LocalIp, IpProtocol.Tcp, segment);
        segment[16] = (byte)(checksum >> 8);
        segment[17] = (byte)checksum;
    }
}
