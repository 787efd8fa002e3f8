using System.CommandLine;
using TinyStack.Host.Capture;
using TinyStack.Host.Replay;
using TinyStack.Time;
using TinyStack.Wire;

namespace TinyStack.Cli.Commands;

/// <summary><c>tinystack replay FILE</c>: feed a capture through the stack and print what it would send.</summary>
public static class ReplayCommand
{
    public static Command Create()
    {
        Argument<string> file = new("file") { Description = "A pcap or pcapng capture of Ethernet frames" };
        Option<Ipv4Cidr> ip = new("--ip")
        {
            Description = "The address TinyStack takes in the capture",
            DefaultValueFactory = _ => Ipv4Cidr.Parse("10.0.0.2/24"),
            CustomParser = r => Ipv4Cidr.TryParse(r.Tokens[0].Value, out Ipv4Cidr c) ? c : Fail<Ipv4Cidr>(r, "--ip", "an address with prefix such as 10.0.0.2/24"),
        };
        Option<MacAddress?> mac = new("--mac")
        {
            Description = "Our MAC (default: derived from --ip, as for 'run')",
            CustomParser = r => MacAddress.TryParse(r.Tokens[0].Value, out MacAddress m) ? m : Fail<MacAddress>(r, "--mac", "six hex pairs such as 02:00:00:00:00:02"),
        };
        Option<bool> keepOwn = new("--keep-own") { Description = "Also feed frames whose source MAC is ours (by default they are skipped: they are what the original host sent)" };

        Command command = new("replay", "Feed a capture through the stack and print what it would send, one line per frame");
        command.Arguments.Add(file);
        command.Options.Add(ip);
        command.Options.Add(mac);
        command.Options.Add(keepOwn);
        command.SetAction(result =>
        {
            string path = result.GetValue(file)!;
            if (!File.Exists(path))
            {
                Console.Error.WriteLine($"tinystack: capture file '{path}' does not exist.");
                return 1;
            }

            Ipv4Cidr address = result.GetValue(ip);
            StackOptions options = new()
            {
                Address = address,
                Mac = result.GetValue(mac) ?? InterfaceOptions.DefaultMac(address.Address),
                SendGratuitousArp = false,
            };
            IReadOnlyList<ReplayEvent> events = CaptureReplay.Run(CaptureReader.Read(path), options, !result.GetValue(keepOwn), Duration.FromSeconds(5));
            foreach (ReplayEvent e in events)
            {
                Console.Out.WriteLine(e);
            }

            return 0;
        });
        return command;
    }

    private static T Fail<T>(System.CommandLine.Parsing.ArgumentResult result, string name, string expected)
    {
        result.AddError($"{name} '{result.Tokens[0].Value}' is not valid: expected {expected}.");
        return default!;
    }
}
