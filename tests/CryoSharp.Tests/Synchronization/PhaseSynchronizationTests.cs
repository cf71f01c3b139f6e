using System.Numerics;
using CryoSharp.Numerics;
using CryoSharp.Synchronization;

namespace CryoSharp.Tests.Synchronization;

public class PhaseSynchronizationTests
{
    [Theory]
    [InlineData(1.5, 0.72, 0.82, 0.95)]
    [InlineData(2.0, 0.87, 0.94, 0.995)]
    public void MultiFrequencyBeatsSpectralAsPublished(double lambda, double spectralLow, double spectralHigh, double multiFrequencyAtLeast)
    {
        // The reference (Gao and Zhao 2019, first stage only), corruption model at n = 300, r = λ/√n:
        // |Corr| ≈ 0.78 (k_max = 1) against ≈ 0.97 (k_max = 10) at λ = 1.5, and ≈ 0.91 against ≈ 0.999 at λ = 2.
        const int n = 300, trials = 6;
        double spectral = 0, multi = 0;
        for (int t = 0; t < trials; t++)
        {
            var problem = PhaseSynchronizationProblem.Corruption(n, lambda / Math.Sqrt(n), new SeedSequence(100 + t));
            spectral += problem.Correlation(PhaseSynchronization.Spectral(problem.Measurements)) / trials;
            multi += problem.Correlation(PhaseSynchronization.MultiFrequency(problem.Measurements, 10)) / trials;
        }

        Assert.InRange(spectral, spectralLow, spectralHigh);
        Assert.True(multi >= multiFrequencyAtLeast, $"k_max = 10: |Corr| = {multi:F3}");
    }

    [Theory]
    [InlineData(1.25, 0.1, 0.85)]
    [InlineData(1.5, 0.01, 0.99)]
    public void SecondStageImprovesTheFirst(double lambda, double gainAtLeast, double refinedAtLeast)
    {
        // Measured at n = 300 (mean of 8): λ = 1.25: 0.745 → 0.913; λ = 1.5: 0.969 → 0.995 (k_max = 10).
        const int n = 300, trials = 4;
        double first = 0, refined = 0;
        for (int t = 0; t < trials; t++)
        {
            var problem = PhaseSynchronizationProblem.Corruption(n, lambda / Math.Sqrt(n), new SeedSequence(100 + t));
            var start = PhaseSynchronization.MultiFrequency(problem.Measurements, 10);
            first += problem.Correlation(start) / trials;
            refined += problem.Correlation(PhaseSynchronization.MultiFrequencyRefine(problem.Measurements, 10, start)) / trials;
        }

        Assert.True(refined - first >= gainAtLeast, $"first stage {first:F3}, second {refined:F3}");
        Assert.True(refined >= refinedAtLeast, $"second stage {refined:F3}");
    }

    [Fact]
    public void OneFrequencyIsTheSpectralMethod()
    {
        var problem = PhaseSynchronizationProblem.Corruption(200, 1.8 / Math.Sqrt(200), new SeedSequence(3));
        double spectral = problem.Correlation(PhaseSynchronization.Spectral(problem.Measurements));
        double one = problem.Correlation(PhaseSynchronization.MultiFrequency(problem.Measurements, 1));
        Assert.Equal(spectral, one, 9);
    }

    [Fact]
    public void GeneralizedPowerMethodRefinesTheSpectralEstimate()
    {
        var problem = PhaseSynchronizationProblem.Gaussian(300, 0.6 * Math.Sqrt(300), new SeedSequence(4));
        var spectral = PhaseSynchronization.Spectral(problem.Measurements);
        var refined = PhaseSynchronization.GeneralizedPower(problem.Measurements, spectral);
        Assert.True(problem.Correlation(refined) >= problem.Correlation(spectral) - 1e-9);
        Assert.True(problem.Correlation(refined) > 0.8);

        // Noise-free data is recovered exactly, up to a global phase.
        var clean = PhaseSynchronizationProblem.Gaussian(50, 0, new SeedSequence(5));
        Assert.Equal(1, clean.Correlation(PhaseSynchronization.Spectral(clean.Measurements)), 9);
    }

