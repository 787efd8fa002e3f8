namespace TinyStack.Wire;

/// <summary>One option as it appears on the wire: its kind and the bytes after the kind and length bytes.</summary>
public readonly ref struct TcpOption
{
    internal TcpOption(byte kind, ReadOnlySpan<byte> data)
    {
        Kind = kind;
        Data = data;
    }

    /// <summary>A <see cref="TcpOptionKind"/> value, or any other number for options we skip.</summary>
    public byte Kind { get; }

    /// <summary>Empty for EOL and NOP, which have no length byte.</summary>
    public ReadOnlySpan<byte> Data { get; }
}
