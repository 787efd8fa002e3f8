using TinyStack.Host.Sockets;
using TinyStack.Http.Site;

namespace TinyStack.Tests.Http;

/// <summary>
/// A kept-alive request to the built-in site, served on the stack thread as `tinystack run` does,
/// allocates nothing there once warm: parsing, routing, the response head and body, and the async
/// methods between awaits (their state machines come from a pool).
/// </summary>
public sealed class ServerAllocationTests
{
    private const string Request = "GET /index.html HTTP/1.1\r\nHost: 10.0.0.2\r\n\r\n";

    [Fact]
    public async Task Keep_alive_requests_allocate_nothing_on_the_stack_thread()
    {
        SiteOptions? site = null;
        await using ServerFixture fixture = new(_ => { }, createApp: host =>
        {
            site = new SiteOptions(host);
            return TinyStackSite.Create(site);
        }, continuations: SocketContinuations.StackThread);
        site!.Servers = [fixture.Server];
        using ServerFixture.Client client = await fixture.ConnectAsync();

        await ServeAsync(client, 500);

        // The fewest bytes over up to ten windows, as ThreadAllocations explains, and more of them:
        // while the other test classes keep the JIT busy, the runtime can take seconds to replace
        // the first (unoptimised) code of this path, and that code allocates what the optimised
        // code keeps on the stack. A per-request allocation shows in every window. The host
        // refreshes its counter once per turn of its loop, so let it turn before reading.
        var windows = new List<long>();
        while (windows.Count < 10 && (windows.Count == 0 || windows.Min() != 0))
        {
            await Task.Delay(100);
            long before = fixture.ServerHost.Counters.AllocatedBytes;
            await ServeAsync(client, 1_000);
            await Task.Delay(100);
            windows.Add(fixture.ServerHost.Counters.AllocatedBytes - before);
        }

        Assert.True(windows.Min() == 0, $"bytes allocated on the stack thread per 1,000-request window: {string.Join(", ", windows)}");
    }

    private static async Task ServeAsync(ServerFixture.Client client, int requests)
    {
        for (int i = 0; i < requests; i++)
        {
            await client.SendAsync(Request);
            (TinyStack.Http.Client.HttpClientResponse response, string body) = await client.ReceiveAsync();
            Assert.Equal(200, response.StatusCode);
            Assert.Contains("TinyStack", body);
        }
    }
}
