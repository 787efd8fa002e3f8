using System.Text;
using TinyStack.Tcp;
using TinyStack.Wire;

namespace TinyStack.Tests.Wire;

public class TcpSegmentTests
{
    private static readonly Ipv4Address s_ip1 = new(10, 0, 0, 1);
    private static readonly Ipv4Address s_ip2 = new(10, 0, 0, 2);

    [Fact]
    public void Parses_captured_kernel_syn_with_all_four_options()
    {
        byte[] segment = Segment(CapturedFrames.TcpSyn);

        Assert.True(TcpSegment.TryCreate(segment, out TcpSegment tcp));

        Assert.Equal(39840, tcp.SourcePort);
        Assert.Equal(80, tcp.DestinationPort);
        Assert.Equal(new SeqNumber(0x6e118d91), tcp.SequenceNumber);
        Assert.Equal(new SeqNumber(0), tcp.AcknowledgmentNumber);
        Assert.Equal(40, tcp.HeaderLength);
        Assert.Equal(TcpFlags.Syn, tcp.Flags);
        Assert.Equal(64240, tcp.Window);
        Assert.Equal(0x83d8, tcp.Checksum);
        Assert.Equal(0, tcp.UrgentPointer);
        Assert.Equal(20, tcp.OptionBytes.Length);
        Assert.True(tcp.Payload.IsEmpty);
        Assert.Equal(1, tcp.SegmentLength);
        Assert.True(tcp.IsChecksumValid(s_ip1, s_ip2));
        Assert.False(tcp.IsChecksumValid(s_ip1, new Ipv4Address(10, 0, 0, 3)));

        Assert.True(tcp.TryGetOptions(out TcpOptions options));
        Assert.Equal((ushort)1460, options.Mss);
        Assert.True(options.SackPermitted);
        Assert.Equal(new TcpTimestamps(409601332, 0), options.Timestamps);
        Assert.Equal((byte)10, options.WindowScale);
        Assert.Equal(0, options.SackBlockCount);

        Assert.Equal(
            "TCP 10.0.0.1:39840 > 10.0.0.2:80 [S] seq=1846644113 win=64240 <mss 1460,sackOK,TS val 409601332 ecr 0,nop,wscale 10>",
            tcp.ToString(s_ip1, s_ip2));
        Assert.StartsWith("TCP 39840 > 80 [S] seq=1846644113", tcp.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Parses_captured_syn_ack()
    {
        Assert.True(TcpSegment.TryCreate(Segment(CapturedFrames.TcpSynAck), out TcpSegment tcp));

        Assert.Equal(TcpFlags.Syn | TcpFlags.Ack, tcp.Flags);
        Assert.Equal(new SeqNumber(0x869d958e), tcp.SequenceNumber);
        Assert.Equal(new SeqNumber(0x6e118d92), tcp.AcknowledgmentNumber);
        Assert.True(tcp.IsChecksumValid(s_ip2, s_ip1));
        Assert.True(tcp.TryGetOptions(out TcpOptions options));
        Assert.Equal(new TcpTimestamps(2657723414, 409601332), options.Timestamps);
        Assert.Equal(
            "TCP 10.0.0.2:80 > 10.0.0.1:39840 [S.] seq=2258474382 ack=1846644114 win=65160 <mss 1460,sackOK,TS val 2657723414 ecr 409601332,nop,wscale 10>",
            tcp.ToString(s_ip2, s_ip1));
    }

    [Fact]
    public void Parses_captured_data_segment()
    {
        Assert.True(TcpSegment.TryCreate(Segment(CapturedFrames.TcpData), out TcpSegment tcp));

        Assert.Equal(TcpFlags.Psh | TcpFlags.Ack, tcp.Flags);
        Assert.Equal(32, tcp.HeaderLength);
        Assert.Equal("hello\n", Encoding.ASCII.GetString(tcp.Payload));
        Assert.Equal(6, tcp.SegmentLength);
        Assert.True(tcp.IsChecksumValid(s_ip1, s_ip2));
        Assert.True(tcp.TryGetOptions(out TcpOptions options));
        Assert.Equal(new TcpOptions { Timestamps = new TcpTimestamps(409601332, 2657723414) }, options);
        Assert.Equal(
            "TCP 10.0.0.1:39840 > 10.0.0.2:80 [P.] seq=1846644114 ack=2258474386 win=63 len=6 <nop,nop,TS val 409601332 ecr 2657723414>",
            tcp.ToString(s_ip1, s_ip2));
    }

    [Fact]
    public void Parses_captured_sack_block()
    {
        Assert.True(TcpSegment.TryCreate(Segment(CapturedFrames.TcpSackAck), out TcpSegment tcp));

        Assert.True(tcp.IsChecksumValid(s_ip1, s_ip2));
        Assert.True(tcp.TryGetOptions(out TcpOptions options));
        Assert.Equal(1, options.SackBlockCount);
        Assert.Equal(new SackBlock(new SeqNumber(0x448d42c3), new SeqNumber(0x448d4e13)), options.GetSackBlock(0));
        Assert.True(options.GetSackBlock(0).Left > tcp.AcknowledgmentNumber);
        Assert.Equal(new TcpTimestamps(462139828, 4092333277), options.Timestamps);
        Assert.EndsWith("<nop,nop,TS val 462139828 ecr 4092333277,nop,nop,sack 1 {1150108355:1150111251}>", tcp.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(CapturedFrames.TcpSyn, true)]
    [InlineData(CapturedFrames.TcpSynAck, false)]
    [InlineData(CapturedFrames.TcpAck, true)]
    [InlineData(CapturedFrames.TcpData, true)]
    [InlineData(CapturedFrames.TcpSackAck, true)]
    public void Header_round_trips_byte_for_byte(string hex, bool fromClient)
    {
        byte[] segment = Segment(hex);
        (Ipv4Address source, Ipv4Address destination) = fromClient ? (s_ip1, s_ip2) : (s_ip2, s_ip1);
        Assert.True(TcpSegment.TryCreate(segment, out TcpSegment tcp));
        Assert.True(tcp.TryToHeader(out TcpHeader header));
        Assert.Equal(tcp.HeaderLength, header.Length);

        byte[] rebuilt = (byte[])segment.Clone();
        rebuilt.AsSpan(0, header.Length).Fill(0xEE);
        header.WriteTo(rebuilt, source, destination);

        Assert.Equal(segment, rebuilt);
    }

    [Fact]
    public void Rejects_impossible_data_offsets()
    {
        byte[] segment = Segment(CapturedFrames.TcpSyn);

        Assert.False(TcpSegment.TryCreate(segment.AsSpan(0, 19), out _));
        Assert.False(TcpSegment.TryCreate(segment.AsSpan(0, 39), out _)); // header says 40 bytes
        segment[12] = 0x40; // 16 bytes, below the minimum
        Assert.False(TcpSegment.TryCreate(segment, out _));
        segment[12] = 0x50;
        Assert.True(TcpSegment.TryCreate(segment, out TcpSegment noOptions));
        Assert.True(noOptions.OptionBytes.IsEmpty);
        Assert.Equal(20, noOptions.Payload.Length); // the options are now payload
    }

    [Theory]
    [InlineData("0200")]                 // MSS with length 0
    [InlineData("0201")]                 // length 1
    [InlineData("01020405")]             // MSS running past the end of the header
    [InlineData("01010103")]             // window scale with no room for its length byte
    [InlineData("080a0000000100000002fe")] // timestamps, then kind 254 whose length is padding (0)
    [InlineData("1e0c00000000")]         // unknown kind 30 claiming 12 bytes with 6 left
    public void Malformed_option_lengths_fail_to_parse(string optionsHex)
    {
        byte[] segment = SegmentWithOptions(optionsHex);
        Assert.True(TcpSegment.TryCreate(segment, out TcpSegment tcp));

        Assert.False(tcp.TryGetOptions(out _));
        Assert.False(tcp.TryToHeader(out _));
        Assert.Contains("[bad opt]", tcp.ToString(), StringComparison.Ordinal);
        TcpOptionEnumerator options = tcp.EnumerateOptions();
        while (options.MoveNext())
        {
        }

        Assert.True(options.IsMalformed);
    }

    [Fact]
    public void Unknown_options_and_known_ones_with_wrong_lengths_are_skipped()
    {
        // kind 30 len 4, MSS with len 5 (wrong), window scale 7, kind 254 len 2, then MSS 536.
        byte[] segment = SegmentWithOptions("1e04abcd" + "0205010203" + "030307" + "fe02" + "02040218" + "00");
        Assert.True(TcpSegment.TryCreate(segment, out TcpSegment tcp));

        Assert.True(tcp.TryGetOptions(out TcpOptions options));
        Assert.Equal(new TcpOptions { Mss = 536, WindowScale = 7 }, options);
        Assert.Contains("<opt-30 abcd,opt-2 010203,wscale 7,opt-254,mss 536,eol>", tcp.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void End_of_list_stops_parsing_and_the_rest_is_padding()
    {
        // MSS 1460, EOL, then garbage that would be malformed if it were read.
        byte[] segment = SegmentWithOptions("020405b4" + "00" + "0200ff");
        Assert.True(TcpSegment.TryCreate(segment, out TcpSegment tcp));

        Assert.True(tcp.TryGetOptions(out TcpOptions options));
        Assert.Equal(new TcpOptions { Mss = 1460 }, options);
        int kinds = 0;
        foreach (TcpOption option in tcp.EnumerateOptions())
        {
            Assert.Equal(kinds == 0 ? TcpOptionKind.MaximumSegmentSize : TcpOptionKind.EndOfList, option.Kind);
            kinds++;
        }

        Assert.Equal(2, kinds);
    }

    [Fact]
    public void Checksum_covers_payload_and_pseudo_header()
    {
        byte[] segment = Segment(CapturedFrames.TcpData);
        segment[^1] ^= 0x20;

        Assert.True(TcpSegment.TryCreate(segment, out TcpSegment tcp));
        Assert.False(tcp.IsChecksumValid(s_ip1, s_ip2));
    }

    [Fact]
    public void WriteTo_checks_the_buffer()
    {
        var header = new TcpHeader(1, 2, new SeqNumber(3), new SeqNumber(4), TcpFlags.Ack, 5, new TcpOptions { Mss = 1460 });

        Assert.Equal(24, header.Length);
        Assert.Throws<ArgumentException>(() => header.WriteTo(new byte[23], s_ip1, s_ip2));
        Assert.Throws<ArgumentException>(() => header.WriteTo(new byte[65536], s_ip1, s_ip2));
    }

    [Fact]
    public void Flags_print_in_tcpdump_order()
    {
        Assert.Equal("none", TcpHeader.FormatFlags(TcpFlags.None));
        Assert.Equal("S", TcpHeader.FormatFlags(TcpFlags.Syn));
        Assert.Equal("S.", TcpHeader.FormatFlags(TcpFlags.Syn | TcpFlags.Ack));
        Assert.Equal("FP.", TcpHeader.FormatFlags(TcpFlags.Ack | TcpFlags.Psh | TcpFlags.Fin));
        Assert.Equal("R", TcpHeader.FormatFlags(TcpFlags.Rst));
        Assert.Equal("FSRP.UEW", TcpHeader.FormatFlags((TcpFlags)0xFF));
    }

    [Fact]
    public void Header_summary_matches_the_segment_summary()
    {
        var header = new TcpHeader(49500, 80, new SeqNumber(123), default, TcpFlags.Syn, 64240,
            new TcpOptions { Mss = 1460, SackPermitted = true, Timestamps = new TcpTimestamps(1, 0), WindowScale = 7 });
        byte[] segment = new byte[header.Length];
        header.WriteTo(segment, s_ip1, s_ip2);

        Assert.True(TcpSegment.TryCreate(segment, out TcpSegment tcp));
        Assert.Equal("TCP 10.0.0.1:49500 > 10.0.0.2:80 [S] seq=123 win=64240 <mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7>", tcp.ToString(s_ip1, s_ip2));
        Assert.Equal(tcp.ToString(), header.ToString());
        Assert.Equal("TCP 1 > 2 [.U] seq=3 ack=4 win=5 urg=9", new TcpHeader(1, 2, new SeqNumber(3), new SeqNumber(4), TcpFlags.Ack | TcpFlags.Urg, 5, UrgentPointer: 9).ToString());
    }

    private static byte[] Segment(string frameHex)
    {
        byte[] ip = CapturedFrames.IpBytes(frameHex);
        return ip[((ip[0] & 0x0F) * 4)..];
    }

    /// <summary>A bare ACK header followed by the given options, padded with EOL to a 4-byte multiple.</summary>
    private static byte[] SegmentWithOptions(string optionsHex)
    {
        byte[] options = Convert.FromHexString(optionsHex);
        int optionsLength = (options.Length + 3) / 4 * 4;
        byte[] segment = new byte[20 + optionsLength];
        new TcpHeader(1000, 2000, new SeqNumber(1), new SeqNumber(2), TcpFlags.Ack, 100).WriteTo(segment.AsSpan(0, 20), s_ip1, s_ip2);
        segment[12] = (byte)(((20 + optionsLength) / 4) << 4);
        options.CopyTo(segment, 20);
        return segment;
    }
}
