using System.Runtime.InteropServices;

namespace TinyStack.Host.Interop;

/// <summary>
/// The handful of libc calls the host needs. Every buffer is passed as a pointer (callers pin
/// spans with <c>fixed</c>), so a call marshals nothing and allocates nothing; errno is read with
/// <see cref="Marshal.GetLastPInvokeError"/>.
/// </summary>
internal static unsafe partial class LibC
{
    // The runtime maps "libc" to the C library of the platform (libc.so.6 on glibc Linux).
    private const string Library = "libc";

    // fcntl.h (x86_64 and arm64 Linux share these values).
    public const int ORdOnly = 0x0000;
    public const int ORdWr = 0x0002;
    public const int ONonBlock = 0x0800;
    public const int OCloExec = 0x80000;

    // sys/socket.h
    public const int AfInet = 2;
    public const int SockDgram = 2;
    public const int SockCloExec = 0x80000;

    // poll.h
    public const short PollIn = 0x0001;
    public const short PollErr = 0x0008;
    public const short PollHup = 0x0010;
    public const short PollNVal = 0x0020;

    // sys/eventfd.h
    public const int EfdNonBlock = 0x0800;
    public const int EfdCloExec = 0x80000;

    // sched.h: setns(2) namespace type.
    public const int CloneNewNet = 0x40000000;

    // sys/prctl.h: PR_SET_TIMERSLACK (nanoseconds a timed sleep may overrun to be coalesced).
    public const int PrSetTimerSlack = 29;

    [LibraryImport(Library, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags);

    [LibraryImport(Library, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport(Library, EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int fd, byte* buffer, nuint count);

    [LibraryImport(Library, EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int fd, byte* buffer, nuint count);

    /// <summary>ioctl(2) with a pointer argument (the only form we use).</summary>
    [LibraryImport(Library, EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(int fd, nuint request, void* argument);

    [LibraryImport(Library, EntryPoint = "socket", SetLastError = true)]
    public static partial int Socket(int domain, int type, int protocol);

    [LibraryImport(Library, EntryPoint = "poll", SetLastError = true)]
    public static partial int Poll(PollFd* fds, nuint count, int timeoutMilliseconds);

    /// <summary>ppoll(2): poll with a nanosecond timeout (null = wait forever) and no signal mask change.</summary>
    [LibraryImport(Library, EntryPoint = "ppoll", SetLastError = true)]
    public static partial int PPoll(PollFd* fds, nuint count, TimeSpec* timeout, void* signalMask);

    [LibraryImport(Library, EntryPoint = "eventfd", SetLastError = true)]
    public static partial int EventFd(uint initialValue, int flags);

    [LibraryImport(Library, EntryPoint = "setns", SetLastError = true)]
    public static partial int SetNs(int fd, int namespaceType);

    [LibraryImport(Library, EntryPoint = "prctl", SetLastError = true)]
    public static partial int Prctl(int option, nuint argument2, nuint argument3, nuint argument4, nuint argument5);

    [LibraryImport(Library, EntryPoint = "strerror")]
    private static partial byte* StrError(int errno);

    /// <summary>The C library's text for an errno value, e.g. "Device or resource busy".</summary>
    public static string Describe(int errno)
    {
        byte* text = StrError(errno);
        return text == null ? $"errno {errno}" : Marshal.PtrToStringUTF8((nint)text) ?? $"errno {errno}";
    }
}
