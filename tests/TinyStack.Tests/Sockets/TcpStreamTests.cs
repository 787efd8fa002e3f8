using System.Net.Sockets;
using System.Security.Cryptography;
using TinyStack.Host.Sockets;
using TinyStack.Tcp;
using TinyStack.Time;
using TcpListener = TinyStack.Host.Sockets.TcpListener;

namespace TinyStack.Tests.Sockets;

/// <summary>
/// The socket API between two real StackHosts over a MemoryLink pair (threads, real time): what a
/// .NET programmer expects from NetworkStream and Socket, over our stack.
/// </summary>
public sealed class TcpStreamTests
{
    private static readonly TimeSpan s_patience = TimeSpan.FromSeconds(20);

    private static async Task<(TcpStream Client, TcpStream Server)> ConnectAsync(HostPair pair, TcpListener listener)
    {
        ValueTask<TcpStream> accept = listener.AcceptAsync();
        TcpStream client = await TcpStream.ConnectAsync(pair.A, HostPair.AddressB, listener.Port).AsTask().WaitAsync(s_patience);
        TcpStream server = await accept.AsTask().WaitAsync(s_patience);
        return (client, server);
    }

    private static byte[] RandomBytes(int length, int seed)
    {
        byte[] data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    [Fact]
    public Task Connect_and_accept_give_streams_whose_endpoints_mirror_each_other() => Task.Run(async () =>
    {
        using var pair = new HostPair();
        using TcpListener listener = TcpListener.Start(pair.B, 7);
        (TcpStream client, TcpStream server) = await ConnectAsync(pair, listener);

        Assert.Equal("10.0.0.2:7", listener.LocalEndPoint.ToString());
        Assert.Equal("10.0.0.2:7", client.RemoteEndPoint.ToString());
        Assert.Equal(client.LocalEndPoint, server.RemoteEndPoint);
        Assert.Equal(client.RemoteEndPoint, server.LocalEndPoint);
        Assert.InRange(client.LocalEndPoint.Port, 32768, 60999);
        Assert.True(client.CanRead && client.CanWrite && !client.CanSeek);
        await client.DisposeAsync();
        await server.DisposeAsync();
    });

    [Theory]
    [InlineData(SocketContinuations.ThreadPool)]
    [InlineData(SocketContinuations.StackThread)]
    public Task Echo_round_trips_return_every_message_in_order(SocketContinuations continuations) => Task.Run(async () =>
    {
        using var pair = new HostPair(continuations: continuations);
        using TcpListener listener = TcpListener.Start(pair.B, 7);
        (TcpStream client, TcpStream server) = await ConnectAsync(pair, listener);
        bool serverRanOnStackThread = false;
        Task echo = Task.Run(async () =>
        {
            byte[] buffer = new byte[4096];
            int n;
            while ((n = await server.ReadAsync(buffer)) > 0)
            {
                serverRanOnStackThread |= pair.B.IsOnStackThread;
                await server.WriteAsync(buffer.AsMemory(0, n));
            }

            server.Dispose();
        });

        byte[] reply = new byte[100];
        for (int i = 0; i < 200; i++)
        {
            byte[] message = RandomBytes(1 + (i % 100), i);
            await client.WriteAsync(message);
            await client.ReadExactlyAsync(reply.AsMemory(0, message.Length)).AsTask().WaitAsync(s_patience);
            Assert.Equal(message, reply[..message.Length]);
        }

        client.ShutdownWrite();
        Assert.Equal(0, await client.ReadAsync(reply).AsTask().WaitAsync(s_patience));
        await echo.WaitAsync(s_patience);
        client.Dispose();

        // With StackThread continuations this code runs on A's stack thread: leave it before
        // stopping the hosts.
        await Task.Yield();

        // Where the server's code resumed is the host's choice.
        Assert.Equal(continuations == SocketContinuations.StackThread, serverRanOnStackThread);
    });

    [Fact]
    public Task A_large_transfer_arrives_byte_exact_and_a_writer_waits_for_a_slow_reader() => Task.Run(async () =>
    {
        var settings = new TcpSettings { SendBufferSize = 16 * 1024, ReceiveBufferSize = 16 * 1024, InitialBufferSize = 4096 };
        using var pair = new HostPair(settings);
        using TcpListener listener = TcpListener.Start(pair.B, 9);
        (TcpStream client, TcpStream server) = await ConnectAsync(pair, listener);

        // Back-pressure: nobody reads, so a 1 MiB write cannot fit in 16 KiB + 16 KiB of buffers.
        byte[] first = RandomBytes(1024 * 1024, 1);
        Task firstWrite = client.WriteAsync(first).AsTask();
        await Task.Delay(300);
        Assert.False(firstWrite.IsCompleted, "a write completed although its bytes could not all be buffered");
        Assert.Throws<InvalidOperationException>(() => client.ShutdownWrite());

        // Then 31 MiB more; the reader hashes everything.
        byte[] chunk = RandomBytes(256 * 1024, 2);
        const int Chunks = 124;
        Task writer = Task.Run(async () =>
        {
            await firstWrite;
            for (int i = 0; i < Chunks; i++)
            {
                await client.WriteAsync(chunk);
            }

            client.ShutdownWrite();
        });

        using var expected = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        expected.AppendData(first);
        for (int i = 0; i < Chunks; i++)
        {
            expected.AppendData(chunk);
        }

        using var actual = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        int n;
        while ((n = await server.ReadAsync(buffer).AsTask().WaitAsync(s_patience)) > 0)
        {
            actual.AppendData(buffer, 0, n);
            total += n;
        }

        await writer.WaitAsync(s_patience);
        Assert.Equal(first.Length + ((long)Chunks * chunk.Length), total);
        Assert.Equal(expected.GetHashAndReset(), actual.GetHashAndReset());
        client.Dispose();
        server.Dispose();
    });

    [Fact]
    public Task ShutdownWrite_gives_the_peer_end_of_stream_while_the_other_direction_keeps_flowing() => Task.Run(async () =>
    {
        using var pair = new HostPair();
        using TcpListener listener = TcpListener.Start(pair.B, 7);
        (TcpStream client, TcpStream server) = await ConnectAsync(pair, listener);

        await client.WriteAsync("request"u8.ToArray());
        client.ShutdownWrite();
        Assert.Equal("request"u8.ToArray(), await ReadToEndAsync(server));

        // Half-closed: the server may still answer, and the client still reads.
        await server.WriteAsync("response"u8.ToArray());
        server.Dispose();
        Assert.Equal("response"u8.ToArray(), await ReadToEndAsync(client));

        // Writing after ShutdownWrite is an error, as with Socket.Shutdown(Send).
        IOException error = await Assert.ThrowsAsync<IOException>(() => client.WriteAsync(new byte[1]).AsTask());
        Assert.Equal(SocketError.Shutdown, Assert.IsType<SocketException>(error.InnerException).SocketErrorCode);
        client.Dispose();
    });

    [Fact]
    public Task Dispose_closes_gracefully_after_the_data_already_written() => Task.Run(async () =>
    {
        using var pair = new HostPair();
        using TcpListener listener = TcpListener.Start(pair.B, 7);
        (TcpStream client, TcpStream server) = await ConnectAsync(pair, listener);
        byte[] data = RandomBytes(300_000, 3);

        // Dispose right after the write: the bytes in the send buffer still go out, then the FIN.
        await client.WriteAsync(data);
        await client.DisposeAsync();
        Assert.Equal(data, await ReadToEndAsync(server));
        server.Dispose();

        // The client's side ends in TIME-WAIT (it closed first), the server's is gone: no reset.
        await WaitUntilAsync(() => HostPair.OnStack(pair.B, s => s.Tcp.ConnectionCount) == 0, "the server's connection to close");
        Assert.Equal(0, HostPair.OnStack(pair.A, s => s.Tcp.Stats.ResetsSent) + HostPair.OnStack(pair.B, s => s.Tcp.Stats.ResetsSent));
        Assert.Equal(TcpState.TimeWait, HostPair.OnStack(pair.A, s => s.Tcp.FindConnection(Tuple(client))?.State));
        Assert.Throws<ObjectDisposedException>(() => client.ReadAsync(new byte[1]));
    });

    [Fact]
    public Task Abort_resets_the_connection_and_the_peer_reads_ConnectionReset() => Task.Run(async () =>
    {
        using var pair = new HostPair();
        using TcpListener listener = TcpListener.Start(pair.B, 7);
        (TcpStream client, TcpStream server) = await ConnectAsync(pair, listener);
        Task<int> pendingRead = server.ReadAsync(new byte[16]).AsTask();

        client.Abort();

        IOException error = await Assert.ThrowsAsync<IOException>(() => pendingRead.WaitAsync(s_patience));
        Assert.Equal(SocketError.ConnectionReset, Assert.IsType<SocketException>(error.InnerException).SocketErrorCode);

        // Every later read and write says the same, as NetworkStream does.
        error = await Assert.ThrowsAsync<IOException>(() => server.ReadAsync(new byte[16]).AsTask());
        Assert.Equal(SocketError.ConnectionReset, ((SocketException)error.InnerException!).SocketErrorCode);
        error = await Assert.ThrowsAsync<IOException>(() => server.WriteAsync(new byte[16]).AsTask());
        Assert.Equal(SocketError.ConnectionReset, ((SocketException)error.InnerException!).SocketErrorCode);
        Assert.Throws<ObjectDisposedException>(() => client.WriteAsync(new byte[1]));
        server.Dispose();
    });

    [Fact]
    public Task Connecting_to_a_port_nobody_listens_on_is_refused() => Task.Run(async () =>
    {
        using var pair = new HostPair();
        SocketException error = await Assert.ThrowsAsync<SocketException>(
            () => TcpStream.ConnectAsync(pair.A, HostPair.AddressB, 4444).AsTask().WaitAsync(s_patience));
        Assert.Equal(SocketError.ConnectionRefused, error.SocketErrorCode);
        Assert.Equal(0, HostPair.OnStack(pair.A, s => s.Tcp.ConnectionCount));
    });

    [Fact]
    public Task Connecting_to_a_peer_that_drops_every_segment_times_out() => Task.Run(async () =>
    {
        var settings = new TcpSettings { SynRetries = 2, InitialRto = Duration.FromMilliseconds(100), MinRto = Duration.FromMilliseconds(50) };
        TcpBlackholeLink? blackhole = null;
        using var pair = new HostPair(settings, wrapB: link => blackhole = new TcpBlackholeLink(link));
        using TcpListener listener = TcpListener.Start(pair.B, 7);
        var watch = System.Diagnostics.Stopwatch.StartNew();

        SocketException error = await Assert.ThrowsAsync<SocketException>(
            () => TcpStream.ConnectAsync(pair.A, HostPair.AddressB, 7).AsTask().WaitAsync(s_patience));

        Assert.Equal(SocketError.TimedOut, error.SocketErrorCode);

        // The SYN and its 2 retransmissions were dropped; RTO 100 + 200 + 400 ms.
        Assert.Equal(3, blackhole!.Dropped);
        Assert.Equal(0, HostPair.OnStack(pair.A, s => s.Tcp.Stats.TransmitFailures));
        Assert.InRange(watch.ElapsedMilliseconds, 600, 5000);
    });

    [Fact]
    public Task A_cancelled_connect_aborts_the_half_open_connection() => Task.Run(async () =>
    {
        using var pair = new HostPair(wrapB: link => new TcpBlackholeLink(link));
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => TcpStream.ConnectAsync(pair.A, HostPair.AddressB, 7, cancel.Token).AsTask().WaitAsync(s_patience));

        // The SYN-SENT connection is gone from the table, so no retransmission follows.
        await WaitUntilAsync(() => HostPair.OnStack(pair.A, s => s.Tcp.ConnectionCount) == 0, "the cancelled connection to go");
    });

