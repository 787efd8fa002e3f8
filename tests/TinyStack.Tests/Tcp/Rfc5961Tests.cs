using TinyStack.Tcp;
using TinyStack.Tests.Tcp.Harness;
using TinyStack.Time;
using TinyStack.Wire;
using static TinyStack.Tests.Tcp.Harness.TcpHarness;

namespace TinyStack.Tests.Tcp;

/// <summary>RFC 5961 blind-attack hardening: challenge ACKs for RST and SYN, the ACK validity check, the rate limit.</summary>
public class Rfc5961Tests
{
    private static TcpHarness WithLimit(int limit) => new(new TcpSettings
    {
        Timestamps = false, Sack = false, WindowScaling = false, ReceiveBufferSize = 32 * 1024, ChallengeAckLimit = limit,
    });

    [Fact]
    public void Challenge_acks_are_rate_limited_per_second()
    {
        TcpHarness h = WithLimit(2);
        TcpConnection c = h.EstablishPassive();
        for (int i = 0; i < 3; i++)
        {
            h.Send(TcpFlags.Rst, RemoteIss + 10 + (uint)i);
        }

        h.Expect(TcpFlags.Ack, h.Iss + 1, RemoteIss + 1, reason: TxReason.TcpChallengeAck);
        h.Expect(TcpFlags.Ack, h.Iss + 1, RemoteIss + 1, reason: TxReason.TcpChallengeAck);
        h.ExpectNothing();
        Assert.Equal(2, h.Stats.ChallengeAcks);
        Assert.Equal(1, h.Stats.ChallengeAcksSuppressed);

        // A new second brings a new allowance.
        h.Advance(Duration.FromSeconds(1));
        h.Send(TcpFlags.Syn, RemoteIss + 1);
        h.Expect(TcpFlags.Ack, h.Iss + 1, RemoteIss + 1, reason: TxReason.TcpChallengeAck);
        Assert.Equal(TcpState.Established, c.State);
    }

    [Fact]
    public void A_blind_rst_at_a_guessed_in_window_number_does_not_reset()
    {
        var h = new TcpHarness();
        TcpConnection c = h.EstablishPassive();
        for (uint offset = 1; offset < 32768; offset += 4096)
        {
            h.Send(TcpFlags.Rst | TcpFlags.Ack, RemoteIss + 1 + offset, h.Iss + 1);
        }

        Assert.Equal(TcpState.Established, c.State);
        Assert.Equal(8, h.Stats.Dropped(DropReason.TcpRstIgnored));
    }

    [Fact]
    public void Acks_older_than_the_largest_window_are_rejected_with_a_challenge_ack()
    {
        var h = new TcpHarness();
        TcpConnection c = h.EstablishPassive();
        c.Send(Bytes(100));
        h.Next();
        h.Send(TcpFlags.Ack, RemoteIss + 1, h.Iss + 101, window: 1000);

        // MAX.SND.WND is 65535 (from the handshake): an ACK further back is blind injection.
        Assert.Equal(DropReason.TcpBadAck, h.Send(TcpFlags.Ack, RemoteIss + 1, h.Iss + 101 - 70_000, payload: Bytes(10)));
        h.Expect(TcpFlags.Ack, h.Iss + 101, RemoteIss + 1, reason: TxReason.TcpChallengeAck);
        Assert.Equal(0, c.ReadableBytes);

        // An old ACK within the window is fine: the data is taken.
        Assert.Equal(DropReason.Accepted, h.Send(TcpFlags.Ack, RemoteIss + 1, h.Iss + 1, payload: Bytes(10)));
        Assert.Equal(10, c.ReadableBytes);
    }

    [Fact]
    public void A_challenge_ack_is_not_sent_for_an_rst_outside_the_window()
    {
        var h = new TcpHarness();
        h.EstablishPassive();
        h.Send(TcpFlags.Rst, RemoteIss + 1 + 40_000);
        h.ExpectNothing();
        Assert.Equal(0, h.Stats.ChallengeAcks);
    }
}
