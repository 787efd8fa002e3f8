namespace TinyStack.Http;

/// <summary>
/// The client sent something the server must refuse while the body was being read (a malformed
/// chunk, a body over its limit, a body cut short). The server answers with <see cref="StatusCode"/>
/// if no response has started, and closes the connection.
/// </summary>
public sealed class BadHttpRequestException : IOException
{
    public BadHttpRequestException(int statusCode, string reason)
        : base(reason)
    {
        StatusCode = statusCode;
    }

    public BadHttpRequestException()
        : this(400, "bad request")
    {
    }

    public BadHttpRequestException(string message)
        : this(400, message)
    {
    }

    public BadHttpRequestException(string message, Exception innerException)
        : base(message, innerException)
    {
        StatusCode = 400;
    }

    public int StatusCode { get; }
}
