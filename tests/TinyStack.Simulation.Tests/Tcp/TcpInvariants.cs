using TinyStack.Tcp;

namespace TinyStack.Simulation.Tests.Tcp;

/// <summary>What must hold for a TCP connection at every moment, whatever the network does.</summary>
public static class TcpInvariants
{
    public static void Check(TcpConnection connection, int receiveBufferLimit)
    {
        // RFC 9293 §3.3.1: SND.UNA =< SND.NXT, in modular order.
        Assert.True(connection.SndUna <= connection.SndNxt, $"{connection}: SND.UNA {connection.SndUna} > SND.NXT {connection.SndNxt}");

        // Never more in flight than the peer's window allows (+1 for a zero-window probe or FIN).
        int inFlight = connection.SndNxt - connection.SndUna;
        Assert.True(inFlight <= connection.SndWnd + 1, $"{connection}: {inFlight} bytes in flight exceed the peer's window {connection.SndWnd}");

        // The receive side never holds more than its buffer.
        Assert.True(connection.ReadableBytes <= receiveBufferLimit, $"{connection}: {connection.ReadableBytes} readable bytes exceed the {receiveBufferLimit}-byte buffer");
    }

    /// <summary>
    /// What one direction of a connection between two of our stacks must satisfy: the sender
    /// believes in no window the receiver did not offer, and acknowledgments never run ahead.
    /// </summary>
    public static void CheckDirection(TcpConnection sender, TcpConnection receiver)
    {
        if (sender.State != TcpState.Established || receiver.State != TcpState.Established)
        {
            return;
        }

        // SND.UNA comes from an ACK the receiver sent, so it is at most RCV.NXT; the receiver
        // cannot have more than the sender sent.
        Assert.True(sender.SndUna <= receiver.RcvNxt, $"{sender}: SND.UNA {sender.SndUna} beyond the peer's RCV.NXT {receiver.RcvNxt}");
        Assert.True(receiver.RcvNxt <= sender.SndNxt, $"{receiver}: RCV.NXT {receiver.RcvNxt} beyond the peer's SND.NXT {sender.SndNxt}");

        // SND.UNA + SND.WND is a right edge the receiver advertised at some time, and a receiver
        // never moves its edge left (RFC 9293 §3.8.6.2.2), so it lies at or before the current one.
        Assert.True(sender.SndUna + (int)sender.SndWnd <= receiver.RcvAdvertisedEdge,
            $"{sender}: believes the peer's window ends at {sender.SndUna + (int)sender.SndWnd}, beyond the {receiver.RcvAdvertisedEdge} it advertised");
    }
}
