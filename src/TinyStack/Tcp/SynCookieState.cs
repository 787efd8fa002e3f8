namespace TinyStack.Tcp;

/// <summary>What a valid SYN cookie restores of the handshake (RFC 4987 §3.6).</summary>
internal readonly record struct SynCookieState(int Mss, int? WindowScale, bool SackPermitted, bool Timestamps);
