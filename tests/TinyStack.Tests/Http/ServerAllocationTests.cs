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

        // The fewest bytes over up to three windows, as ThreadAllocations explains; the host
        // refreshes its counter once per turn of its loop, so let it turn before reading.
        long fewest = long.MaxValue;
        for (int window = 0; window < 3 && fewest != 0; window++)
        {
            await Task.Delay(100);
            long before = fixture.ServerHost.Counters.AllocatedBytes;
            await ServeAsync(client, 2_000);
            await Task.Delay(100);
            fewest = Math.Min(fewest, fixture.ServerHost.Counters.AllocatedBytes - before);
        }

        Assert.Equal(0, fewest);
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
