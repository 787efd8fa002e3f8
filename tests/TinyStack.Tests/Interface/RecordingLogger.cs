namespace TinyStack.Tests.Interface;

internal sealed class RecordingLogger(StackLogLevel minimum) : IStackLogger
{
    public List<(StackLogLevel Level, string Message)> Messages { get; } = [];

    public bool IsEnabled(StackLogLevel level) => level >= minimum;

    public void Log(StackLogLevel level, string message) => Messages.Add((level, message));
}
