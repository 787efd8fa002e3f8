using System.Globalization;
using TinyStack.Tcp;
using TinyStack.Tcp.Tracing;

namespace TinyStack.Host.Tracing;

/// <summary>
/// Writes each connection's congestion trace to its own CSV file in a directory: when the
/// connection reaches TIME-WAIT or CLOSED, and for connections still open at exit
/// (<see cref="WriteRemaining"/>, after the stack thread has stopped). The stack thread only copies
/// the rows; a pool thread writes the file, so a large trace does not stall the stack. Files are
/// named after the connection, e.g. <c>0001-10.0.0.2_80-10.0.0.1_49500-cubic.csv</c>.
/// </summary>
public sealed class TraceDirectory : ITcpTraceSink
{
    private readonly Lock _lock = new();
    private readonly List<(TcpConnection Connection, TcpTrace Trace, int Number)> _open = [];
    private readonly List<Task> _writes = [];
    private readonly IStackLogger? _logger;
    private int _started;
    private int _filesWritten;

    /// <summary>Creates the directory if needed.</summary>
    public TraceDirectory(string path, IStackLogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Directory.CreateDirectory(path);
        Path = path;
        _logger = logger;
    }

    public string Path { get; }

    /// <summary>Files written so far.</summary>
    public int FilesWritten => Volatile.Read(ref _filesWritten);

    public void OnTraceStarted(TcpConnection connection, TcpTrace trace)
    {
        lock (_lock)
        {
            _open.Add((connection, trace, ++_started));
        }
    }

    public void OnTraceCompleted(TcpConnection connection, TcpTrace trace)
    {
        lock (_lock)
        {
            int index = _open.FindIndex(entry => ReferenceEquals(entry.Trace, trace));
            if (index < 0)
            {
                return;
            }

            int number = _open[index].Number;
            _open.RemoveAt(index);
            string file = System.IO.Path.Combine(Path, FileName(connection, number));
            TcpTraceSample[] rows = trace.ToArray();
            string tuple = connection.Tuple.ToString();
            _writes.RemoveAll(t => t.IsCompleted);
            _writes.Add(Task.Run(() => WriteFile(file, rows, tuple)));
        }
    }

    /// <summary>Waits until the files of completed traces are written.</summary>
    public void WaitForWrites()
    {
        Task[] pending;
        lock (_lock)
        {
            pending = [.. _writes];
            _writes.Clear();
        }

        Task.WaitAll(pending);
    }

    /// <summary>
    /// Waits for pending writes, then writes the traces of connections that have not completed
    /// (call once the stack has stopped).
    /// </summary>
    public void WriteRemaining()
    {
        (TcpConnection Connection, TcpTrace Trace, int Number)[] remaining;
        lock (_lock)
        {
            remaining = [.. _open];
            _open.Clear();
        }

        WaitForWrites();
        foreach ((TcpConnection connection, TcpTrace trace, int number) in remaining)
        {
            WriteFile(System.IO.Path.Combine(Path, FileName(connection, number)), trace.ToArray(), connection.Tuple.ToString());
        }
    }

    /// <summary>The file name for a connection's trace: sequence number, addresses and ports, algorithm.</summary>
    public static string FileName(TcpConnection connection, int number)
    {
        TcpTuple t = connection.Tuple;
        return string.Create(CultureInfo.InvariantCulture,
            $"{number:D4}-{t.LocalAddress}_{t.LocalPort}-{t.RemoteAddress}_{t.RemotePort}-{connection.CongestionControl.Name}.csv");
    }

    private void WriteFile(string file, TcpTraceSample[] rows, string tuple)
    {
        try
        {
            using (var writer = new StreamWriter(file, append: false))
            {
                TcpTraceCsv.Write(rows, writer);
            }

            Interlocked.Increment(ref _filesWritten);
            if (_logger is not null && _logger.IsEnabled(StackLogLevel.Debug))
            {
                _logger.Log(StackLogLevel.Debug, $"tcp trace of {tuple}: {rows.Length} rows to {file}");
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A full disk loses the trace, nothing else.
            _logger?.Log(StackLogLevel.Warning, $"cannot write tcp trace {file}: {e.Message}");
        }
    }
}
