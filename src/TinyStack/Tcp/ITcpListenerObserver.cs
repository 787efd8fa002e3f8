namespace TinyStack.Tcp;

/// <summary>Tells the socket layer that <see cref="TcpListener.Accept"/> has a connection to return.</summary>
public interface ITcpListenerObserver
{
    void OnAcceptable(TcpListener listener);
}
