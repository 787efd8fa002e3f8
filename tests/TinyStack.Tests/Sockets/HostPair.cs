using TinyStack.Host;
using TinyStack.Host.Links;
using TinyStack.Host.Sockets;
using TinyStack.Tcp;
using TinyStack.Wire;

namespace TinyStack.Tests.Sockets;

/// <summary>
/// Two real <see cref="StackHost"/>s (each with its own thread, in real time) joined by a
/// <see cref="MemoryLink"/> pair: A is 10.0.0.1, B is 10.0.0.2.
/// </summary>
internal sealed class HostPair : IDisposable
{
    public static readonly Ipv4Address AddressA = Ipv4Address.Parse("10.0.0.1");
    public static readonly Ipv4Address AddressB = Ipv4Address.Parse("10.0.0.2");

    private readonly ILinkDevice _linkA;
    private readonly ILinkDevice _linkB;

    public HostPair(
        TcpSettings? settings = null,
        SocketContinuations continuations = SocketContinuations.ThreadPool,
        Func<ILinkDevice, ILinkDevice>? wrapB = null,
        int linkCapacity = 1024)
    {
        settings ??= new TcpSettings();
        (MemoryLink a, MemoryLink b) = MemoryLink.CreatePair(capacity: linkCapacity);
        _linkA = a;
        _linkB = wrapB is null ? b : wrapB(b);
        A = new StackHost(new NetworkStack(Options(AddressA, 0xA, settings)), _linkA) { SocketContinuations = continuations };
        B = new StackHost(new NetworkStack(Options(AddressB, 0xB, settings)), _linkB) { SocketContinuations = continuations };
        A.Start();
        B.Start();
    }

    public StackHost A { get; }

    public StackHost B { get; }

    /// <summary>Runs <paramref name="query"/> on <paramref name="host"/>'s stack thread and returns its answer.</summary>
    public static T OnStack<T>(StackHost host, Func<NetworkStack, T> query)
    {
        var answer = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        host.Post(stack =>
        {
            try
            {
                answer.SetResult(query(stack));
            }
            catch (Exception e)
            {
                answer.SetException(e);
            }
        });
        return answer.Task.WaitAsync(TimeSpan.FromSeconds(10)).GetAwaiter().GetResult();
    }

    public void Dispose()
    {
        if (A.IsOnStackThread || B.IsOnStackThread)
        {
            throw new InvalidOperationException("HostPair disposed on a stack thread (a StackThread continuation): `await Task.Yield()` first.");
        }

        A.Stop();
        B.Stop();
        A.Dispose();
        B.Dispose();
        _linkA.Dispose();
        _linkB.Dispose();
        Assert.True(A.Completion.IsCompletedSuccessfully, $"host A faulted: {A.Completion.Exception}");
        Assert.True(B.Completion.IsCompletedSuccessfully, $"host B faulted: {B.Completion.Exception}");
    }

    private static StackOptions Options(Ipv4Address address, byte last, TcpSettings settings) => new()
    {
        Address = new Ipv4Cidr(address, 24),
        Mac = MacAddress.FromUInt64(0x02_00_00_00_00_00UL | last),
        SendGratuitousArp = false,
        Seed = last,
        Tcp = settings,
    };
}
