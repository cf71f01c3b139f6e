using CryoSharp.Numerics;

namespace CryoSharp.Moments;

/// <summary>Signal families for multireference alignment experiments (length L, double precision).</summary>
public static class MraSignal
{
    /// <summary>A boxcar: <paramref name="width"/> ones from index 0, zeros after (the MRA papers' L = 41, 21 ones).</summary>
    public static double[] Boxcar(int length, int width)
    {
        CheckLength(length);
        if (width < 1 || width > length)
        {
            throw new InvalidParameterException("boxcar width", width, $"must be between 1 and the length {length}");
        }

        var x = new double[length];
        Array.Fill(x, 1.0, 0, width);
        return x;
    }

    /// <summary>Independent standard normal entries, seeded.</summary>
    public static double[] RandomGaussian(int length, SeedSequence seeds)
    {
        CheckLength(length);
        ArgumentNullException.ThrowIfNull(seeds);
        var random = seeds.CreateStream();
        var x = new double[length];
        for (int i = 0; i < length; i++)
        {
            x[i] = random.NextGaussian();
        }

        return x;
    }

    /// <summary>
    /// A smooth signal: a sum of <paramref name="components"/> circular Gaussian bumps with random centres, widths
    /// (standard deviations, uniform on L/40 to L/10, both ends raised to at least <paramref name="minimumWidth"/>
    /// samples) and signed heights (0.5 to 1.5), seeded. With <paramref name="gridCentres"/> each centre is rounded
    /// down to a sample (the same draws otherwise).
    /// </summary>
    public static double[] GaussianMixture(int length, int components, SeedSequence seeds, double minimumWidth = 0, bool gridCentres = false)
    {
        CheckLength(length);
        if (components < 1)
        {
            throw new InvalidParameterException("mixture components", components, "must be at least 1");
        }

        ArgumentNullException.ThrowIfNull(seeds);
        var random = seeds.CreateStream();
        var x = new double[length];
        double low = Math.Max(0.025 * length, minimumWidth), high = Math.Max(0.1 * length, low);
        for (int c = 0; c < components; c++)
        {
            double centre = random.NextDouble() * length;
            centre = gridCentres ? Math.Floor(centre) : centre;
            double width = low + ((high - low) * random.NextDouble());
            double height = (0.5 + random.NextDouble()) * (random.NextDouble() < 0.5 ? -1 : 1);
            for (int t = 0; t < length; t++)
            {
                double d = Math.IEEERemainder(t - centre, length);
                x[t] += height * Math.Exp(-0.5 * d * d / (width * width));
            }
        }

        return x;
    }

    /// <summary>A signal of a family: boxcar (half the length plus one, rounded down), gaussian or mixture (3 bumps).</summary>
    public static double[] Create(MraSignalKind kind, int length, SeedSequence seeds) => kind switch
    {
        MraSignalKind.Boxcar => Boxcar(length, Math.Min(length, (length / 2) + 1)),
        MraSignalKind.Gaussian => RandomGaussian(length, seeds),
        MraSignalKind.Mixture => GaussianMixture(length, 3, seeds),
        _ => throw new InvalidParameterException("signal", kind, "must be boxcar, gaussian or mixture"),
    };

    /// <summary>Rejects lengths outside 3..4096.</summary>
    public static void CheckLength(int length)
    {
        if (length is < 3 or > 4096)
        {
            throw new InvalidParameterException("signal length", length, "must be between 3 and 4096");
        }
    }
}
