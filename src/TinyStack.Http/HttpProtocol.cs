namespace TinyStack.Http;

/// <summary>The protocol versions TinyStack speaks (RFC 9112); any other version is answered 505.</summary>
public enum HttpProtocol : byte
{
    Http10,
    Http11,
}
