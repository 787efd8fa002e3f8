using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;
using TinyStack.Time;
using TinyStack.Wire;

namespace TinyStack.Interface;

/// <summary>
/// One datagram being reassembled: its key (RFC 791: source, destination, protocol,
/// identification), the payload received so far, which ranges of it arrived, and the header of
/// the first fragment. Slots are reused; their buffers are rented from the shared array pools
/// and sized to the data, so memory grows with the fragments actually held.
/// </summary>
internal sealed class ReassemblySlot
{
    private const int InitialRangeCapacity = 16;

    // The first fragment's header as received (options included). Once the datagram is complete
    // it is rewritten into the header of the whole datagram.
    private readonly byte[] _header = new byte[Ipv4Packet.MaxHeaderLength];

    private byte[]? _buffer;
    private FragmentRange[]? _ranges;

    public Ipv4Address Source { get; private set; }

    public Ipv4Address Destination { get; private set; }

    public byte Protocol { get; private set; }

    public ushort Identification { get; private set; }

    /// <summary>Held from the first fragment until <see cref="Ipv4Reassembler.Release"/>.</summary>
    public bool InUse { get; private set; }

    /// <summary>Complete or expired: no longer matched by arriving fragments, awaiting release.</summary>
    public bool Taken { get; set; }

    public Instant ExpiresAt { get; private set; }

    /// <summary>Payload length, known once the fragment with MF clear arrived; -1 before.</summary>
    public int PayloadLength { get; set; } = -1;

    /// <summary>Payload bytes received; ranges never overlap, so this equals the bytes covered.</summary>
    public int ReceivedBytes { get; private set; }

    public int RangeCount { get; private set; }

    /// <summary>Length of the first fragment's header; 0 until the fragment at offset 0 arrives.</summary>
    public int HeaderLength { get; private set; }

    public bool HasFirstFragment => HeaderLength != 0;

    /// <summary>Some fragment arrived as a link-layer broadcast: no ICMP error may answer it (RFC 1122 §3.2.2).</summary>
    public bool LinkBroadcast { get; set; }

    /// <summary>Bytes held: the payload buffer and the range list, as rented.</summary>
    public int MemoryCost => (_buffer?.Length ?? 0) + ((_ranges?.Length ?? 0) * (2 * sizeof(int)));

    public bool IsComplete => PayloadLength >= 0 && ReceivedBytes == PayloadLength;

    public ReadOnlySpan<FragmentRange> Ranges => _ranges.AsSpan(0, RangeCount);

    /// <summary>The first fragment's header, or after completion the reassembled datagram's header.</summary>
    public ReadOnlySpan<byte> Header => _header.AsSpan(0, HeaderLength);

    /// <summary>The payload received so far (complete after reassembly), cut to what is known.</summary>
    public ReadOnlySpan<byte> Payload => _buffer.AsSpan(0, PayloadLength >= 0 ? PayloadLength : ContiguousFromStart());

    /// <summary>Payload bytes from offset 0 without a hole: what a time-exceeded error can quote.</summary>
    public int ContiguousFromStart()
    {
        int end = 0;
        foreach (FragmentRange range in Ranges)
        {
            if (range.Start != end)
            {
                break;
            }

            end = range.End;
        }

        return end;
    }

    public bool Matches(Ipv4Address source, Ipv4Address destination, byte protocol, ushort identification) =>
        InUse && !Taken && Identification == identification && Source == source && Destination == destination && Protocol == protocol;

    public void Start(Ipv4Address source, Ipv4Address destination, byte protocol, ushort identification, Instant expiresAt)
    {
        Source = source;
        Destination = destination;
        Protocol = protocol;
        Identification = identification;
        ExpiresAt = expiresAt;
        InUse = true;
        Taken = false;
        PayloadLength = -1;
        ReceivedBytes = 0;
        RangeCount = 0;
        HeaderLength = 0;
        LinkBroadcast = false;
    }

