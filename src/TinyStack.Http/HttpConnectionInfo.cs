using System.Net;

namespace TinyStack.Http;

/// <summary>A snapshot of one connection of an <see cref="HttpServer"/>.</summary>
public sealed record HttpConnectionInfo(
    IPEndPoint RemoteEndPoint,
    IPEndPoint LocalEndPoint,
    bool IsHttps,
    string Phase,
    long Requests,
    long BytesReceived,
    long BytesSent,
    TimeSpan Age);
