using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using TinyStack.Host.Interop;
using TinyStack.Host.Links;
using TinyStack.Host.Sockets;
using TinyStack.Time;

namespace TinyStack.Host;

/// <summary>
/// Runs a <see cref="NetworkStack"/> on one thread that owns it: the thread sleeps in ppoll(2) on
/// the link's descriptor and a wake-up eventfd until a frame arrives, work is posted, or the
/// earlier of the stack's and the link's deadlines comes; then it feeds every waiting frame to the
/// stack (reporting each verdict to the link), runs posted work, polls the stack and the link, and
/// sleeps again. Nothing else may call the stack while the host runs: use <see cref="Post(Action{NetworkStack})"/>.
/// </summary>
/// <remarks>
/// Ownership: the host owns its thread, its eventfd and its receive buffer. It does not own the
/// stack, the link or the clock: the caller disposes the link after <see cref="Stop"/> (disposing
/// it while the host runs faults the loop).
/// Latency: ppoll returns as soon as a frame is readable, and its timeout has microsecond
/// resolution (with the thread's timer slack lowered to 1 us), so a frame waits for no timer and a
/// timer is not served late by rounding to milliseconds.
/// </remarks>
public sealed class StackHost : IDisposable
{
    /// <summary>Frames fed to the stack before timers and posted work get a turn again.</summary>
    public const int MaxFramesPerBatch = 64;

    /// <summary>Posted work items run before frames and timers get a turn again.</summary>
    public const int MaxWorkItemsPerBatch = 256;

    private const nuint TimerSlackNanoseconds = 1000;
    private const long MicrosecondsPerSecond = 1_000_000;
    private const long NanosecondsPerMicrosecond = 1000;

    private readonly NetworkStack _stack;
    private readonly ILinkDevice _link;
    private readonly IMonotonicClock _clock;
    private readonly HostFrameSink _sink;
    private readonly byte[] _receiveBuffer;
    private readonly WakeEvent _wake = new();
    private readonly ConcurrentQueue<StackWorkItem> _work = new();
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly object _lifecycle = new();
    private Thread? _thread;
    private volatile bool _stopRequested;
    private bool _disposed;
    private long _framesReceived;
    private long _wakeups;
    private long _workItems;
    private long _allocatedBytes;

    /// <param name="stack">The stack to run. The host does not dispose it.</param>
    /// <param name="link">The link to run it on. The host does not dispose it.</param>
    /// <param name="clock">Source of time; a new <see cref="StopwatchClock"/> when null.</param>
    public StackHost(NetworkStack stack, ILinkDevice link, IMonotonicClock? clock = null)
    {
        ArgumentNullException.ThrowIfNull(stack);
        ArgumentNullException.ThrowIfNull(link);
        _stack = stack;
        _link = link;
        _clock = clock ?? new StopwatchClock();
        _sink = new HostFrameSink(link);
        _receiveBuffer = new byte[link.Mtu + MemoryLink.LinkHeaderAllowance];
    }

    public NetworkStack Stack => _stack;

    public ILinkDevice Link => _link;

    public IMonotonicClock Clock => _clock;

    /// <summary>The host's current time (thread-safe).</summary>
    public Instant Now => _clock.Now;

    /// <summary>True on the thread that owns the stack, where work may call it directly.</summary>
    public bool IsOnStackThread => _thread is not null && Thread.CurrentThread == _thread;

    /// <summary>True from <see cref="Start"/> until the loop ends (after <see cref="Stop"/>, or a fault).</summary>
    public bool IsRunning => _thread is not null && !_completion.Task.IsCompleted && !_stopRequested;

    /// <summary>
    /// Where the sockets of this host (<see cref="TcpStream"/>, <see cref="Sockets.TcpListener"/>)
    /// resume the code that awaits them; read when a socket is created. The default,
    /// <see cref="SocketContinuations.ThreadPool"/>, is safe for any code; see the README section
    /// "Sockets: where your code runs" for the trade-off and the figures.
    /// </summary>
    public SocketContinuations SocketContinuations { get; set; } = SocketContinuations.ThreadPool;

