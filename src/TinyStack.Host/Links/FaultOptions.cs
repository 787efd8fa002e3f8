using System.Globalization;
using System.Text;
using TinyStack.Time;

namespace TinyStack.Host.Links;

/// <summary>
/// What a <see cref="FaultInjectingLink"/> does to frames. Every fault is applied independently
/// to each direction named in <see cref="Directions"/> (both by default), with its own random
/// stream derived from <see cref="Seed"/>, in virtual time.
/// </summary>
public sealed class FaultOptions
{
    /// <summary>Default bottleneck queue (Linux's default txqueuelen is 1000 packets).</summary>
    public const int DefaultQueueLimitFrames = 1000;

    /// <summary>No faults at all: the link passes frames straight through.</summary>
    public static FaultOptions None { get; } = new();

    /// <summary>Probability that a frame is lost.</summary>
    public double DropRate { get; init; }

    /// <summary>Probability that a frame is delivered twice.</summary>
    public double DuplicateRate { get; init; }

    /// <summary>
    /// Probability that a frame is held back and delivered after the next frame in its direction,
    /// or after <see cref="ReorderHold"/> if no frame follows in time.
    /// </summary>
    public double ReorderRate { get; init; }

    /// <summary>Probability that one random bit of a frame is flipped.</summary>
    public double CorruptRate { get; init; }

    /// <summary>Fixed one-way latency added to every frame (propagation delay).</summary>
    public Duration Delay { get; init; }

    /// <summary>How long a reordered frame waits for a successor before it is released anyway.</summary>
    public Duration ReorderHold { get; init; } = Duration.FromMilliseconds(1);

    /// <summary>
    /// Bottleneck rate in bits per second (0 = unlimited): a frame of N bytes occupies the link for
    /// N * 8 / rate seconds (Ethernet frame without preamble or FCS), so 1500 bytes at 1 Mbit/s take
    /// exactly 12 ms. Frames wait in a FIFO of <see cref="QueueLimitFrames"/>.
    /// </summary>
    public long RateBitsPerSecond { get; init; }

    /// <summary>
    /// Frames the bottleneck queue holds, counting the one being serialized; a frame arriving at a
    /// full queue is dropped (drop-tail). Used only with <see cref="RateBitsPerSecond"/>.
    /// </summary>
    public int QueueLimitFrames { get; init; } = DefaultQueueLimitFrames;

    /// <summary>Seed of the random streams: the same seed and the same traffic give the same faults.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Which directions the faults apply to.</summary>
    public FaultDirections Directions { get; init; } = FaultDirections.Both;

    /// <summary>True when no fault is configured, so frames pass through untouched.</summary>
    public bool IsEmpty => DropRate == 0 && DuplicateRate == 0 && ReorderRate == 0 && CorruptRate == 0
        && Delay == Duration.Zero && RateBitsPerSecond == 0;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting that is out of range.</summary>
    public void Validate()
    {
        CheckRate(DropRate, nameof(DropRate));
        CheckRate(DuplicateRate, nameof(DuplicateRate));
        CheckRate(ReorderRate, nameof(ReorderRate));
        CheckRate(CorruptRate, nameof(CorruptRate));
        if (Delay < Duration.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(Delay), Delay, "Delay cannot be negative.");
        }

        if (ReorderHold < Duration.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(ReorderHold), ReorderHold, "ReorderHold cannot be negative.");
        }

        if (RateBitsPerSecond < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(RateBitsPerSecond), RateBitsPerSecond, "RateBitsPerSecond cannot be negative (0 means unlimited).");
        }

        if (QueueLimitFrames < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(QueueLimitFrames), QueueLimitFrames, "QueueLimitFrames must be at least 1.");
        }
    }

    /// <summary>A one-line summary such as "drop=1% delay=5ms rate=1Mbit/s queue=1000 seed=7 dir=both".</summary>
    public string Describe()
    {
        if (IsEmpty)
        {
            return "no faults";
        }

        var text = new StringBuilder();
        AppendRate(text, "drop", DropRate);
        AppendRate(text, "dup", DuplicateRate);
        AppendRate(text, "reorder", ReorderRate);
        AppendRate(text, "corrupt", CorruptRate);
        if (Delay > Duration.Zero)
        {
            text.Append(CultureInfo.InvariantCulture, $"delay={Delay} ");
        }

        if (RateBitsPerSecond > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"rate={FormatBitRate(RateBitsPerSecond)} queue={QueueLimitFrames} ");
        }

        string directions = Directions switch
        {
            FaultDirections.Both => "both",
            FaultDirections.Inbound => "in",
            FaultDirections.Outbound => "out",
            _ => "none",
        };
        text.Append(CultureInfo.InvariantCulture, $"seed={Seed} dir={directions}");
        return text.ToString();
    }

    public override string ToString() => Describe();

    private static void CheckRate(double rate, string name)
    {
        if (!(rate >= 0 && rate <= 1))
        {
            throw new ArgumentOutOfRangeException(name, rate, $"{name} is a probability between 0 and 1.");
        }
    }

    private static void AppendRate(StringBuilder text, string name, double rate)
    {
        if (rate > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"{name}={rate * 100:0.###}% ");
        }
    }

    private static string FormatBitRate(long bitsPerSecond) => bitsPerSecond switch
    {
        >= 1_000_000_000 => string.Create(CultureInfo.InvariantCulture, $"{bitsPerSecond / 1e9:0.###}Gbit/s"),
        >= 1_000_000 => string.Create(CultureInfo.InvariantCulture, $"{bitsPerSecond / 1e6:0.###}Mbit/s"),
        >= 1_000 => string.Create(CultureInfo.InvariantCulture, $"{bitsPerSecond / 1e3:0.###}kbit/s"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bitsPerSecond}bit/s"),
    };
}
