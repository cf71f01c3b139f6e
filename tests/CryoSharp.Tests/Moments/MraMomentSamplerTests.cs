using CryoSharp.Moments;
using CryoSharp.Numerics;

namespace CryoSharp.Tests.Moments;

public class MraMomentSamplerTests
{
    [Fact]
    public void ItsMomentsAreDistributedAsThoseOfSimulatedObservations()
    {
        // 300 instances of N = 400 observations each way: the sampler's entries and a real simulation's have the same
        // mean and spread (to the sampling error of 300 draws: about 6 % on a standard deviation).
        const int l = 7, repeats = 300;
        const long n = 400;
        const double sigma = 0.8;
        var signal = MraSignal.GaussianMixture(l, 2, new SeedSequence(1));
        var shifts = ShiftDistribution.Aperiodic(l, new SeedSequence(2));
        int[] entries = [0, 3, l + 1, (2 * l) + 5, (l * l) - 1];
        var sampled = new double[repeats, l + entries.Length];
        var simulated = new double[repeats, l + entries.Length];
        for (int r = 0; r < repeats; r++)
        {
            var (m1, m2) = MraMomentSampler.Sample(signal, shifts, n, sigma, new SeedSequence(3).Spawn("sampler", r));
            var invariants = MraInvariants.Compute(new MraSimulation(signal, shifts, sigma, n, new SeedSequence(4).Spawn("simulation", r)), sigma,
                bispectrum: false, secondMoment: true);
            for (int a = 0; a < l; a++)
            {
                sampled[r, a] = m1[a];
                simulated[r, a] = invariants.Mean[a];
            }

            for (int e = 0; e < entries.Length; e++)
            {
                sampled[r, l + e] = m2[entries[e]];
                simulated[r, l + e] = invariants.SecondMoment![entries[e]];
            }
        }

        for (int c = 0; c < l + entries.Length; c++)
        {
            var (meanA, sdA) = MeanAndSd(sampled, c);
            var (meanB, sdB) = MeanAndSd(simulated, c);
            double standardError = Math.Sqrt(((sdA * sdA) + (sdB * sdB)) / repeats);
            Assert.True(Math.Abs(meanA - meanB) < 4 * standardError, $"column {c}: means {meanA:0.0000} and {meanB:0.0000} (standard error {standardError:0.0000})");
            Assert.InRange(sdA / sdB, 0.8, 1.25);
        }
    }

    [Fact]
    public void WithoutNoiseAndWithManyObservationsItGivesTheModelMoments()
    {
        const int l = 9;
        var signal = MraSignal.GaussianMixture(l, 3, new SeedSequence(5));
        var shifts = ShiftDistribution.Aperiodic(l, new SeedSequence(6));
        var (m1, m2) = MraMomentSampler.Sample(signal, shifts, 1L << 40, 0, new SeedSequence(7));
        for (int a = 0; a < l; a++)
        {
            double first = 0;
            for (int s = 0; s < l; s++)
            {
                first += shifts.Probabilities[s] * signal[(a - s + l) % l];
            }

            Assert.Equal(first, m1[a], 1e-5);
            for (int b = 0; b < l; b++)
            {
                double second = 0;
                for (int s = 0; s < l; s++)
                {
                    second += shifts.Probabilities[s] * signal[(a - s + l) % l] * signal[(b - s + l) % l];
                }

                Assert.Equal(second, m2[(a * l) + b], 1e-5);
            }
        }
    }

    private static (double Mean, double Sd) MeanAndSd(double[,] values, int column)
    {
        int n = values.GetLength(0);
        double sum = 0, sum2 = 0;
        for (int r = 0; r < n; r++)
        {
            sum += values[r, column];
            sum2 += values[r, column] * values[r, column];
        }

        double mean = sum / n;
        return (mean, Math.Sqrt(Math.Max((sum2 / n) - (mean * mean), 0) * n / (n - 1)));
    }
}
