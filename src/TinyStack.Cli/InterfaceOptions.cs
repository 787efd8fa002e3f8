using System.CommandLine;
using System.CommandLine.Parsing;
using TinyStack.Host.Links;
using TinyStack.Tcp;
using TinyStack.Time;
using TinyStack.Wire;

namespace TinyStack.Cli;

/// <summary>
/// The options that bring up one TinyStack interface: shared by every command that runs a stack
/// (<c>run</c>, and the client commands), so they all take the same flags.
/// </summary>
public sealed class InterfaceOptions
{
    private const int MinTcpBuffer = 1024;
    private const int MaxTcpBuffer = 1 << 30;

    public Option<string> Tap { get; } = new("--tap")
    {
        Description = "TAP device to attach to (created if it does not exist), e.g. tap0",
        Required = true,
    };

    public Option<Ipv4Cidr> Ip { get; } = new("--ip")
    {
        Description = "Our address and prefix",
        DefaultValueFactory = _ => Ipv4Cidr.Parse("10.0.0.2/24"),
        CustomParser = r => Parse<Ipv4Cidr>(r, Ipv4Cidr.TryParse, "an address with prefix such as 10.0.0.2/24"),
    };

    public Option<Ipv4Address?> Gateway { get; } = new("--gateway")
    {
        Description = "Default gateway (must be on the --ip subnet)",
        CustomParser = r => Parse<Ipv4Address>(r, Ipv4Address.TryParse, "an IPv4 address such as 10.0.0.1"),
    };

    public Option<MacAddress?> Mac { get; } = new("--mac")
    {
        Description = "Our MAC address (default: 02:54:53 followed by the low 24 bits of --ip, stable across runs)",
        CustomParser = r => Parse<MacAddress>(r, MacAddress.TryParse, "six hex pairs such as 02:00:00:00:00:02"),
    };

    public Option<int> Mtu { get; } = new("--mtu")
    {
        Description = "Link MTU in bytes (576..65535)",
        DefaultValueFactory = _ => 1500,
    };

    public Option<string?> Capture { get; } = new("--capture")
    {
        Description = "Write every frame in and out to FILE (.pcapng with reasons as comments, or .pcap)",
    };

    public Option<double> Drop { get; } = Probability("--drop", "Drop this fraction of frames, each direction (0..1)");

    public Option<double> Duplicate { get; } = Probability("--duplicate", "Duplicate this fraction of frames (0..1)");

    public Option<double> Reorder { get; } = Probability("--reorder", "Reorder this fraction of frames (0..1)");

    public Option<double> Corrupt { get; } = Probability("--corrupt", "Flip one bit in this fraction of frames (0..1)");

    public Option<Duration> Delay { get; } = new("--delay")
    {
        Description = "Add this one-way delay to every frame, e.g. 10ms",
        CustomParser = r => Parse<Duration>(r, CliParsers.TryParseDuration, "a duration such as 250us, 10ms or 1s"),
    };

    public Option<long> Rate { get; } = new("--rate")
    {
        Description = "Limit each direction to this rate with a bounded queue, e.g. 200mbit",
        CustomParser = r => Parse<long>(r, CliParsers.TryParseRate, "a rate such as 200mbit, 1gbit or 512kbit"),
    };

    public Option<int> QueueFrames { get; } = new("--queue")
    {
        Description = "Frames the --rate queue holds before it drops (drop-tail)",
        DefaultValueFactory = _ => 1000,
    };

    public Option<ulong> Seed { get; } = new("--seed")
    {
        Description = "Seed for fault injection and the stack's random choices",
        DefaultValueFactory = _ => 1,
    };

    public Option<StackLogLevel> Log { get; } = new("--log")
    {
        Description = "Log level: trace, debug, info, warning, error, none",
        DefaultValueFactory = _ => StackLogLevel.Info,
        CustomParser = r => Parse<StackLogLevel>(r, (string s, out StackLogLevel l) => Enum.TryParse(s, ignoreCase: true, out l) && Enum.IsDefined(l), "one of trace, debug, info, warning, error, none"),
    };

    public Option<int?> TcpSendBuffer { get; } = Size("--tcp-send-buffer", "Largest TCP send buffer per connection, e.g. 256k (1k..1g; default 256k)");

    public Option<int?> TcpReceiveBuffer { get; } = Size("--tcp-receive-buffer", "Largest TCP receive buffer (bounds the window), e.g. 256k (1k..1g; default 256k)");

    public Option<int?> TcpMss { get; } = new("--tcp-mss")
    {
        Description = "Clamp the TCP MSS offered and used to this many bytes (88..65495; default: MTU - 40)",
        CustomParser = r => Parse<int>(r, int.TryParse, "a whole number of bytes such as 1460 or 536"),
    };

