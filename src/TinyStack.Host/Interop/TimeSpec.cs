using System.Runtime.InteropServices;

namespace TinyStack.Host.Interop;

/// <summary>struct timespec (64-bit Linux: two longs).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct TimeSpec
{
    public long Seconds;
    public long Nanoseconds;
}
