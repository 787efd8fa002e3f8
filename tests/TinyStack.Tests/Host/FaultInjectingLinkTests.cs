using TinyStack.Host.Links;
using TinyStack.Time;

namespace TinyStack.Tests.Host;

public class FaultInjectingLinkTests
{
    private static Instant Us(long microseconds) => new(microseconds);

    /// <summary>The fault link wraps end A; B is the far end that sees what A transmits.</summary>
    private static (FaultInjectingLink Faulty, MemoryLink Peer) Create(FaultOptions options, int capacity = 4096)
    {
        (MemoryLink a, MemoryLink b) = MemoryLink.CreatePair(capacity: capacity);
        return (new FaultInjectingLink(a, options), b);
    }

    private static List<byte[]> Drain(ILinkDevice link, Instant now)
    {
        var frames = new List<byte[]>();
        byte[] buffer = new byte[link.Mtu + MemoryLink.LinkHeaderAllowance];
        int n;
        while ((n = link.Receive(buffer, now)) > 0)
        {
            frames.Add(buffer[..n]);
        }

        return frames;
    }

    private static int[] Sequences(IEnumerable<byte[]> frames) => [.. frames.Select(f => TestFrames.SequenceOf(f))];

    [Fact]
    public void The_same_seed_gives_the_same_faults_and_another_seed_does_not()
    {
        static List<(long Time, string Bytes)> Run(ulong seed)
        {
            var options = new FaultOptions
            {
                DropRate = 0.1,
                DuplicateRate = 0.1,
                ReorderRate = 0.1,
                CorruptRate = 0.1,
                Delay = Duration.FromMilliseconds(2),
                RateBitsPerSecond = 100_000_000,
                QueueLimitFrames = 20,
                Seed = seed,
            };
            (FaultInjectingLink faulty, MemoryLink peer) = Create(options);
            var seen = new List<(long, string)>();
            for (int i = 0; i < 3000; i++)
            {
                Instant now = Us(i * 100);
                faulty.Transmit(TestFrames.Make(i, 200 + (i % 7 * 150)), TxReason.Unspecified, now);
                peer.Transmit(TestFrames.Make(-i), TxReason.Unspecified, now);
                faulty.Poll(now);
                seen.AddRange(Drain(peer, now).Select(f => (now.Microseconds, "out " + Convert.ToHexString(f))));
                seen.AddRange(Drain(faulty, now).Select(f => (now.Microseconds, "in " + Convert.ToHexString(f))));
            }

            return seen;
        }

        List<(long, string)> first = Run(42);
        List<(long, string)> second = Run(42);
        List<(long, string)> other = Run(43);

        Assert.True(first.Count > 5000, $"expected most frames through, got {first.Count}");
        Assert.Equal(first, second);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void Fault_rates_over_100k_frames_are_within_five_standard_deviations()
    {
        const int Frames = 100_000;
        const double Drop = 0.10, Duplicate = 0.05, Corrupt = 0.02, Reorder = 0.03;
        var options = new FaultOptions
        {
            DropRate = Drop,
            DuplicateRate = Duplicate,
            CorruptRate = Corrupt,
            ReorderRate = Reorder,
            Seed = 2024,
        };
        (FaultInjectingLink faulty, MemoryLink peer) = Create(options);
        long received = 0;
        for (int i = 0; i < Frames; i++)
        {
            Instant now = Us(i * 10);
            faulty.Transmit(TestFrames.Make(i, 64), default, now);
            faulty.Poll(now);
            received += Drain(peer, now).Count;
        }

        // Release a frame still held for reordering.
        faulty.Poll(Us(Frames * 10L) + Duration.FromSeconds(1));
        received += Drain(peer, Us(Frames * 10L) + Duration.FromSeconds(1)).Count;

        FaultCounters stats = faulty.Stats.Outbound;
        long kept = Frames - stats.Dropped;
        AssertBinomial(stats.Dropped, Frames, Drop, "dropped");
        AssertBinomial(stats.Duplicated, kept, Duplicate, "duplicated");
        AssertBinomial(stats.Corrupted, kept, Corrupt, "corrupted");

        // A frame cannot be held while another is: the chance to be held is p / (1 + p).
        AssertBinomial(stats.Reordered, kept, Reorder / (1 + Reorder), "reordered");

        Assert.Equal(Frames, stats.Frames);
        Assert.Equal(kept + stats.Duplicated, stats.Delivered);
        Assert.Equal(stats.Delivered, received);
        Assert.Equal(0, faulty.Stats.Inbound.Frames);
    }

    private static void AssertBinomial(long observed, long trials, double p, string what)
    {
        double mean = trials * p;
        double sigma = Math.Sqrt(trials * p * (1 - p));
        Assert.True(Math.Abs(observed - mean) <= 5 * sigma, $"{what}: {observed}, expected {mean:0} +- {5 * sigma:0}");
    }

    [Fact]
    public void Corruption_flips_exactly_one_bit_and_can_hit_every_bit()
    {
        (FaultInjectingLink faulty, MemoryLink peer) = Create(new FaultOptions { CorruptRate = 1, Seed = 7 });
        const int Length = 64;
        bool[] hit = new bool[Length * 8];
        for (int i = 0; i < 20_000; i++)
        {
            byte[] original = TestFrames.Make(i, Length);
            faulty.Transmit(original, default, Us(i));
            List<byte[]> frames = Drain(peer, Us(i));
            byte[] corrupted = Assert.Single(frames);
            Assert.Equal(1, TestFrames.BitDifference(original, corrupted));
            for (int bit = 0; bit < Length * 8; bit++)
            {
                if (((original[bit >> 3] ^ corrupted[bit >> 3]) & (1 << (bit & 7))) != 0)
                {
                    hit[bit] = true;
                }
            }
        }

        Assert.All(hit, Assert.True);
        Assert.Equal(20_000, faulty.Stats.Outbound.Corrupted);
    }

    [Fact]
    public void Delay_holds_each_direction_for_exactly_the_delay_in_virtual_time()
    {
        (FaultInjectingLink faulty, MemoryLink peer) = Create(new FaultOptions { Delay = Duration.FromMilliseconds(5) });

        faulty.Transmit(TestFrames.Make(1), default, Us(1000));
        Assert.Equal(Us(6000), faulty.NextDeadline);
        faulty.Poll(Us(5999));
        Assert.Empty(Drain(peer, Us(5999)));
        faulty.Poll(Us(6000));
        Assert.Equal([1], Sequences(Drain(peer, Us(6000))));

        peer.Transmit(TestFrames.Make(2), default, Us(7000));
        Assert.Empty(Drain(faulty, Us(7000)));
        Assert.Equal(Us(12000), faulty.NextDeadline);
        Assert.Empty(Drain(faulty, Us(11999)));
        Assert.Equal([2], Sequences(Drain(faulty, Us(12000))));
        Assert.Equal(Instant.MaxValue, faulty.NextDeadline);
    }

    [Fact]
    public void A_1_Mbit_link_takes_exactly_12_ms_per_1500_byte_frame()
    {
        (FaultInjectingLink faulty, MemoryLink peer) = Create(new FaultOptions { RateBitsPerSecond = 1_000_000 });
        for (int i = 0; i < 3; i++)
        {
            faulty.Transmit(TestFrames.Make(i, 1500), default, Instant.Zero);
        }

        Assert.Empty(Drain(peer, Instant.Zero));
        long[] arrivals = new long[3];
        int arrived = 0;
        for (long t = 0; arrived < 3; t++)
        {
            faulty.Poll(Us(t));
            foreach (byte[] frame in Drain(peer, Us(t)))
            {
                Assert.Equal(arrived, TestFrames.SequenceOf(frame));
                arrivals[arrived++] = t;
            }
        }

        Assert.Equal([12_000, 24_000, 36_000], arrivals);

        // After the link went idle, the next frame starts serializing when it arrives.
        faulty.Transmit(TestFrames.Make(3, 1500), default, Us(100_000));
        Assert.Equal(Us(112_000), faulty.NextDeadline);
    }

    [Fact]
    public void Serialization_carries_fractions_of_a_microsecond_so_nothing_drifts()
    {
        // 1500 bytes at 7 Mbit/s take 1714.2857 us: seven back-to-back frames take exactly 12 ms.
        (FaultInjectingLink faulty, MemoryLink peer) = Create(new FaultOptions { RateBitsPerSecond = 7_000_000 });
        for (int i = 0; i < 7; i++)
        {
            faulty.Transmit(TestFrames.Make(i, 1500), default, Instant.Zero);
        }

        Assert.Equal(Us(1714), faulty.NextDeadline);
        faulty.Poll(Us(11_999));
        Assert.Equal(6, Drain(peer, Us(11_999)).Count);
        Assert.Equal(Us(12_000), faulty.NextDeadline);
    }

    [Fact]
    public void A_full_bottleneck_queue_drops_the_tail()
    {
        var options = new FaultOptions { RateBitsPerSecond = 1_000_000, QueueLimitFrames = 10 };
        (FaultInjectingLink faulty, MemoryLink peer) = Create(options);
        for (int i = 0; i < 15; i++)
        {
            faulty.Transmit(TestFrames.Make(i, 1500), default, Instant.Zero);
        }

        Assert.Equal(5, faulty.Stats.Outbound.QueueDrops);

        // At 12 ms the first frame has left the queue: there is room for one more.
        faulty.Transmit(TestFrames.Make(15, 1500), default, Us(12_000));
        faulty.Transmit(TestFrames.Make(16, 1500), default, Us(12_000));
        Assert.Equal(6, faulty.Stats.Outbound.QueueDrops);

        faulty.Poll(Us(1_000_000));
        Assert.Equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 15], Sequences(Drain(peer, Us(1_000_000))));
    }

    [Fact]
    public void Reordering_delivers_a_held_frame_right_after_its_successor()
    {
        (FaultInjectingLink faulty, MemoryLink peer) = Create(new FaultOptions { ReorderRate = 1 });
        for (int i = 0; i < 4; i++)
        {
            faulty.Transmit(TestFrames.Make(i), default, Instant.Zero);
        }

        Assert.Equal([1, 0, 3, 2], Sequences(Drain(peer, Instant.Zero)));
        Assert.Equal(2, faulty.Stats.Outbound.Reordered);
    }

    [Fact]
    public void A_held_frame_without_successor_is_released_after_the_hold_time()
    {
        var options = new FaultOptions { ReorderRate = 1, ReorderHold = Duration.FromMilliseconds(2) };
        (FaultInjectingLink faulty, MemoryLink peer) = Create(options);
        faulty.Transmit(TestFrames.Make(9), default, Instant.Zero);
        Assert.Equal(Us(2000), faulty.NextDeadline);
        faulty.Poll(Us(1999));
        Assert.Empty(Drain(peer, Us(1999)));
        faulty.Poll(Us(2000));
        Assert.Equal([9], Sequences(Drain(peer, Us(2000))));
    }

    [Fact]
    public void Duplication_delivers_the_frame_twice()
    {
        (FaultInjectingLink faulty, MemoryLink peer) = Create(new FaultOptions { DuplicateRate = 1 });
        faulty.Transmit(TestFrames.Make(1), default, Instant.Zero);
        faulty.Transmit(TestFrames.Make(2), default, Instant.Zero);
        List<byte[]> frames = Drain(peer, Instant.Zero);
        Assert.Equal([1, 1, 2, 2], Sequences(frames));
        Assert.Equal(frames[0], frames[1]);
    }

    [Fact]
    public void Faults_apply_to_both_directions_by_default()
    {
        (FaultInjectingLink faulty, MemoryLink peer) = Create(new FaultOptions { DropRate = 1 });
        faulty.Transmit(TestFrames.Make(1), default, Instant.Zero);
        peer.Transmit(TestFrames.Make(2), default, Instant.Zero);

        Assert.Empty(Drain(peer, Instant.Zero));
        Assert.Empty(Drain(faulty, Instant.Zero));
        Assert.Equal(1, faulty.Stats.Outbound.Dropped);
        Assert.Equal(1, faulty.Stats.Inbound.Dropped);
    }

    [Theory]
    [InlineData(FaultDirections.Outbound)]
    [InlineData(FaultDirections.Inbound)]
    public void Faults_apply_only_to_the_chosen_direction(FaultDirections direction)
    {
        (FaultInjectingLink faulty, MemoryLink peer) = Create(new FaultOptions { DropRate = 1, Directions = direction });
        faulty.Transmit(TestFrames.Make(1), default, Instant.Zero);
        peer.Transmit(TestFrames.Make(2), default, Instant.Zero);

        int outbound = Drain(peer, Instant.Zero).Count;
        int inbound = Drain(faulty, Instant.Zero).Count;
        Assert.Equal(direction == FaultDirections.Outbound ? 0 : 1, outbound);
        Assert.Equal(direction == FaultDirections.Inbound ? 0 : 1, inbound);
    }

    [Fact]
    public void The_outbound_note_travels_with_a_delayed_frame()
    {
        (MemoryLink a, MemoryLink b) = MemoryLink.CreatePair();
        var recorder = new NoteRecordingLink(a);
        var faulty = new FaultInjectingLink(recorder, new FaultOptions { Delay = Duration.FromMilliseconds(1) });
        faulty.Transmit(TestFrames.Make(1), new TxNote(TxReason.TcpRetransmitRto, 2), Instant.Zero);
        Assert.Empty(recorder.Notes);
        faulty.Poll(Us(1000));
        Assert.Equal([new TxNote(TxReason.TcpRetransmitRto, 2)], recorder.Notes);
        Assert.Single(Drain(b, Us(1000)));
    }

    [Fact]
    public void Verdicts_pass_through_only_when_inbound_frames_are_untouched()
    {
        (MemoryLink a, _) = MemoryLink.CreatePair();
        var recorder = new RecordingLink(a);
        var outboundOnly = new FaultInjectingLink(recorder, new FaultOptions { DropRate = 0.5, Directions = FaultDirections.Outbound });
        outboundOnly.ReportVerdict(DropReason.TcpBadChecksum);
        Assert.Equal([DropReason.TcpBadChecksum], recorder.Verdicts);

        var both = new FaultInjectingLink(recorder, new FaultOptions { DropRate = 0.5 });
        both.ReportVerdict(DropReason.Ipv4BadChecksum);
        Assert.Equal([DropReason.TcpBadChecksum], recorder.Verdicts);
    }

    [Fact]
    public void Empty_options_pass_frames_straight_through()
    {
        Assert.True(FaultOptions.None.IsEmpty);
        Assert.Equal("no faults", FaultOptions.None.Describe());
        (FaultInjectingLink faulty, MemoryLink peer) = Create(FaultOptions.None);
        faulty.Transmit(TestFrames.Make(5), default, Instant.Zero);
        Assert.Equal([5], Sequences(Drain(peer, Instant.Zero)));
        Assert.Equal(0, faulty.Stats.Outbound.Frames);
    }

    [Fact]
    public void Describe_names_every_active_fault()
    {
        var options = new FaultOptions
        {
            DropRate = 0.01,
            ReorderRate = 0.005,
            Delay = Duration.FromMilliseconds(5),
            RateBitsPerSecond = 1_000_000,
            Seed = 7,
            Directions = FaultDirections.Outbound,
        };
        Assert.Equal("drop=1% reorder=0.5% delay=5ms rate=1Mbit/s queue=1000 seed=7 dir=out", options.Describe());
    }

    [Theory]
    [InlineData(-0.1, "DropRate")]
    [InlineData(1.5, "DropRate")]
    [InlineData(double.NaN, "DropRate")]
    public void Out_of_range_options_are_rejected_by_name(double rate, string name)
    {
        ArgumentOutOfRangeException e = Assert.Throws<ArgumentOutOfRangeException>(
            () => new FaultInjectingLink(MemoryLink.CreatePair().A, new FaultOptions { DropRate = rate }));
        Assert.Equal(name, e.ParamName);
    }

    private sealed class NoteRecordingLink(ILinkDevice inner) : ILinkDevice
    {
        public List<TxNote> Notes { get; } = [];

        public int Mtu => inner.Mtu;

        public Instant NextDeadline => inner.NextDeadline;

        public int WaitHandle => inner.WaitHandle;

        public int Receive(Span<byte> buffer, Instant now) => inner.Receive(buffer, now);

        public void Transmit(ReadOnlySpan<byte> frame, in TxNote note, Instant now)
        {
            Notes.Add(note);
            inner.Transmit(frame, note, now);
        }

        public void ReportVerdict(DropReason verdict) => inner.ReportVerdict(verdict);

        public void Poll(Instant now) => inner.Poll(now);

        public void Dispose() => inner.Dispose();
    }
}