    /// <summary>Index of the first range starting at or after <paramref name="offset"/> (binary search).</summary>
    public int LowerBound(int offset)
    {
        int low = 0;
        int high = RangeCount;
        while (low < high)
        {
            int middle = (low + high) >>> 1;
            if (_ranges![middle].Start < offset)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }

    public FragmentRange RangeAt(int index) => _ranges![index];

    /// <summary>The memory cost after making room for a fragment ending at <paramref name="end"/>.</summary>
    public int CostAfterGrowing(int end)
    {
        int bufferLength = _buffer is null || _buffer.Length < end ? BufferSizeFor(end) : _buffer.Length;
        int rangeCapacity = _ranges is null ? InitialRangeCapacity : RangeCount < _ranges.Length ? _ranges.Length : _ranges.Length * 2;
        return bufferLength + (rangeCapacity * 2 * sizeof(int));
    }

    /// <summary>Copies a fragment's payload in and records its range at <paramref name="index"/>.</summary>
    public void Insert(int index, int offset, ReadOnlySpan<byte> payload)
    {
        int end = offset + payload.Length;
        if (_buffer is null || _buffer.Length < end)
        {
            byte[] larger = ArrayPool<byte>.Shared.Rent(BufferSizeFor(end));
            if (_buffer is not null)
            {
                _buffer.AsSpan().CopyTo(larger);
                ArrayPool<byte>.Shared.Return(_buffer);
            }

            _buffer = larger;
        }

        if (_ranges is null)
        {
            _ranges = ArrayPool<FragmentRange>.Shared.Rent(InitialRangeCapacity);
        }
        else if (RangeCount == _ranges.Length)
        {
            FragmentRange[] larger = ArrayPool<FragmentRange>.Shared.Rent(_ranges.Length * 2);
            _ranges.AsSpan(0, RangeCount).CopyTo(larger);
            ArrayPool<FragmentRange>.Shared.Return(_ranges);
            _ranges = larger;
        }

        payload.CopyTo(_buffer.AsSpan(offset));
        _ranges.AsSpan(index, RangeCount - index).CopyTo(_ranges.AsSpan(index + 1));
        _ranges[index] = new FragmentRange(offset, end);
        RangeCount++;
        ReceivedBytes += payload.Length;
    }

    /// <summary>Keeps the first fragment's header: it supplies the reassembled header and the ICMP quote.</summary>
    public void SetFirstHeader(ReadOnlySpan<byte> header)
    {
        header.CopyTo(_header);
        HeaderLength = header.Length;
    }

    /// <summary>
    /// Turns the first fragment's header into the reassembled datagram's header: total length of
    /// the whole, no MF, offset 0 (RFC 791 §3.2 reassembly), checksum recomputed.
    /// </summary>
    public void FinishHeader()
    {
        Span<byte> header = _header.AsSpan(0, HeaderLength);
        BinaryPrimitives.WriteUInt16BigEndian(header[Ipv4Packet.TotalLengthOffset..], (ushort)(HeaderLength + PayloadLength));
        BinaryPrimitives.WriteUInt16BigEndian(header[Ipv4Packet.FlagsAndFragmentOffsetOffset..], 0);
        BinaryPrimitives.WriteUInt16BigEndian(header[Ipv4Packet.HeaderChecksumOffset..], 0);
        BinaryPrimitives.WriteUInt16BigEndian(header[Ipv4Packet.HeaderChecksumOffset..], Checksum.Compute(header));
    }

    /// <summary>Returns the buffers to their pools and frees the slot for another datagram.</summary>
    public void Clear()
    {
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
        }

        if (_ranges is not null)
        {
            ArrayPool<FragmentRange>.Shared.Return(_ranges);
            _ranges = null;
        }

        InUse = false;
        Taken = false;
        RangeCount = 0;
        ReceivedBytes = 0;
        HeaderLength = 0;
        PayloadLength = -1;
    }

    // Pool buckets are powers of two; asking for at least 2 KiB avoids regrowing for small datagrams.
    private static int BufferSizeFor(int end) => (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(end, 2048));
}
