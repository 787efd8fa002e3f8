using TinyStack.Tcp;

namespace TinyStack.Tests.Tcp.Harness;

/// <summary>Records the notifications a connection delivers, in order.</summary>
internal sealed class RecordingObserver : ITcpConnectionObserver, ITcpListenerObserver
{
    public List<string> Events { get; } = [];

    public TcpError? ClosedWith { get; private set; }

    public void OnConnected(TcpConnection connection) => Events.Add("connected");

    public void OnReadable(TcpConnection connection) => Events.Add("readable");

    public void OnWritable(TcpConnection connection) => Events.Add("writable");

    public void OnClosed(TcpConnection connection, TcpError error)
    {
        Events.Add($"closed:{error}");
        ClosedWith = error;
    }

    public void OnAcceptable(TcpListener listener) => Events.Add("acceptable");
}
