using System.Buffers.Binary;
using BenchmarkDotNet.Attributes;
using PacketDotNet;
using PacketDotNet.Tcp;
using TinyStack.Wire;

namespace TinyStack.Benchmarks;

/// <summary>
/// Parsing one Ethernet/IPv4/TCP frame and reading the ports, sequence and acknowledgment numbers,
/// flags and every option: our span views against PacketDotNet's object model. Both return the
/// same digest of what they read, checked once in <see cref="Setup"/>. PacketDotNet parses lazily:
/// ParsePacket, Extract and the field reads touch only the Ethernet, IPv4 and TCP headers, as ours do,
/// and OptionsCollection is its only way to read the options.
/// </summary>
[Config(typeof(BenchmarkConfig))]
public class ParseBenchmarks
{
    // A SYN sent by the Linux kernel into a TAP device (10.0.0.1:40000 -> 10.0.0.2:80), with the
    // options mss 1460, sackOK, TS val 0x310303f0 ecr 0, nop, wscale 10.
    private const string LinuxSynFrameHex =
        "020000000002020000000001" + "0800" +
        "4500003ce7b8400040063f010a0000010a000002" +
        "9c400050b9fd485200000000a002faf065360000020405b40402080a310303f0000000000103030a";

    // The kernel's pure ACK on an established connection (10.0.0.1:39840 -> 10.0.0.2:80), with the
    // options every segment carries once timestamps are on: nop, nop, TS val 409601332 ecr 2657723414.
    private const string LinuxAckFrameHex =
        "020000000002020000000001" + "0800" +
        "4500003466ad40004006c0140a0000010a000002" +
        "9ba000506e118d92869d958f8010003f4e9c00000101080a186a05349e69a416";

    private byte[] _frame = [];

    /// <summary>Which frame: the handshake's SYN (five options) or an established ACK (timestamps).</summary>
    [Params("SYN", "ACK")]
    public string Frame { get; set; } = "SYN";

    [GlobalSetup]
    public void Setup()
    {
        _frame = Convert.FromHexString(Frame == "ACK" ? LinuxAckFrameHex : LinuxSynFrameHex);
        ulong theirs = PacketDotNetParse();
        ulong views = TinyStackViews();
        ulong value = TinyStackOptionsValue();
        if (theirs == 0 || views != theirs || value != theirs)
        {
            throw new InvalidOperationException($"The parsers read different fields ({theirs:X}, {views:X}, {value:X}); fix the benchmark before timing it.");
        }
    }

    [Benchmark(Baseline = true)]
    public ulong PacketDotNetParse()
    {
        Packet packet = Packet.ParsePacket(LinkLayers.Ethernet, _frame);
        TcpPacket? tcp = packet.Extract<TcpPacket>();
        if (tcp is null)
        {
            return 0;
        }

        ulong digest = Digest(tcp.SourcePort, tcp.DestinationPort, tcp.SequenceNumber, tcp.AcknowledgmentNumber, (byte)tcp.Flags);
        foreach (PacketDotNet.Tcp.TcpOption option in tcp.OptionsCollection)
        {
            digest += option switch
            {
                MaximumSegmentSizeOption mss => mss.Value,
                WindowScaleFactorOption windowScale => (ulong)windowScale.ScaleFactor << 16,
                SelectiveAcknowledgmentPermittedOption => 1ul << 24,
                TimeStampOption timestamps => ((ulong)timestamps.Value << 32) + timestamps.EchoReply,
                _ => 0,
            };
        }

        return digest;
    }

    /// <summary>The views, walking the options one by one as PacketDotNet's list does.</summary>
    [Benchmark]
    public ulong TinyStackViews()
    {
        if (!TryGetTcpSegment(_frame, out TcpSegment tcp))
        {
            return 0;
        }

        ulong digest = Digest(tcp.SourcePort, tcp.DestinationPort, tcp.SequenceNumber.Value, tcp.AcknowledgmentNumber.Value, (byte)tcp.Flags);
        foreach (Wire.TcpOption option in tcp.EnumerateOptions())
        {
            ReadOnlySpan<byte> data = option.Data;
            digest += option.Kind switch
            {
                TcpOptionKind.MaximumSegmentSize when data.Length == 2 => BinaryPrimitives.ReadUInt16BigEndian(data),
                TcpOptionKind.WindowScale when data.Length == 1 => (ulong)data[0] << 16,
                TcpOptionKind.SackPermitted => 1ul << 24,
                TcpOptionKind.Timestamps when data.Length == 8 => ((ulong)BinaryPrimitives.ReadUInt32BigEndian(data) << 32) + BinaryPrimitives.ReadUInt32BigEndian(data[4..]),
                _ => 0,
            };
        }

        return digest;
    }

    /// <summary>The views, with the options parsed into the <see cref="TcpOptions"/> value the stack uses.</summary>
    [Benchmark]
    public ulong TinyStackOptionsValue()
    {
        if (!TryGetTcpSegment(_frame, out TcpSegment tcp) || !tcp.TryGetOptions(out TcpOptions options))
        {
            return 0;
        }

        ulong digest = Digest(tcp.SourcePort, tcp.DestinationPort, tcp.SequenceNumber.Value, tcp.AcknowledgmentNumber.Value, (byte)tcp.Flags);
        digest += options.Mss ?? 0;
        digest += (ulong)(options.WindowScale ?? 0) << 16;
        digest += options.SackPermitted ? 1ul << 24 : 0;
        if (options.Timestamps is { } timestamps)
        {
            digest += ((ulong)timestamps.TsVal << 32) + timestamps.TsEcr;
        }

        return digest;
    }

    private static bool TryGetTcpSegment(ReadOnlySpan<byte> frame, out TcpSegment tcp)
    {
        tcp = default;
        return EthernetFrame.TryCreate(frame, out EthernetFrame ethernet)
            && ethernet.EtherType == EtherType.Ipv4
            && Ipv4Packet.TryCreate(ethernet.Payload, out Ipv4Packet ip)
            && ip.Protocol == IpProtocol.Tcp
            && TcpSegment.TryCreate(ip.Payload, out tcp);
    }

    private static ulong Digest(ushort sourcePort, ushort destinationPort, uint sequence, uint acknowledgment, byte flags) =>
        ((ulong)sourcePort << 48) ^ ((ulong)destinationPort << 32) ^ ((ulong)sequence << 8) ^ ((ulong)acknowledgment << 16) ^ flags;
}
