namespace TinyStack.Http;

/// <summary>The request methods TinyStack serves (RFC 9110 §9.3, RFC 5789); any other method is answered 501.</summary>
public enum RequestMethod : byte
{
    Get,
    Head,
    Post,
    Put,
    Patch,
    Delete,
    Options,
}
