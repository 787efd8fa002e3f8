namespace TinyStack.Wire;

/// <summary>The Timestamps option's two values (RFC 7323 §3.2).</summary>
public readonly record struct TcpTimestamps(uint TsVal, uint TsEcr);
