using System.Runtime.InteropServices;

namespace TinyStack.Host.Interop;

/// <summary>
/// struct ifreq from net/if.h: the interface name followed by a union, of which we use the flags
/// (TUNSETIFF, SIOC[GS]IFFLAGS) and the MTU (SIOC[GS]IFMTU). 40 bytes on 64-bit Linux.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 40)]
internal unsafe struct IfReq
{
    /// <summary>IFNAMSIZ: the name including its terminating NUL, so at most 15 visible bytes.</summary>
    public const int NameSize = 16;

    [FieldOffset(0)]
    public fixed byte Name[NameSize];

    [FieldOffset(NameSize)]
    public short Flags;

    [FieldOffset(NameSize)]
    public int Mtu;
}
