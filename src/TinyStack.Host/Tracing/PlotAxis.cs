using System.Globalization;

namespace TinyStack.Host.Tracing;

/// <summary>
/// One axis of a plot: a value range mapped onto a pixel range, with "nice" tick values
/// (1, 2 or 5 times a power of ten) so that labels read well.
/// </summary>
internal sealed class PlotAxis
{
    public PlotAxis(double maxValue, double pixelStart, double pixelEnd, int targetTicks)
    {
        double max = maxValue > 0 && double.IsFinite(maxValue) ? maxValue : 1;
        Step = NiceStep(max / targetTicks);
        Max = Math.Ceiling(max / Step) * Step;
        PixelStart = pixelStart;
        PixelEnd = pixelEnd;
    }

    /// <summary>The axis runs from 0 to this value (a whole number of steps).</summary>
    public double Max { get; }

    /// <summary>Distance between ticks.</summary>
    public double Step { get; }

    public double PixelStart { get; }

    public double PixelEnd { get; }

    /// <summary>Tick values from 0 to <see cref="Max"/>.</summary>
    public IEnumerable<double> Ticks
    {
        get
        {
            int count = (int)Math.Round(Max / Step);
            for (int i = 0; i <= count; i++)
            {
                yield return i * Step;
            }
        }
    }

    /// <summary>The pixel coordinate of <paramref name="value"/> (clamped to the axis).</summary>
    public double ToPixel(double value)
    {
        double fraction = Math.Clamp(value / Max, 0, 1);
        return PixelStart + (fraction * (PixelEnd - PixelStart));
    }

    /// <summary>A tick label with no more decimals than the step needs.</summary>
    public string Label(double value)
    {
        int decimals = Step >= 1 ? 0 : (int)Math.Ceiling(-Math.Log10(Step) - 1e-9);
        return value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    }

    /// <summary>The smallest of 1, 2, 5 times a power of ten that is at least <paramref name="rough"/>.</summary>
    public static double NiceStep(double rough)
    {
        if (rough <= 0 || !double.IsFinite(rough))
        {
            return 1;
        }

        double power = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        double fraction = rough / power;
        double nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
        return nice * power;
    }
}
