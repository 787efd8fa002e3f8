using System.Runtime.InteropServices;

namespace TinyStack.Host.Interop;

/// <summary>struct pollfd from poll.h.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct PollFd
{
    public int Fd;
    public short Events;
    public short REvents;
}
