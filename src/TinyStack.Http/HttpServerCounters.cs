namespace TinyStack.Http;

/// <summary>What an <see cref="HttpServer"/> has done since it started.</summary>
public readonly record struct HttpServerCounters(
    long ConnectionsAccepted,
    long ConnectionsRefused,
    long ConnectionsActive,
    long Requests,
    long RequestErrors,
    long HeaderTimeouts,
    long IdleTimeouts,
    long HandlerFailures,
    long TlsHandshakeFailures,
    long BytesReceived,
    long BytesSent);
