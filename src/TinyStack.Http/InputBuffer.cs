using System.Buffers;

namespace TinyStack.Http;

/// <summary>
/// The bytes received on a connection and not yet consumed: [start, end) of a pooled array that
/// grows (up to a bound) when a request head does not fit, and is given back to the pool while
/// the connection is idle, so ten thousand idle connections hold no buffers.
/// </summary>
internal sealed class InputBuffer
{
    private const int InitialSize = 4096;

    private readonly int _maxSize;
    private byte[]? _array;
    private int _start;
    private int _end;

    public InputBuffer(int maxSize)
    {
        _maxSize = maxSize;
    }

    public int Length => _end - _start;

    public ReadOnlySpan<byte> Span => _array.AsSpan(_start, _end - _start);

    public void Advance(int count)
    {
        _start += count;
        if (_start == _end)
        {
            _start = _end = 0;
        }
    }

    /// <summary>Space to receive into: compacts or grows as needed; empty when the bound is reached.</summary>
    public Memory<byte> GetFreeMemory()
    {
        if (_array is null)
        {
            _array = ArrayPool<byte>.Shared.Rent(InitialSize);
        }
        else if (_end == _array.Length)
        {
            if (_start > 0)
            {
                _array.AsSpan(_start, _end - _start).CopyTo(_array);
                _end -= _start;
                _start = 0;
            }
            else if (_array.Length < _maxSize)
            {
                byte[] larger = ArrayPool<byte>.Shared.Rent(Math.Min(_maxSize, _array.Length * 2));
                _array.AsSpan(0, _end).CopyTo(larger);
                ArrayPool<byte>.Shared.Return(_array);
                _array = larger;
            }
        }

        return _array.AsMemory(_end);
    }

    public void Commit(int count) => _end += count;

    /// <summary>Copies up to <paramref name="destination"/>'s length of buffered bytes out and consumes them.</summary>
    public int CopyTo(Span<byte> destination, long max)
    {
        int n = (int)Math.Min(Math.Min(Length, destination.Length), max);
        Span[..n].CopyTo(destination);
        Advance(n);
        return n;
    }

    /// <summary>Returns the array to the pool if nothing is buffered.</summary>
    public void ReleaseIfEmpty()
    {
        if (_array is not null && _start == _end)
        {
            ArrayPool<byte>.Shared.Return(_array);
            _array = null;
            _start = _end = 0;
        }
    }
}