    [Theory]
    [InlineData(1, 0.3)]
    [InlineData(5, 2.0)]
    [InlineData(10, 5.9)]
    public void PeriodogramPeakIsTheAngleOfAPureHarmonicSeries(int k, double theta)
    {
        // W_k = e^{ikθ}: the periodogram is a Dirichlet kernel peaked exactly at θ.
        var w = Enumerable.Range(1, k).Select(f => Complex.FromPolarCoordinates(1, f * theta)).ToArray();
        double peak = PeriodogramGrid.For(k).Peak(w);
        Assert.Equal(0, Math.IEEERemainder(peak - theta, 2 * Math.PI), 9);
    }

    [Fact]
    public void HigherChannelsOfGaussianDataUseTheMeasuredPhases()
    {
        // Raw entrywise powers of zz* + σW have noise growing like σᵏ: with them k_max = 10 fell to |Corr| 0.12 where
        // the spectral method had 0.90 (n = 1000, σ/√n = 0.5). Built from the measured phases they cannot hurt.
        const int n = 400;
        var problem = PhaseSynchronizationProblem.Gaussian(n, 0.5 * Math.Sqrt(n), new SeedSequence(31));
        double spectral = problem.Correlation(PhaseSynchronization.Spectral(problem.Measurements));
        double multi = problem.Correlation(PhaseSynchronization.MultiFrequency(problem.Measurements, 10));
        Assert.True(spectral > 0.8, $"spectral {spectral:F3}");
        Assert.True(multi > spectral - 0.02, $"spectral {spectral:F3}, k_max = 10: {multi:F3}");
    }

    [Fact]
    public void IncompleteGraphsLeaveUnobservedPairsEmpty()
    {
        const int n = 200;
        var problem = PhaseSynchronizationProblem.Corruption(n, 1, new SeedSequence(6), edgeProbability: 0.25);
        int observed = 0;
        for (int i = 0; i < n; i++)
        {
            for (int j = i + 1; j < n; j++)
            {
                observed += problem.Measurements[i, j] == Complex.Zero ? 0 : 1;
            }
        }

        Assert.InRange(observed / (n * (n - 1) / 2.0), 0.23, 0.27);

        // Clean data on a connected random graph is still recovered exactly, and the multi-frequency method still
        // beats the spectral one near the threshold (r = λ/√(np)).
        Assert.Equal(1, problem.Correlation(PhaseSynchronization.Spectral(problem.Measurements)), 8);
        double spectral = 0, multi = 0;
        for (int t = 0; t < 3; t++)
        {
            var noisy = PhaseSynchronizationProblem.Corruption(400, 1.5 / Math.Sqrt(400 * 0.5), new SeedSequence(60 + t), edgeProbability: 0.5);
            spectral += noisy.Correlation(PhaseSynchronization.Spectral(noisy.Measurements)) / 3;
            multi += noisy.Correlation(PhaseSynchronization.MultiFrequency(noisy.Measurements, 10)) / 3;
        }

        Assert.True(multi > spectral + 0.05, $"spectral {spectral:F3}, k_max = 10: {multi:F3}");
    }

    [Fact]
    public void ImpossibleParametersAreNamed()
    {
        Assert.Throws<InvalidParameterException>(() => PhaseSynchronizationProblem.Corruption(10, 1.5, new SeedSequence(1)));
        Assert.Throws<InvalidParameterException>(() => PhaseSynchronizationProblem.Gaussian(10, -1, new SeedSequence(1)));
        Assert.Throws<InvalidParameterException>(() => PhaseSynchronizationProblem.Gaussian(10, 1, new SeedSequence(1), edgeProbability: 1.5));
        Assert.Throws<InvalidParameterException>(() => PhaseSynchronization.MultiFrequency(new CryoSharp.Numerics.LinearAlgebra.DenseHermitianMatrix(4), 0));
    }
}
