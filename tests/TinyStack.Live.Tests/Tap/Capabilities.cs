using System.Runtime.InteropServices;

namespace TinyStack.Live.Tests.Tap;

/// <summary>Drops a capability from the calling thread's effective set (capabilities are per thread on Linux).</summary>
internal static class Capabilities
{
    public const int NetAdmin = 12; // CAP_NET_ADMIN, linux/capability.h

    private const uint Version3 = 0x20080522; // _LINUX_CAPABILITY_VERSION_3: two 32-bit words per set

    public static void DropEffective(int capability)
    {
        var header = new CapHeader { Version = Version3, Pid = 0 };
        var data = new CapData[2];
        if (CapGet(ref header, data) != 0)
        {
            throw new InvalidOperationException($"capget failed: errno {Marshal.GetLastPInvokeError()}");
        }

        data[capability / 32].Effective &= ~(1u << (capability % 32));
        if (CapSet(ref header, data) != 0)
        {
            throw new InvalidOperationException($"capset failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    // DllImport rather than LibraryImport: the test project does not enable unsafe code.
    [DllImport("libc", EntryPoint = "capget", SetLastError = true)]
    private static extern int CapGet(ref CapHeader header, [In, Out] CapData[] data);

    [DllImport("libc", EntryPoint = "capset", SetLastError = true)]
    private static extern int CapSet(ref CapHeader header, [In, Out] CapData[] data);

    [StructLayout(LayoutKind.Sequential)]
    private struct CapHeader
    {
        public uint Version;
        public int Pid;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct CapData
    {
        public uint Effective;
        public uint Permitted;
        public uint Inheritable;
    }
}