    public Option<string?> TcpSack { get; } = OnOff("--tcp-sack", "Negotiate selective acknowledgements (RFC 2018): on or off (default on)");

    public Option<string?> TcpRackTlp { get; } = OnOff("--tcp-rack-tlp", "RACK-TLP time-based loss detection and tail loss probes on SACK connections (RFC 8985): on or off (default on)");

    public Option<string?> TcpTimestamps { get; } = OnOff("--tcp-timestamps", "Negotiate TCP timestamps (RFC 7323): on or off (default on)");

    public Option<Duration?> TcpMsl { get; } = DurationOption("--tcp-msl", "Maximum segment lifetime; TIME-WAIT lasts 2*MSL (default 30s)");

    public Option<int?> TcpMaxTimeWait { get; } = new("--tcp-max-time-wait")
    {
        Description = "Most connections held in TIME-WAIT at once; beyond it a closing connection is forgotten at once, as Linux's tcp_max_tw_buckets (default 131072)",
        HelpName = "N",
        CustomParser = r => Parse<int>(r, int.TryParse, "a whole number of connections such as 131072"),
    };

    public Option<Duration?> TcpFinTimeout { get; } = DurationOption("--tcp-fin-timeout", "How long an orphaned FIN-WAIT-2 waits for the peer's FIN (default 60s)");

    public Option<bool> NoDelay { get; } = new("--nodelay")
    {
        Description = "Disable Nagle's algorithm on every connection (TCP_NODELAY)",
    };

    /// <summary>--cc, --trace-dir and --trace-samples.</summary>
    public CongestionOptions Congestion { get; } = new();

    public void AddTo(Command command)
    {
        foreach (Option option in new Option[]
        {
            Tap, Ip, Gateway, Mac, Mtu, Capture, Drop, Duplicate, Reorder, Corrupt, Delay, Rate, QueueFrames, Seed, Log,
            TcpSendBuffer, TcpReceiveBuffer, TcpMss, TcpSack, TcpRackTlp, TcpTimestamps, TcpMsl, TcpMaxTimeWait, TcpFinTimeout, NoDelay,
        })
        {
            command.Options.Add(option);
        }

        Congestion.AddTo(command);
    }

    /// <summary>
    /// Checks the values that depend on each other (or on defaults); returns a one-line error, or
    /// null when they are usable. Done after parsing, where defaults have been applied.
    /// </summary>
    public string? Validate(ParseResult result)
    {
        int mtu = result.GetValue(Mtu);
        if (mtu is < 576 or > 65535)
        {
            return $"--mtu {mtu} is out of range: use 576..65535.";
        }

        Ipv4Cidr ip = result.GetValue(Ip);
        if (ip.Address.IsUnspecified || ip.Address.IsMulticast || ip.Address.IsLoopback || ip.Address.IsReserved)
        {
            return $"--ip {ip} is not a usable host address.";
        }

        if (result.GetValue(Gateway) is Ipv4Address gw && !ip.Contains(gw))
        {
            return $"--gateway {gw} is not on the {ip.Network}/{ip.PrefixLength} subnet of --ip.";
        }

        if (result.GetValue(Capture) is string path && !path.EndsWith(".pcap", StringComparison.OrdinalIgnoreCase)
            && !path.EndsWith(".pcapng", StringComparison.OrdinalIgnoreCase))
        {
            return $"--capture {path}: the file name must end in .pcapng or .pcap.";
        }

        foreach ((Option<int?> option, int? value) in new[] { (TcpSendBuffer, result.GetValue(TcpSendBuffer)), (TcpReceiveBuffer, result.GetValue(TcpReceiveBuffer)) })
        {
            if (value is int bytes && bytes is < MinTcpBuffer or > MaxTcpBuffer)
            {
                return $"{option.Name} {bytes} is out of range: use 1k..1g bytes (e.g. 256k).";
            }
        }

        if (result.GetValue(TcpMss) is int mss && mss is < 88 or > ushort.MaxValue - 40)
        {
            return $"--tcp-mss {mss} is out of range: use 88..65495 bytes (e.g. 1460, or 536).";
        }

        if (result.GetValue(TcpMaxTimeWait) is int timeWait && timeWait < 0)
        {
            return $"--tcp-max-time-wait {timeWait} is out of range: use 0 or more connections (0 skips TIME-WAIT).";
        }

        return Congestion.Validate(result);
    }

