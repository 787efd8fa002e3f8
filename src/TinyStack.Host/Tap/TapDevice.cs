using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using System.Text;
using TinyStack.Host.Interop;
using TinyStack.Host.Links;
using TinyStack.Time;

namespace TinyStack.Host.Tap;

/// <summary>
/// A Linux TAP device driven directly through /dev/net/tun: one Ethernet frame per read(2) or
/// write(2) on a non-blocking file descriptor. Frames are passed to the kernel as pinned spans, so
/// receiving and transmitting allocate nothing.
/// </summary>
/// <remarks>
/// The kernel side of the device is an ordinary interface (give it an address with
/// <c>ip addr add</c>); what the kernel transmits on it, we receive, and what we transmit, the
/// kernel receives. One thread at a time may call <see cref="Receive"/> and one (the same or
/// another) <see cref="Transmit"/>; the counters may be read from any thread.
/// </remarks>
public sealed unsafe class TapDevice : ILinkDevice
{
    /// <summary>Ethernet header without a VLAN tag: the smallest receive buffer is MTU + 14.</summary>
    public const int EthernetHeaderLength = 14;

    /// <summary>Smallest MTU the kernel accepts for an IPv4 interface (RFC 791: 68 octets).</summary>
    public const int MinMtu = 68;

    /// <summary>Largest MTU a TAP device accepts (drivers/net/tun.c: MAX_MTU).</summary>
    public const int MaxMtu = 65535;

    private const string TunPath = "/dev/net/tun";

    // linux/if_tun.h: TUNSETIFF = _IOW('T', 202, int).
    private const nuint TunSetIff = 0x400454ca;
    private const short IffTap = 0x0002;
    private const short IffNoPi = 0x1000;

    // linux/sockios.h and net/if.h.
    private const nuint SiocGIfFlags = 0x8913;
    private const nuint SiocSIfFlags = 0x8914;
    private const nuint SiocGIfMtu = 0x8921;
    private const nuint SiocSIfMtu = 0x8922;
    private const short IffUp = 0x0001;

    private int _fd;
    private long _rxFrames;
    private long _rxBytes;
    private long _txFrames;
    private long _txBytes;
    private long _txDropped;
    private long _txErrors;
    private int _lastTxErrno;

    private TapDevice(int fd, string name, int mtu)
    {
        _fd = fd;
        Name = name;
        Mtu = mtu;
    }

    /// <summary>The interface name the kernel gave the device (a template like "tap%d" is filled in).</summary>
    public string Name { get; }

    public int Mtu { get; }

    /// <summary>Frames read from the kernel.</summary>
    public long RxFrames => Volatile.Read(ref _rxFrames);

    public long RxBytes => Volatile.Read(ref _rxBytes);

    /// <summary>Frames handed to the kernel.</summary>
    public long TxFrames => Volatile.Read(ref _txFrames);

    public long TxBytes => Volatile.Read(ref _txBytes);

    /// <summary>Frames dropped because the kernel had no room (EAGAIN, ENOBUFS) rather than blocking.</summary>
    public long TxDropped => Volatile.Read(ref _txDropped);

    /// <summary>Frames the kernel refused for another reason (e.g. EIO while the interface is down).</summary>
    public long TxErrors => Volatile.Read(ref _txErrors);

    /// <summary>The errno of the most recent transmit error or drop, 0 if none.</summary>
    public int LastTxErrno => Volatile.Read(ref _lastTxErrno);

    /// <summary>A TAP device has no timers of its own.</summary>
    public Instant NextDeadline => Instant.MaxValue;

    /// <summary>The device's file descriptor: readable when the kernel has a frame for us.</summary>
    public int WaitHandle => _fd;

