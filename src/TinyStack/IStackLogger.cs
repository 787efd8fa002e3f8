namespace TinyStack;

/// <summary>
/// Receives the stack's notable events. Callers check <see cref="IsEnabled"/> before formatting a
/// message, so a disabled level costs no allocation on the hot path.
/// </summary>
public interface IStackLogger
{
    bool IsEnabled(StackLogLevel level);

    void Log(StackLogLevel level, string message);
}
