using System.Security.Cryptography;
using TinyStack.Tcp;

namespace TinyStack.Simulation.Tests.Harness;

/// <summary>
/// One direction of a transfer: sends a seeded pseudo-random stream as fast as the send buffer
/// takes it, and hashes what the receiver reads, so megabytes never have to be held in memory
/// twice. Call <see cref="Step"/> after every slice of simulated time.
/// </summary>
public sealed class HashingPump
{
    private readonly TcpConnection _sender;
    private readonly TcpConnection _receiver;
    private readonly long _size;
    private readonly byte[] _chunk = new byte[64 * 1024];
    private readonly byte[] _scratch = new byte[64 * 1024];
    private readonly Random _random;
    private readonly IncrementalHash _sent = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly IncrementalHash _received = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private int _chunkOffset;
    private int _chunkLength;
    private long _queued;

    public HashingPump(TcpConnection sender, TcpConnection receiver, long size, ulong seed)
    {
        _sender = sender;
        _receiver = receiver;
        _size = size;
        _random = new Random((int)(seed % int.MaxValue));
    }

    /// <summary>While true the receiving application reads nothing (its buffer fills, its window closes).</summary>
    public bool ReceiverPaused { get; set; }

    /// <summary>Bytes the sending application has handed to its connection.</summary>
    public long Queued => _queued;

    public long Received { get; private set; }

    public bool Done => Received == _size;

    public byte[] SentHash => _sent.GetCurrentHash();

    public byte[] ReceivedHash => _received.GetCurrentHash();

    public void Step()
    {
        while (_queued < _size && _sender.CanSend)
        {
            if (_chunkOffset == _chunkLength)
            {
                _chunkLength = (int)Math.Min(_chunk.Length, _size - _queued);
                _random.NextBytes(_chunk.AsSpan(0, _chunkLength));
                _sent.AppendData(_chunk, 0, _chunkLength);
                _chunkOffset = 0;
            }

            int n = _sender.Send(_chunk.AsSpan(_chunkOffset, _chunkLength - _chunkOffset));
            if (n == 0)
            {
                break;
            }

            _chunkOffset += n;
            _queued += n;
        }

        int read;
        while (!ReceiverPaused && (read = _receiver.Receive(_scratch)) > 0)
        {
            _received.AppendData(_scratch, 0, read);
            Received += read;
        }
    }
}
