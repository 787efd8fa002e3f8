namespace TinyStack.Host.Interop;

/// <summary>The errno values the host reacts to (asm-generic/errno-base.h, errno.h on Linux).</summary>
internal static class Errno
{
    public const int EPerm = 1;
    public const int ENoEnt = 2;
    public const int EIntr = 4;
    public const int EIo = 5;
    public const int ENxIo = 6;
    public const int EAgain = 11;
    public const int ENoMem = 12;
    public const int EAcces = 13;
    public const int EBusy = 16;
    public const int ENoDev = 19;
    public const int EInval = 22;
    public const int EBadFd = 77;
    public const int ENoBufs = 105;
}
