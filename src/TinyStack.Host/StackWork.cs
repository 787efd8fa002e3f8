using TinyStack.Time;

namespace TinyStack.Host;

/// <summary>
/// Work run on the stack thread with the current time and the sink that transmits on the link,
/// for calls into the core that emit frames (e.g. sending on a socket).
/// </summary>
public delegate void StackWork(NetworkStack stack, Instant now, IFrameSink tx);
