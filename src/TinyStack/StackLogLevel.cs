namespace TinyStack;

public enum StackLogLevel
{
    Trace,
    Debug,
    Info,
    Warning,
    Error,
    None,
}
