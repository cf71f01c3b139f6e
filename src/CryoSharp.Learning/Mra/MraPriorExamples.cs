using CryoSharp.Moments;
using CryoSharp.Numerics;

namespace CryoSharp.Learning.Mra;

/// <summary>
/// Synthetic instances for the supervised encoder: signals and shift distributions both mixtures of K circular
/// Gaussians (<see cref="MraSignal.GaussianMixture"/>, <see cref="ShiftDistribution.GaussianMixture"/>), and the moments of N observations at noise σ drawn by <see cref="MraMomentSampler"/>. Float arrays,
/// instance-major: signals and ρ [count, L], M̂¹ [count, L], M̂² [count, L, L].
/// </summary>
public sealed class MraPriorExamples
{
    private MraPriorExamples(int count, int length, float[] signals, float[] rhos, float[] first, float[] second)
    {
        Count = count;
        Length = length;
        Signals = signals;
        Rhos = rhos;
        FirstMoments = first;
        SecondMoments = second;
    }

    /// <summary>Instances.</summary>
    public int Count { get; }

    /// <summary>L.</summary>
    public int Length { get; }

    /// <summary>True signals [count, L].</summary>
    public float[] Signals { get; }

    /// <summary>True ρ [count, L].</summary>
    public float[] Rhos { get; }

    /// <summary>M̂¹ [count, L].</summary>
    public float[] FirstMoments { get; }

    /// <summary>M̂² [count, L, L].</summary>
    public float[] SecondMoments { get; }

    /// <summary>
    /// <paramref name="count"/> instances, in parallel, each from its own seed (the same for any thread count); bumps
    /// at least <paramref name="minimumWidth"/> samples wide (standard deviation), centred on samples with
    /// <paramref name="gridCentres"/>.
    /// </summary>
    public static MraPriorExamples Create(int count, int length, int components, long observations, double sigma, SeedSequence seeds, int threads = 1,
        double minimumWidth = 0, bool gridCentres = false)
    {
        ArgumentNullException.ThrowIfNull(seeds);
        int l = length;
        var signals = new float[count * l];
        var rhos = new float[count * l];
        var first = new float[count * l];
        var second = new float[count * l * l];
        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = threads }, i =>
        {
            var instance = seeds.Spawn("instance", i);
            var signal = MraSignal.GaussianMixture(l, components, instance.Spawn("signal"), minimumWidth, gridCentres);
            var shifts = ShiftDistribution.GaussianMixture(l, components, instance.Spawn("rho"), minimumWidth, gridCentres);
            var rho = shifts.Probabilities;
            var (m1, m2) = MraMomentSampler.Sample(signal, shifts, observations, sigma, instance.Spawn("moments"));
            for (int t = 0; t < l; t++)
            {
                signals[(i * l) + t] = (float)signal[t];
                rhos[(i * l) + t] = (float)rho[t];
                first[(i * l) + t] = (float)m1[t];
            }

            for (int t = 0; t < l * l; t++)
            {
                second[((long)i * l * l) + t] = (float)m2[t];
            }
        });
        return new MraPriorExamples(count, l, signals, rhos, first, second);
    }
}
