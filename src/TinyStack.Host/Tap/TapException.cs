namespace TinyStack.Host.Tap;

/// <summary>
/// Opening or configuring a TAP device failed. The message is one line that says what went wrong
/// and what to do about it; <see cref="Errno"/> is the underlying error number, 0 when none.
/// </summary>
public sealed class TapException : Exception
{
    public TapException()
    {
    }

    public TapException(string message)
        : base(message)
    {
    }

    public TapException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public TapException(string message, int errno)
        : base(message)
    {
        Errno = errno;
    }

    /// <summary>The errno that caused the failure, or 0 for a validation error.</summary>
    public int Errno { get; }
}
