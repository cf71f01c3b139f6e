namespace CryoSharp.Reports;

/// <summary>
/// The density range mapped to black…white when an image is shown. <see cref="FromPercentiles"/> sets it from
/// percentiles of the data, so a few hot pixels do not wash out the picture.
/// </summary>
/// <param name="Low">Value shown black.</param>
/// <param name="High">Value shown white.</param>
public readonly record struct ContrastWindow(double Low, double High)
{
    /// <summary>The window between two percentiles (0–100) of the finite values; at most 1 M values are sampled.</summary>
    public static ContrastWindow FromPercentiles(ReadOnlySpan<float> values, double lowPercent = 0.5, double highPercent = 99.5)
    {
        if (!(lowPercent >= 0 && highPercent <= 100 && lowPercent < highPercent))
        {
            throw new InvalidParameterException("percentiles", $"{lowPercent}..{highPercent}", "need 0 ≤ low < high ≤ 100");
        }

        int stride = Math.Max(1, values.Length / (1 << 20));
        var sample = new List<float>((values.Length / stride) + 1);
        for (int i = 0; i < values.Length; i += stride)
        {
            if (float.IsFinite(values[i]))
            {
                sample.Add(values[i]);
            }
        }

        if (sample.Count == 0)
        {
            return new ContrastWindow(0, 1);
        }

        sample.Sort();
        double lo = sample[(int)Math.Round(lowPercent / 100 * (sample.Count - 1))];
        double hi = sample[(int)Math.Round(highPercent / 100 * (sample.Count - 1))];
        if (!(hi > lo))
        {
            // A flat image: centre its single value in the grey range.
            return new ContrastWindow(lo - 1, lo + 1);
        }

        return new ContrastWindow(lo, hi);
    }

    /// <summary>Maps values to 8-bit grey levels (NaN shows black).</summary>
    public byte[] Apply(ReadOnlySpan<float> values)
    {
        var result = new byte[values.Length];
        double scale = 255.0 / (High - Low);
        for (int i = 0; i < values.Length; i++)
        {
            double v = (values[i] - Low) * scale;
            result[i] = double.IsNaN(v) ? (byte)0 : (byte)Math.Clamp(Math.Round(v), 0, 255);
        }

        return result;
    }
}
