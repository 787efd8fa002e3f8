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
}
