using TinyStack.Host.Tracing;
using TinyStack.Tcp;
using TinyStack.Tcp.Tracing;
using TinyStack.Tests.Tcp.Harness;
using TinyStack.Wire;
using static TinyStack.Tests.Tcp.Harness.TcpHarness;

namespace TinyStack.Tests.Tcp.Congestion;

/// <summary>--trace-dir's sink: one CSV per connection, when it closes and at exit.</summary>
public class TraceDirectoryTests
{
    [Fact]
    public void Each_connection_gets_a_csv_when_it_closes_and_open_ones_at_exit()
    {
        string dir = Path.Combine(Path.GetTempPath(), "tinystack-traces-" + Guid.NewGuid().ToString("N"));
        try
        {
            var sink = new TraceDirectory(dir);
            Assert.True(Directory.Exists(dir));
            var h = new TcpHarness(TcpHarness.DefaultSettings() with { TraceCapacity = 256, TraceSink = sink });
            TcpConnection closed = h.EstablishPassive();
            closed.Abort();
            h.Poll();
            h.Clear();
            sink.WaitForWrites();

            string first = Path.Combine(dir, TraceDirectory.FileName(closed, 1));
            Assert.Equal(["0001-10.0.0.2_80-10.0.0.1_49500-cubic.csv"], Directory.GetFiles(dir).Select(Path.GetFileName));
            List<TcpTraceSample> rows = TcpTraceCsv.Read(new StringReader(File.ReadAllText(first)));
            Assert.Equal(TcpState.Established, rows[0].State);
            Assert.Equal(TcpState.Closed, rows[^1].State);

            // A second connection is still open when the program ends.
            h.TheirPort = RemotePort + 1;
            h.Send(TcpFlags.Syn, RemoteIss, options: new TcpOptions { Mss = 1460 });
            Emitted synAck = h.Next();
            h.Send(TcpFlags.Ack, RemoteIss + 1, synAck.Seq + 1);
            Assert.Single(Directory.GetFiles(dir));
            sink.WriteRemaining();
            Assert.Equal(2, Directory.GetFiles(dir).Length);
            Assert.Contains(Directory.GetFiles(dir), f => f.EndsWith("0002-10.0.0.2_80-10.0.0.1_49501-cubic.csv", StringComparison.Ordinal));
            Assert.Equal(2, sink.FilesWritten);
        }
        finally
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }
}
