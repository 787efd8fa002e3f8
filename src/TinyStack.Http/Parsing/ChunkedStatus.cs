namespace TinyStack.Http.Parsing;

/// <summary>What a call to <see cref="ChunkedDecoder.Decode"/> found.</summary>
public enum ChunkedStatus : byte
{
    /// <summary>More bytes are needed; those reported consumed were framing and are done with.</summary>
    NeedMore,

    /// <summary>Body data: the range reported is payload.</summary>
    Data,

    /// <summary>The last chunk and the trailer section have been consumed: the body is complete.</summary>
    End,

    /// <summary>Malformed or over a limit (see <see cref="ChunkedDecoder.Error"/>).</summary>
    Error,
}