    /// <summary>Completes when the loop ends: normally after <see cref="Stop"/>, faulted if the loop threw.</summary>
    public Task Completion => _completion.Task;

    public StackHostCounters Counters => new(
        Volatile.Read(ref _framesReceived),
        _sink.FramesTransmitted,
        Volatile.Read(ref _wakeups),
        Volatile.Read(ref _workItems),
        Volatile.Read(ref _allocatedBytes));

    /// <summary>Starts the thread that owns the stack.</summary>
    /// <exception cref="InvalidOperationException">Already started, or stopped.</exception>
    public void Start()
    {
        lock (_lifecycle)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_thread is not null || _stopRequested)
            {
                throw new InvalidOperationException("This StackHost has already been started; create a new one to run again.");
            }

            _thread = new Thread(Run)
            {
                IsBackground = true,
                Name = "tinystack",
            };
            _thread.Start();
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> on the stack thread, in posting order. Work posted before
    /// <see cref="Start"/> runs when the loop starts; work posted before <see cref="Stop"/> runs
    /// before the loop ends. If work throws, the loop stops and <see cref="Completion"/> faults.
    /// </summary>
    /// <exception cref="InvalidOperationException">The host has been stopped.</exception>
    public void Post(Action<NetworkStack> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        Enqueue(new StackWorkItem(work, null, null));
    }

    /// <summary>
    /// Like <see cref="Post(Action{NetworkStack})"/>, for work that needs the current time and the
    /// sink that transmits on the link.
    /// </summary>
    public void Post(StackWork work)
    {
        ArgumentNullException.ThrowIfNull(work);
        Enqueue(new StackWorkItem(null, work, null));
    }

    /// <summary>
    /// Like <see cref="Post(StackWork)"/>, for a preallocated work item: posting allocates nothing
    /// (the queue reuses its storage once it has grown to the number of items in flight).
    /// </summary>
    public void Post(IStackWorkItem work)
    {
        ArgumentNullException.ThrowIfNull(work);
        Enqueue(new StackWorkItem(null, null, work));
    }

    /// <summary>Posts <paramref name="work"/> unless the host has been stopped; false if it was not posted.</summary>
    internal bool TryPost(IStackWorkItem work)
    {
        if (_stopRequested)
        {
            return false;
        }

        _work.Enqueue(new StackWorkItem(null, null, work));
        _wake.Signal();
        return true;
    }

    /// <summary>
    /// Wakes the loop, lets it finish the work already posted, and waits for the thread to end.
    /// Idempotent. From the stack thread itself it only requests the stop. Disposes nothing.
    /// </summary>
    public void Stop()
    {
        Thread? thread;
        lock (_lifecycle)
        {
            _stopRequested = true;
            thread = _thread;
        }

        if (thread is null)
        {
            _completion.TrySetResult();
            return;
        }

        _wake.Signal();
        if (Thread.CurrentThread != thread)
        {
            thread.Join();
        }
    }

    /// <summary>Stops the loop and closes the wake-up eventfd. The stack and link stay the caller's.</summary>
    public void Dispose()
    {
        Stop();
        lock (_lifecycle)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        // Called from the stack thread, the loop still needs the eventfd: it is closed when the
        // loop ends instead.
        if (!IsOnStackThread)
        {
            _wake.Dispose();
        }
    }

    private void Enqueue(StackWorkItem item)
    {
        if (_stopRequested)
        {
            throw new InvalidOperationException("This StackHost has been stopped; work can no longer be posted to it.");
        }

        _work.Enqueue(item);
        _wake.Signal();
    }

