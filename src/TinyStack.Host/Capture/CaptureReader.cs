using PacketDotNet;
using SharpPcap;
using SharpPcap.LibPcap;

namespace TinyStack.Host.Capture;

/// <summary>
/// Reads pcap and pcapng files (through libpcap, via SharpPcap) for replay. Only Ethernet
/// captures are accepted. Not for the hot path: each frame is a fresh array.
/// </summary>
public static class CaptureReader
{
    private const long MicrosecondsPerSecond = 1_000_000;

    /// <summary>Every frame of the file, in file order.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">It is not a capture file, or not of Ethernet frames.</exception>
    /// <exception cref="InvalidOperationException">libpcap is not installed.</exception>
    public static IReadOnlyList<CapturedFrame> ReadAll(string path)
    {
        var frames = new List<CapturedFrame>();
        using CaptureFileReaderDevice device = OpenDevice(path);
        while (TryReadNext(device, path, out CapturedFrame frame))
        {
            frames.Add(frame);
        }

        return frames;
    }

    /// <summary>The frames of the file one at a time, for captures too large to hold at once.</summary>
    public static IEnumerable<CapturedFrame> Read(string path)
    {
        // Open eagerly so that a missing or bad file fails at the call, not at the first MoveNext.
        CaptureFileReaderDevice device = OpenDevice(path);
        return ReadFrom(device, path);
    }

    private static IEnumerable<CapturedFrame> ReadFrom(CaptureFileReaderDevice device, string path)
    {
        using (device)
        {
            while (TryReadNext(device, path, out CapturedFrame frame))
            {
                yield return frame;
            }
        }
    }

    private static CaptureFileReaderDevice OpenDevice(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Capture file '{path}' does not exist.", path);
        }

        CaptureFileReaderDevice device;
        try
        {
            device = new CaptureFileReaderDevice(path);
            device.Open();
        }
        catch (DllNotFoundException e)
        {
            throw new InvalidOperationException("Reading capture files needs libpcap: install it with `apt-get install libpcap0.8`.", e);
        }
        catch (TypeInitializationException e) when (e.InnerException is DllNotFoundException)
        {
            throw new InvalidOperationException("Reading capture files needs libpcap: install it with `apt-get install libpcap0.8`.", e);
        }
        catch (PcapException e)
        {
            throw new InvalidDataException($"'{path}' is not a pcap or pcapng file libpcap can read: {e.Message}", e);
        }

        if (device.LinkType != LinkLayers.Ethernet)
        {
            device.Dispose();
            throw new InvalidDataException($"'{path}' holds {device.LinkType} frames; only Ethernet captures (link type 1) can be replayed.");
        }

        return device;
    }

    private static bool TryReadNext(CaptureFileReaderDevice device, string path, out CapturedFrame frame)
    {
        GetPacketStatus status;
        PacketCapture capture;
        try
        {
            status = device.GetNextPacket(out capture);
        }
        catch (PcapException e)
        {
            throw new InvalidDataException($"'{path}' is damaged: {e.Message}", e);
        }

        if (status == GetPacketStatus.Error)
        {
            throw new InvalidDataException($"'{path}' is damaged: libpcap stopped with an error ({device.LastError}).");
        }

        if (status != GetPacketStatus.PacketRead)
        {
            frame = default;
            return false;
        }

        PosixTimeval time = capture.Header.Timeval;
        long micros = ((long)time.Seconds * MicrosecondsPerSecond) + (long)time.MicroSeconds;
        frame = new CapturedFrame(micros, capture.Data.ToArray());
        return true;
    }
}
