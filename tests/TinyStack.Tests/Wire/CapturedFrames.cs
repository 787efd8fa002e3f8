namespace TinyStack.Tests.Wire;

/// <summary>
/// Frames recorded from the Linux kernel (6.x) with tshark on a veth pair between two private
/// network namespaces: 10.0.0.1 (02:00:00:00:00:01) and 10.0.0.2 (02:00:00:00:00:02), transmit
/// checksum offload turned off (ETHTOOL_STXCSUM) so TCP/UDP checksums are final on the wire.
/// Traffic: <c>ping -c 1</c>; <c>ping -s 100</c> with both MTUs at 68 (three fragments);
/// <c>nc</c> to a TCP listener; <c>nc -u</c> to a closed port (port unreachable) and to a UDP listener;
/// a 3 MB TCP download with an nftables rule dropping a quarter of the server's data segments (SACK).
/// Copied byte for byte from the capture file.
/// </summary>
internal static class CapturedFrames
{
    /// <summary>ARP who-has 10.0.0.2 tell 10.0.0.1 (42 bytes: veth does not pad to 60).</summary>
    public const string ArpRequest = "ffffffffffff020000000001080600010800060400010200000000010a0000010000000000000a000002";

    /// <summary>ARP reply 10.0.0.2 is-at 02:00:00:00:00:02.</summary>
    public const string ArpReply = "020000000001020000000002080600010800060400020200000000020a0000020200000000010a000001";

    /// <summary>ping: echo request id 0x1a49 seq 1 with 56 data bytes (a timestamp then 0x10..0x37), IP id 0xf4e4, DF.</summary>
    public const string IcmpEchoRequest =
        "020000000002020000000001080045000054f4e44000400131c20a0000010a000002080008511a4900016713066b000000009d130c0000000000"
        + "101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637";

    /// <summary>ping -s 100 over MTU 68, first fragment: IP id 0xf4e6, MF, offset 0, 48 payload bytes (ICMP header + 40).</summary>
    public const string FragmentFirst =
        "020000000002020000000001080045000044f4e62000400151d00a0000010a0000020800c5671a4c00016713066b000000003b3f0c0000000000"
        + "101112131415161718191a1b1c1d1e1f2021222324252627";

    /// <summary>Second fragment: MF, offset 48.</summary>
    public const string FragmentMiddle =
        "020000000002020000000001080045000044f4e62006400151ca0a0000010a00000228292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
        + "404142434445464748494a4b4c4d4e4f5051525354555657";

    /// <summary>Last fragment: no MF, offset 96, 12 payload bytes.</summary>
    public const string FragmentLast = "020000000002020000000001080045000020f4e6000c400171e80a0000010a00000258595a5b5c5d5e5f60616263";

    /// <summary>Kernel SYN 10.0.0.1:39840 &gt; 10.0.0.2:80: seq 0x6e118d91 win 64240 &lt;mss 1460,sackOK,TS val 409601332 ecr 0,nop,wscale 10&gt;.</summary>
    public const string TcpSyn =
        "02000000000202000000000108004500003c66ac40004006c00d0a0000010a0000029ba000506e118d9100000000a002faf083d80000"
        + "020405b40402080a186a0534000000000103030a";

    /// <summary>SYN-ACK 10.0.0.2:80 &gt; 10.0.0.1:39840: seq 0x869d958e ack 0x6e118d92 win 65160, same option layout.</summary>
    public const string TcpSynAck =
        "02000000000102000000000208004500003c00004000400626ba0a0000020a00000100509ba0869d958e6e118d92a012fe8821830000"
        + "020405b40402080a9e69a416186a05340103030a";

    /// <summary>Pure ACK with &lt;nop,nop,TS val 409601332 ecr 2657723414&gt;.</summary>
    public const string TcpAck =
        "02000000000202000000000108004500003466ad40004006c0140a0000010a0000029ba000506e118d92869d958f8010003f4e9c0000"
        + "0101080a186a05349e69a416";

    /// <summary>PSH|ACK carrying "hello\n".</summary>
    public const string TcpData =
        "02000000000202000000000108004500003a66af40004006c00c0a0000010a0000029ba000506e118d92869d95928018003f0aaf0000"
        + "0101080a186a05349e69a41668656c6c6f0a";

    /// <summary>ACK 43280 &gt; 81 with &lt;nop,nop,TS val 462139828 ecr 4092333277,nop,nop,sack 1 {0x448d42c3:0x448d4e13}&gt;.</summary>
    public const string TcpSackAck =
        "020000000002020000000001080045000040faee400040062bc70a0000010a000002a9100051192459a4448d1583b0100471c9fd0000"
        + "0101080a1b8bb1b4f3ec0cdd0101050a448d42c3448d4e13";

    /// <summary>UDP 10.0.0.1:40000 &gt; 10.0.0.2:9 carrying "udpdata\n" (port 9 closed).</summary>
    public const string UdpToClosedPort = "020000000002020000000001080045000024c6ce400040115ff80a0000010a0000029c4000090010a73a756470646174610a";

    /// <summary>The kernel's answer: port unreachable (tos 0xc0) quoting the whole UDP datagram above.</summary>
    public const string IcmpPortUnreachable =
        "020000000001020000000002080045c00040eb3c000040017abe0a0000020a000001030311210000000045000024c6ce400040115ff8"
        + "0a0000010a0000029c4000090010a73a756470646174610a";

    /// <summary>UDP 10.0.0.1:40001 &gt; 10.0.0.2:5353 carrying "hello udp" (odd length: checksum pads a zero byte).</summary>
    public const string UdpDatagram = "020000000002020000000001080045000025764140004011b0840a0000010a0000029c4114e90011114868656c6c6f20756470";

    public static byte[] Bytes(string hex) => Convert.FromHexString(hex);

    /// <summary>The IPv4 packet inside a captured Ethernet frame.</summary>
    public static byte[] IpBytes(string hex) => Convert.FromHexString(hex)[14..];
}
