namespace TinyStack.Http.Parsing;

/// <summary>
/// Why a request was rejected: the status code to answer with and a short reason for the body.
/// Reasons are constant strings, so reporting an error allocates nothing.
/// </summary>
public readonly record struct RequestError(int StatusCode, string Reason)
{
    public bool IsError => StatusCode != 0;

    public override string ToString() => $"{StatusCode} {Reason}";
}
