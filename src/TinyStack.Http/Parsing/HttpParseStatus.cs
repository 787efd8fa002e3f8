namespace TinyStack.Http.Parsing;

/// <summary>What a call to a resumable parser achieved.</summary>
public enum HttpParseStatus : byte
{
    /// <summary>More bytes are needed; the ones reported consumed are done with and may be discarded.</summary>
    Incomplete,

    /// <summary>The element is complete.</summary>
    Complete,

    /// <summary>The input is malformed or over a limit; the error says how to answer.</summary>
    Error,
}
