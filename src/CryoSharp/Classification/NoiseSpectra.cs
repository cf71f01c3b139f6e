using CryoSharp.Numerics;

namespace CryoSharp.Classification;

/// <summary>
/// The noise model shared by 2D classification and 3D refinement: σ²(s) per optics group and shell, per real or
/// imaginary component of an unscaled forward transform, and the weights 1/(2σ²) the E-step uses.
/// </summary>
internal static class NoiseSpectra
{
    /// <summary>1/(2σ²(s)) for every frequency of <paramref name="pixels"/>.</summary>
    public static float[] Weights(double[] sigma2, FourierPixelSet pixels)
    {
        var v = new float[pixels.Count];
        var shells = pixels.Shells;
        for (int f = 0; f < v.Length; f++)
        {
            int s = Math.Min(shells[f], sigma2.Length - 1);
            v[f] = (float)(1 / (2 * sigma2[s]));
        }

        return v;
    }

    /// <summary>
    /// The M-step's noise spectra: inside the frequencies in use, the posterior-weighted residuals Σ|X − C·R|²; beyond
    /// them, the images' own power (there the images are noise as far as the model can tell). Groups that saw no
    /// particle, and shells without an estimate, keep their previous σ².
    /// </summary>
    public static SortedDictionary<int, double[]> FromResiduals(SortedDictionary<int, double[]> residuals, SortedDictionary<int, double[]> fullPower,
        SortedDictionary<int, long> groupCount, SortedDictionary<int, double[]> previous, FourierPixelSet pixels, FourierShells fourierShells, int radius)
    {
        int shells = previous.Values.First().Length;
        var inSet = pixels.CountPerShell(shells);
        var full = Classification2D.ShellCounts(fourierShells, shells);
        var noise = new SortedDictionary<int, double[]>();
        foreach (var (g, residual) in residuals)
        {
            double count = groupCount[g];
            var old = previous[g];
            var sigma2 = new double[shells];
            for (int s = 0; s < shells; s++)
            {
                double value = s < radius && inSet[s] > 0
                    ? residual[s] / (2 * count * inSet[s])
                    : full[s] > 0 ? fullPower[g][s] / (2 * count * full[s]) : old[s];
                sigma2[s] = value > 0 ? value : old[s];
            }

            noise[g] = sigma2;
        }

        foreach (var (g, sigma2) in previous)
        {
            noise.TryAdd(g, sigma2);
        }

        return noise;
    }

    /// <summary>
    /// The first noise spectra, from the spread of the images about their mean per optics group: σ²(s) = (E|X|² − |E X|²)/2
    /// per component, from Σ|X|² per shell (<paramref name="groupPower"/>) and the summed spectra (<paramref name="groupSum"/>,
    /// interleaved, every half-complex element).
    /// </summary>
    public static SortedDictionary<int, double[]> FromImageSpread(SortedDictionary<int, double[]> groupPower, SortedDictionary<int, double[]> groupSum,
        SortedDictionary<int, long> groupCount, FourierShells fourierShells, int[] fullShells)
    {
        int shells = fullShells.Length;
        var noise = new SortedDictionary<int, double[]>();
        foreach (var (g, power) in groupPower)
        {
            var sigma2 = new double[shells];
            var meanPower = new double[shells];
            var mean = groupSum[g];
            double count = groupCount[g];
            var shellOf = fourierShells.ShellOfElement;
            for (int at = 0; at < shellOf.Length; at++)
            {
                if (shellOf[at] < shells)
                {
                    meanPower[shellOf[at]] += ((mean[2 * at] * mean[2 * at]) + (mean[(2 * at) + 1] * mean[(2 * at) + 1])) / (count * count);
                }
            }

            for (int s = 0; s < shells; s++)
            {
                sigma2[s] = fullShells[s] > 0 ? Math.Max(((power[s] / count) - meanPower[s]) / fullShells[s] / 2, 1e-30) : 1e-30;
            }

            noise[g] = sigma2;
        }

        return noise;
    }
}