    [Fact]
    public Task A_cancelled_accept_leaves_the_listener_accepting() => Task.Run(async () =>
    {
        using var pair = new HostPair();
        using TcpListener listener = TcpListener.Start(pair.B, 7);
        using var cancel = new CancellationTokenSource();
        ValueTask<TcpStream> cancelled = listener.AcceptAsync(cancel.Token);
        cancel.CancelAfter(50);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.AsTask().WaitAsync(s_patience));

        (TcpStream client, TcpStream server) = await ConnectAsync(pair, listener);
        await client.WriteAsync(new byte[] { 42 });
        byte[] one = new byte[1];
        await server.ReadExactlyAsync(one);
        Assert.Equal(42, one[0]);
        client.Dispose();
        server.Dispose();
    });

    [Fact]
    public Task A_cancelled_read_takes_nothing_and_the_next_read_gets_the_data() => Task.Run(async () =>
    {
        using var pair = new HostPair();
        using TcpListener listener = TcpListener.Start(pair.B, 7);
        (TcpStream client, TcpStream server) = await ConnectAsync(pair, listener);
        using var cancel = new CancellationTokenSource();
        byte[] buffer = new byte[16];
        ValueTask<int> read = server.ReadAsync(buffer, cancel.Token);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => read.AsTask().WaitAsync(s_patience));

        await client.WriteAsync("after"u8.ToArray());
        int n = await server.ReadAsync(buffer).AsTask().WaitAsync(s_patience);
        Assert.Equal("after"u8.ToArray(), buffer[..n]);
        client.Dispose();
        server.Dispose();
    });

    [Fact]
    public Task A_write_cancelled_after_queuing_part_of_its_bytes_aborts_the_connection() => Task.Run(async () =>
    {
        var settings = new TcpSettings { SendBufferSize = 16 * 1024, ReceiveBufferSize = 16 * 1024, InitialBufferSize = 4096 };
        using var pair = new HostPair(settings);
        using TcpListener listener = TcpListener.Start(pair.B, 7);
        (TcpStream client, TcpStream server) = await ConnectAsync(pair, listener);
        using var cancel = new CancellationTokenSource();
        Task write = client.WriteAsync(new byte[1024 * 1024], cancel.Token).AsTask();
        await Task.Delay(100);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => write.WaitAsync(s_patience));

        // The peer cannot know where the message was cut: it is told with a reset.
        IOException error = await Assert.ThrowsAsync<IOException>(() => DrainAsync(server).WaitAsync(s_patience));
        Assert.Equal(SocketError.ConnectionReset, ((SocketException)error.InnerException!).SocketErrorCode);
        error = await Assert.ThrowsAsync<IOException>(() => client.ReadAsync(new byte[1]).AsTask());
        Assert.Equal(SocketError.OperationAborted, ((SocketException)error.InnerException!).SocketErrorCode);
        client.Dispose();
        server.Dispose();
    });

    [Fact]
    public Task A_second_read_while_one_is_pending_is_refused() => Task.Run(async () =>
    {
        using var pair = new HostPair();
        using TcpListener listener = TcpListener.Start(pair.B, 7);
        (TcpStream client, TcpStream server) = await ConnectAsync(pair, listener);
        ValueTask<int> first = server.ReadAsync(new byte[1]);
        Assert.Throws<InvalidOperationException>(() => server.ReadAsync(new byte[1]));
        await client.WriteAsync(new byte[] { 1 });
        Assert.Equal(1, await first.AsTask().WaitAsync(s_patience));
        client.Dispose();
        server.Dispose();
    });

    [Fact]
    public Task Disposing_a_stream_fails_its_pending_read_with_OperationAborted() => Task.Run(async () =>
    {
        using var pair = new HostPair();
        using TcpListener listener = TcpListener.Start(pair.B, 7);
        (TcpStream client, TcpStream server) = await ConnectAsync(pair, listener);
        Task<int> read = server.ReadAsync(new byte[1]).AsTask();
        server.Dispose();
        IOException error = await Assert.ThrowsAsync<IOException>(() => read.WaitAsync(s_patience));
        Assert.Equal(SocketError.OperationAborted, ((SocketException)error.InnerException!).SocketErrorCode);
        Assert.Equal(0, await client.ReadAsync(new byte[1]).AsTask().WaitAsync(s_patience));
        client.Dispose();
    });

    [Fact]
    public Task A_taken_port_and_a_stopped_listener_fail_as_sockets_do() => Task.Run(async () =>
    {
        using var pair = new HostPair();
        TcpListener listener = TcpListener.Start(pair.B, 7);
        SocketException taken = Assert.Throws<SocketException>(() => TcpListener.Start(pair.B, 7));
        Assert.Equal(SocketError.AddressAlreadyInUse, taken.SocketErrorCode);

        Task<TcpStream> pending = listener.AcceptAsync().AsTask();
        listener.Stop();
        SocketException stopped = await Assert.ThrowsAsync<SocketException>(() => pending.WaitAsync(s_patience));
        Assert.Equal(SocketError.OperationAborted, stopped.SocketErrorCode);
        Assert.Throws<ObjectDisposedException>(() => listener.AcceptAsync());

        // The port is free again, and nobody listens there until then.
        SocketException refused = await Assert.ThrowsAsync<SocketException>(
            () => TcpStream.ConnectAsync(pair.A, HostPair.AddressB, 7).AsTask().WaitAsync(s_patience));
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
        TcpListener.Start(pair.B, 7).Dispose();
    });

    [Fact]
    public Task Many_threads_use_many_streams_and_one_stream_from_two_threads_at_once() => Task.Run(async () =>
    {
        using var pair = new HostPair();
        using TcpListener listener = TcpListener.Start(pair.B, 7);
        const int Connections = 16;
        const int Messages = 100;

        // Server: one echo task per accepted connection, accepts issued from several threads at once.
        Task server = Task.WhenAll(Enumerable.Range(0, Connections).Select(_ => Task.Run(async () =>
        {
            await using TcpStream stream = await listener.AcceptAsync();
            byte[] buffer = new byte[2048];
            int n;
            while ((n = await stream.ReadAsync(buffer)) > 0)
            {
                await stream.WriteAsync(buffer.AsMemory(0, n));
            }
        })));

        // Clients: each writes on one thread while another reads the echo.
        Task clients = Task.WhenAll(Enumerable.Range(0, Connections).Select(c => Task.Run(async () =>
        {
            await using TcpStream stream = await TcpStream.ConnectAsync(pair.A, HostPair.AddressB, 7);
            byte[] sent = RandomBytes(Messages * 1000, c);
            Task writer = Task.Run(async () =>
            {
                for (int m = 0; m < Messages; m++)
                {
                    await stream.WriteAsync(sent.AsMemory(m * 1000, 1000));
                }

                stream.ShutdownWrite();
            });
            byte[] received = await ReadToEndAsync(stream);
            await writer;
            Assert.Equal(sent, received);
        })));

        await Task.WhenAll(server, clients).WaitAsync(TimeSpan.FromSeconds(60));
    });

    [Fact]
    public Task An_mss_clamp_bounds_the_segments_both_ways() => Task.Run(async () =>
    {
        using var pair = new HostPair(new TcpSettings { MssClamp = 536 });
        using TcpListener listener = TcpListener.Start(pair.B, 7);
        (TcpStream client, TcpStream server) = await ConnectAsync(pair, listener);

        // Both offered 536 in their SYNs (instead of 1460 for the 1500-byte MTU), so both send 536.
        Assert.Equal(536, HostPair.OnStack(pair.A, s => s.Tcp.FindConnection(Tuple(client))!.SendMss));
        Assert.Equal(536, HostPair.OnStack(pair.B, s => s.Tcp.Connections.Single().SendMss));
        client.Dispose();
        server.Dispose();
    });

    private static TcpTuple Tuple(TcpStream stream) => new(
        HostPair.AddressA, (ushort)stream.LocalEndPoint.Port, HostPair.AddressB, (ushort)stream.RemoteEndPoint.Port);

    private static async Task<byte[]> ReadToEndAsync(TcpStream stream)
    {
        using var all = new MemoryStream();
        byte[] buffer = new byte[16 * 1024];
        int n;
        while ((n = await stream.ReadAsync(buffer).AsTask().WaitAsync(s_patience)) > 0)
        {
            all.Write(buffer, 0, n);
        }

        return all.ToArray();
    }

    private static async Task DrainAsync(TcpStream stream)
    {
        byte[] buffer = new byte[16 * 1024];
        while (await stream.ReadAsync(buffer) > 0)
        {
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(watch.Elapsed < s_patience, $"timed out waiting for {what}");
            await Task.Delay(10);
        }
    }
}