    /// <summary>The TCP settings the --tcp-* options and --nodelay ask for (Linux-like defaults otherwise).</summary>
    public TcpSettings ToTcpSettings(ParseResult result)
    {
        TcpSettings defaults = new();
        int send = result.GetValue(TcpSendBuffer) ?? defaults.SendBufferSize;
        int receive = result.GetValue(TcpReceiveBuffer) ?? defaults.ReceiveBufferSize;
        return new TcpSettings
        {
            SendBufferSize = send,
            ReceiveBufferSize = receive,
            InitialBufferSize = Math.Min(defaults.InitialBufferSize, Math.Min(send, receive)),
            MssClamp = result.GetValue(TcpMss),
            Sack = OnOffValue(result, TcpSack) ?? defaults.Sack,
            RackTlp = OnOffValue(result, TcpRackTlp) ?? defaults.RackTlp,
            Timestamps = OnOffValue(result, TcpTimestamps) ?? defaults.Timestamps,
            Msl = result.GetValue(TcpMsl) ?? defaults.Msl,
            MaxTimeWait = result.GetValue(TcpMaxTimeWait) ?? defaults.MaxTimeWait,
            FinWait2Timeout = result.GetValue(TcpFinTimeout) ?? defaults.FinWait2Timeout,
            NoDelay = result.GetValue(NoDelay),
        };
    }

    public StackOptions ToStackOptions(ParseResult result, IStackLogger logger)
    {
        Ipv4Cidr ip = result.GetValue(Ip);
        return new StackOptions
        {
            Address = ip,
            Gateway = result.GetValue(Gateway),
            Mac = result.GetValue(Mac) ?? DefaultMac(ip.Address),
            Mtu = result.GetValue(Mtu),
            Seed = result.GetValue(Seed),
            Tcp = Congestion.Apply(result, ToTcpSettings(result), logger),
            Logger = logger,
        };
    }

    public FaultOptions ToFaultOptions(ParseResult result) => new()
    {
        DropRate = result.GetValue(Drop),
        DuplicateRate = result.GetValue(Duplicate),
        ReorderRate = result.GetValue(Reorder),
        CorruptRate = result.GetValue(Corrupt),
        Delay = result.GetValue(Delay),
        RateBitsPerSecond = result.GetValue(Rate),
        QueueLimitFrames = result.GetValue(QueueFrames),
        Seed = result.GetValue(Seed),
    };

    /// <summary>A locally administered MAC derived from the address, so restarts keep neighbours' caches valid.</summary>
    public static MacAddress DefaultMac(Ipv4Address address) => MacAddress.FromUInt64(0x02_54_53_00_00_00UL | (address.Value & 0xFF_FFFF));

    private static Option<int?> Size(string name, string description) => new(name)
    {
        Description = description,
        CustomParser = r => Parse<int>(r, CliParsers.TryParseSize, "a size in bytes such as 65536, 64k or 4m"),
    };

    // A string, not a bool: System.CommandLine treats bool options as flags and would not take
    // "off" as their value.
    private static Option<string?> OnOff(string name, string description)
    {
        Option<string?> option = new(name) { Description = description, HelpName = "on|off" };
        option.Validators.Add(r =>
        {
            string? text = r.GetValueOrDefault<string?>();
            if (text is not null && !CliParsers.TryParseOnOff(text, out _))
            {
                r.AddError($"{name} '{text}' is not valid: expected on or off.");
            }
        });
        return option;
    }

    private static bool? OnOffValue(ParseResult result, Option<string?> option) =>
        result.GetValue(option) is string text && CliParsers.TryParseOnOff(text, out bool value) ? value : null;

    private static Option<Duration?> DurationOption(string name, string description) => new(name)
    {
        Description = description,
        CustomParser = r => Parse<Duration>(r, CliParsers.TryParseDuration, "a duration such as 500ms, 1s or 2m"),
    };

    private static Option<double> Probability(string name, string description)
    {
        Option<double> option = new(name) { Description = description };
        option.Validators.Add(r =>
        {
            double p = r.GetValueOrDefault<double>();
            if (p is < 0 or > 1 || double.IsNaN(p))
            {
                r.AddError($"{name} {p} is out of range: use a fraction from 0 to 1, e.g. 0.02 for 2%.");
            }
        });
        return option;
    }

    private delegate bool TryParser<T>(string text, out T value);

    private static T Parse<T>(ArgumentResult result, TryParser<T> parser, string expected)
    {
        string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
        if (parser(text, out T value))
        {
            return value;
        }

        string name = result.Parent is OptionResult option ? option.Option.Name : "value";
        result.AddError($"{name} '{text}' is not valid: expected {expected}.");
        return default!;
    }
}