    /// <summary>
    /// Opens the TAP device <paramref name="name"/>, creating it if it does not exist or attaching
    /// to it if it is persistent (made beforehand with <c>ip tuntap add NAME mode tap</c>), sets its
    /// MTU and brings it up. The descriptor is non-blocking.
    /// </summary>
    /// <param name="name">Interface name: 1 to 15 bytes, no '/', ':' or whitespace. A "%d" in it is
    /// replaced by the kernel with the first free number.</param>
    /// <param name="mtu">The MTU to set (68 to 65535); left alone if the device already has it.</param>
    /// <param name="netns">Network namespace to create the device in: a name under /run/netns
    /// (as made by <c>ip netns add</c>) or a path such as /proc/PID/ns/net; null for the caller's.
    /// The device is opened on a short-lived thread that enters the namespace; the descriptor then
    /// works from any thread.</param>
    /// <exception cref="TapException">With a one-line message saying what to do.</exception>
    public static TapDevice Open(string name, int mtu = 1500, string? netns = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        ValidateName(name);
        if (mtu is < MinMtu or > MaxMtu)
        {
            throw new TapException($"MTU {mtu} is out of range: a TAP device takes {MinMtu} to {MaxMtu}.");
        }

        if (netns is null)
        {
            return OpenHere(name, mtu);
        }

        if (netns.Length == 0)
        {
            throw new TapException("The network namespace name is empty: pass a name from `ip netns list`, a path, or null.");
        }

        // setns(2) changes the namespace of the calling thread only, and TUNSETIFF creates the
        // device in the namespace of that thread. A dedicated thread keeps the caller's thread (and
        // every pool thread) where it was; when it ends, its namespace goes with it.
        TapDevice? device = null;
        ExceptionDispatchInfo? failure = null;
        var opener = new Thread(() =>
        {
            try
            {
                EnterNetworkNamespace(netns);
                device = OpenHere(name, mtu);
            }
            catch (Exception e)
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }
        })
        {
            IsBackground = true,
            Name = "tinystack-tap-open",
        };
        opener.Start();
        opener.Join();
        failure?.Throw();
        return device!;
    }

    /// <summary>
    /// Copies the next frame the kernel sent into <paramref name="buffer"/> and returns its length,
    /// or 0 when there is none. The buffer must hold MTU + 14 bytes.
    /// </summary>
    public int Receive(Span<byte> buffer, Instant now)
    {
        if (buffer.Length < Mtu + EthernetHeaderLength)
        {
            throw new ArgumentException(
                $"The receive buffer holds {buffer.Length} bytes; a frame on {Name} can be {Mtu + EthernetHeaderLength} (MTU + 14).",
                nameof(buffer));
        }

        int fd = ThrowIfDisposed();
        while (true)
        {
            nint n;
            fixed (byte* p = buffer)
            {
                n = LibC.Read(fd, p, (nuint)buffer.Length);
            }

            if (n >= 0)
            {
                if (n > 0)
                {
                    _rxFrames++;
                    _rxBytes += n;
                }

                return (int)n;
            }

            int errno = Marshal.GetLastPInvokeError();
            if (errno == Errno.EAgain)
            {
                return 0;
            }

            if (errno != Errno.EIntr)
            {
                // EBADFD: the interface was deleted under us (ip link del); nothing more will come.
                throw new TapException($"Reading from TAP device '{Name}' failed: {LibC.Describe(errno)}.", errno);
            }
        }
    }

    /// <summary>
    /// Hands one frame to the kernel. Never blocks: when the kernel has no room the frame is
    /// dropped and counted in <see cref="TxDropped"/>, as a full NIC queue would drop it.
    /// </summary>
    public void Transmit(ReadOnlySpan<byte> frame, in TxNote note, Instant now)
    {
        int fd = ThrowIfDisposed();
        while (true)
        {
            nint n;
            fixed (byte* p = frame)
            {
                n = LibC.Write(fd, p, (nuint)frame.Length);
            }

            if (n >= 0)
            {
                _txFrames++;
                _txBytes += n;
                return;
            }

            int errno = Marshal.GetLastPInvokeError();
            if (errno == Errno.EIntr)
            {
                continue;
            }

            _lastTxErrno = errno;
            if (errno is Errno.EAgain or Errno.ENoBufs)
            {
                _txDropped++;
            }
            else
            {
                _txErrors++;
            }

            return;
        }
    }

    /// <summary>Nothing to record: the verdict matters only to capturing wrappers.</summary>
    public void ReportVerdict(DropReason verdict)
    {
    }

    /// <summary>Nothing to do: writes go straight to the kernel.</summary>
    public void Poll(Instant now)
    {
    }

    /// <summary>Closes the descriptor. A device we created goes away; a persistent one stays.</summary>
    public void Dispose()
    {
        int fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0)
        {
            _ = LibC.Close(fd);
        }
    }

    /// <summary>
    /// The kernel's rules for interface names (net/core/dev.c, dev_valid_name): 1 to 15 bytes, not
    /// "." or "..", and no '/', ':' or whitespace.
    /// </summary>
    internal static void ValidateName(string name)
    {
        int bytes = Encoding.UTF8.GetByteCount(name);
        if (bytes == 0)
        {
            throw new TapException("The TAP device name is empty: pass a name such as tap0.");
        }

        if (bytes > IfReq.NameSize - 1)
        {
            throw new TapException($"The TAP device name '{name}' is {bytes} bytes; Linux allows at most {IfReq.NameSize - 1}.");
        }

        if (name is "." or "..")
        {
            throw new TapException($"'{name}' is not a valid interface name: pick a name such as tap0.");
        }

        foreach (char c in name)
        {
            if (c is '/' or ':' || char.IsWhiteSpace(c) || char.IsControl(c))
            {
                throw new TapException($"The TAP device name '{name}' contains '{Printable(c)}'; Linux interface names cannot contain '/', ':' or whitespace.");
            }
        }
    }

    private static string Printable(char c) => char.IsControl(c) || char.IsWhiteSpace(c) ? $"\\u{(int)c:X4}" : c.ToString();

    private static void EnterNetworkNamespace(string netns)
    {
        string path = netns.Contains('/', StringComparison.Ordinal) ? netns : "/run/netns/" + netns;
        int nsFd = LibC.Open(path, LibC.ORdOnly | LibC.OCloExec);
        if (nsFd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw errno == Errno.ENoEnt
                ? new TapException($"Network namespace '{netns}' not found ({path} does not exist): create it with `ip netns add {netns}`.", errno)
                : new TapException($"Cannot open network namespace '{netns}' ({path}): {LibC.Describe(errno)}.", errno);
        }

        try
        {
            if (LibC.SetNs(nsFd, LibC.CloneNewNet) != 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                throw errno == Errno.EPerm
                    ? new TapException($"Not permitted to enter network namespace '{netns}': run as root (setns needs CAP_SYS_ADMIN).", errno)
                    : new TapException($"Cannot enter network namespace '{netns}' ({path}): {LibC.Describe(errno)}.", errno);
            }
        }
        finally
        {
            _ = LibC.Close(nsFd);
        }
    }

    private static TapDevice OpenHere(string name, int mtu)
    {
        int fd = LibC.Open(TunPath, LibC.ORdWr | LibC.ONonBlock | LibC.OCloExec);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw errno switch
            {
                Errno.ENoEnt => new TapException($"{TunPath} does not exist: load the tun module (modprobe tun) or create the node (mkdir -p /dev/net && mknod {TunPath} c 10 200).", errno),
                Errno.ENoDev or Errno.ENxIo => new TapException($"{TunPath} exists but the tun driver is missing: load it with `modprobe tun`.", errno),
                Errno.EPerm or Errno.EAcces => new TapException($"Not permitted to open {TunPath}: run as root or give the user access to it.", errno),
                _ => new TapException($"Cannot open {TunPath}: {LibC.Describe(errno)}.", errno),
            };
        }

        try
        {
            string actualName = AttachTap(fd, name);
            Configure(actualName, mtu);
            return new TapDevice(fd, actualName, mtu);
        }
        catch
        {
            _ = LibC.Close(fd);
            throw;
        }
    }

    /// <summary>TUNSETIFF: create the device, or attach to the existing one of that name.</summary>
    private static string AttachTap(int fd, string name)
    {
        IfReq request = default;
        WriteName(ref request, name);
        request.Flags = IffTap | IffNoPi;
        if (LibC.Ioctl(fd, TunSetIff, &request) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw errno switch
            {
                Errno.EPerm => new TapException($"Not permitted to create or attach TAP device '{name}': run as root or with CAP_NET_ADMIN (or create it for your user first: ip tuntap add {name} mode tap user $USER).", errno),
                Errno.EBusy => new TapException($"TAP device '{name}' is busy: another process is attached to it; stop that process or pick another name.", errno),
                Errno.EInval => new TapException($"'{name}' exists but is not a single-queue TAP device (it is a TUN device, a multi-queue TAP or another kind of interface): delete it or pick another name.", errno),
                _ => new TapException($"Cannot create or attach TAP device '{name}': {LibC.Describe(errno)}.", errno),
            };
        }

        return ReadName(ref request);
    }

    /// <summary>Sets the MTU and brings the interface up, through an ordinary socket's ioctls.</summary>
    private static void Configure(string name, int mtu)
    {
        int socket = LibC.Socket(LibC.AfInet, LibC.SockDgram | LibC.SockCloExec, 0);
        if (socket < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new TapException($"Cannot create a socket to configure '{name}': {LibC.Describe(errno)}.", errno);
        }

        try
        {
            // Each setting is changed only when it differs, so a user without CAP_NET_ADMIN can
            // still use a persistent device that was prepared for them (MTU set, link up).
            IfReq request = default;
            WriteName(ref request, name);
            IoctlOrThrow(socket, SiocGIfMtu, ref request, name, "read the MTU of");
            if (request.Mtu != mtu)
            {
                request.Mtu = mtu;
                IoctlOrThrow(socket, SiocSIfMtu, ref request, name, $"set MTU {mtu} on");
            }

            request = default;
            WriteName(ref request, name);
            IoctlOrThrow(socket, SiocGIfFlags, ref request, name, "read the flags of");
            if ((request.Flags & IffUp) == 0)
            {
                request.Flags |= IffUp;
                IoctlOrThrow(socket, SiocSIfFlags, ref request, name, "bring up");
            }
        }
        finally
        {
            _ = LibC.Close(socket);
        }
    }

    private static void IoctlOrThrow(int socket, nuint request, ref IfReq ifr, string name, string what)
    {
        fixed (IfReq* p = &ifr)
        {
            if (LibC.Ioctl(socket, request, p) == 0)
            {
                return;
            }
        }

        int errno = Marshal.GetLastPInvokeError();
        throw errno == Errno.EPerm
            ? new TapException($"Not permitted to {what} TAP device '{name}': run as root or with CAP_NET_ADMIN (or configure it beforehand with `ip link set {name} up mtu N`).", errno)
            : new TapException($"Cannot {what} TAP device '{name}': {LibC.Describe(errno)}.", errno);
    }

    private static void WriteName(ref IfReq request, string name)
    {
        fixed (byte* p = request.Name)
        {
            // ValidateName guarantees at most 15 bytes, leaving the terminating NUL in place.
            Encoding.UTF8.GetBytes(name, new Span<byte>(p, IfReq.NameSize - 1));
        }
    }

    private static string ReadName(ref IfReq request)
    {
        fixed (byte* p = request.Name)
        {
            var span = new ReadOnlySpan<byte>(p, IfReq.NameSize);
            int end = span.IndexOf((byte)0);
            return Encoding.UTF8.GetString(end < 0 ? span : span[..end]);
        }
    }

    private int ThrowIfDisposed()
    {
        int fd = _fd;
        ObjectDisposedException.ThrowIf(fd < 0, this);
        return fd;
    }
}