    private unsafe void Run()
    {
        try
        {
            // The default timer slack (50 us) would let every timed wake-up run late by that much.
            _ = LibC.Prctl(LibC.PrSetTimerSlack, TimerSlackNanoseconds, 0, 0, 0);

            PollFd* fds = stackalloc PollFd[2];
            fds[0] = new PollFd { Fd = _link.WaitHandle, Events = LibC.PollIn };
            fds[1] = new PollFd { Fd = _wake.Fd, Events = LibC.PollIn };

            bool wakeSignalled = true;
            while (true)
            {
                // Consume the wake-up BEFORE looking at the queue and the stop flag: a signal
                // raised after this point wakes the next ppoll instead of being lost.
                if (wakeSignalled)
                {
                    _wake.Reset();
                }

                bool stopping = _stopRequested;
                bool moreWork = RunPostedWork();
                bool moreFrames = DrainLink();

                Instant now = _clock.Now;
                _sink.Now = now;
                _stack.Poll(now, _sink);
                _link.Poll(now);

                // Work posted before Stop runs before the loop ends, even past one batch.
                if (stopping && !moreWork)
                {
                    break;
                }

                Volatile.Write(ref _allocatedBytes, GC.GetAllocatedBytesForCurrentThread());
                Instant deadline = moreWork || moreFrames
                    ? now
                    : Instant.Min(_stack.NextDeadline, _link.NextDeadline);
                wakeSignalled = Wait(fds, deadline);
            }

            _completion.TrySetResult();
        }
        catch (Exception e)
        {
            _stopRequested = true;
            _completion.TrySetException(e);
        }
        finally
        {
            if (_disposed)
            {
                _wake.Dispose();
            }
        }
    }

    /// <summary>Runs queued work; true if the batch limit left some for the next turn.</summary>
    private bool RunPostedWork()
    {
        for (int i = 0; i < MaxWorkItemsPerBatch; i++)
        {
            if (!_work.TryDequeue(out StackWorkItem item))
            {
                return false;
            }

            Instant now = _clock.Now;
            _sink.Now = now;
            item.Run(_stack, now, _sink);
            _workItems++;
        }

        return !_work.IsEmpty;
    }

    /// <summary>Feeds waiting frames to the stack; true if the batch limit left some.</summary>
    private bool DrainLink()
    {
        for (int i = 0; i < MaxFramesPerBatch; i++)
        {
            // Each frame gets the time it was read, for accurate RTT samples and capture stamps.
            Instant now = _clock.Now;
            int length = _link.Receive(_receiveBuffer, now);
            if (length == 0)
            {
                return false;
            }

            _framesReceived++;
            _sink.Now = now;
            DropReason verdict = _stack.Receive(_receiveBuffer.AsSpan(0, length), now, _sink);
            _link.ReportVerdict(verdict);
        }

        return true;
    }

    /// <summary>Sleeps until a descriptor is readable or <paramref name="deadline"/>; true if the eventfd fired.</summary>
    private unsafe bool Wait(PollFd* fds, Instant deadline)
    {
        TimeSpec timeout = default;
        TimeSpec* timeoutPointer = null;
        if (deadline != Instant.MaxValue)
        {
            // Round nothing: the sleep ends at or after the deadline, never before, and never a
            // millisecond late. A deadline already past gives a zero timeout (just look at the fds).
            long micros = Math.Max(0, (deadline - _clock.Now).Microseconds);
            timeout.Seconds = micros / MicrosecondsPerSecond;
            timeout.Nanoseconds = micros % MicrosecondsPerSecond * NanosecondsPerMicrosecond;
            timeoutPointer = &timeout;
        }

        fds[0].REvents = 0;
        fds[1].REvents = 0;
        int result = LibC.PPoll(fds, 2, timeoutPointer, null);
        _wakeups++;
        if (result < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno == Errno.EIntr)
            {
                // A signal (the runtime uses them, e.g. to suspend threads for GC): look again.
                return true;
            }

            throw new InvalidOperationException($"ppoll failed in the stack loop: {LibC.Describe(errno)}.");
        }

        if ((fds[0].REvents & LibC.PollNVal) != 0)
        {
            throw new InvalidOperationException("The link's descriptor was closed while the StackHost was running: stop the host before disposing the link.");
        }

        return (fds[1].REvents & LibC.PollIn) != 0;
    }
}
