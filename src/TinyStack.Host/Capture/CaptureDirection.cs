namespace TinyStack.Host.Capture;

/// <summary>
/// Which way a captured frame went, seen from the stack. The values are pcapng's epb_flags
/// direction bits (RFC draft-ietf-opsawg-pcapng, section 4.3.1).
/// </summary>
public enum CaptureDirection
{
    Unknown = 0,

    /// <summary>Received by the stack from the link.</summary>
    Inbound = 1,

    /// <summary>Transmitted by the stack onto the link.</summary>
    Outbound = 2,
}
