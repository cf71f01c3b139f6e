using System.Numerics;
using CryoSharp.Moments;
using CryoSharp.Numerics;
using CryoSharp.Tests.Support;

namespace CryoSharp.Tests.Moments;

public class MraTests
{
    private static readonly double[] Boxcar = MraSignal.Boxcar(41, 21);

    [Fact]
    public void SimulatedObservationsAreShiftedCopies()
    {
        var x = MraSignal.RandomGaussian(9, new SeedSequence(3));
        var simulation = new MraSimulation(x, ShiftDistribution.Uniform(9), 0, 50, new SeedSequence(4), chunkSize: 16);
        var source = (IMraObservations)simulation;
        var rows = new float[16 * 9];
        var shifts = new int[16];
        source.Read(1, rows, shifts);
        for (int j = 0; j < 16; j++)
        {
            for (int t = 0; t < 9; t++)
            {
                Assert.Equal((float)x[(t - shifts[j] + 9) % 9], rows[(j * 9) + t]);
            }
        }

        Assert.Equal(4, source.ChunkCount);
        Assert.Equal(2, source.ChunkLength(3));
    }

    [Fact]
    public void SimulationIsTheSameInEveryProcess()
    {
        // Golden values: the shifts and noise come from fixed seeds, never from anything .NET randomises per process
        // (such as HashCode), so a run can be repeated from its seed.
        var simulation = new MraSimulation(MraSignal.Boxcar(41, 21), ShiftDistribution.Uniform(41), 1, 100, new SeedSequence(4));
        var rows = new float[100 * 41];
        var shifts = new int[100];
        ((IMraObservations)simulation).Read(0, rows, shifts);
        Assert.Equal([27, 27, 2, 22, 28, 16, 13, 27, 38, 13, 27, 32], shifts.Take(12));
        Assert.Equal(-0.9255022f, rows[0]);
    }

    [Fact]
    public void InvariantsOfCleanDataAreTheSignalsInvariants()
    {
        var x = MraSignal.RandomGaussian(12, new SeedSequence(5));
        var invariants = MraInvariants.Compute(new MraSimulation(x, ShiftDistribution.Uniform(12), 0, 300, new SeedSequence(6)), 0, secondMoment: true);
        var spectrum = SmallDft.Forward(x);
        for (int k1 = 0; k1 < 12; k1++)
        {
            Assert.Equal(spectrum[k1].Magnitude * spectrum[k1].Magnitude, invariants.PowerSpectrum[k1], 1e-4);
            for (int k2 = 0; k2 < 12; k2++)
            {
                var expected = spectrum[k1] * spectrum[k2] * Complex.Conjugate(spectrum[(k1 + k2) % 12]);
                Assert.Equal(0, (expected - invariants.Bispectrum![(k1 * 12) + k2]).Magnitude, 1e-3 * (1 + expected.Magnitude));
            }
        }

        // The second moment's Fourier form is ŷŷ* averaged: its diagonal is the power spectrum.
        var fourier = invariants.FourierSecondMoment();
        for (int k = 0; k < 12; k++)
        {
            Assert.Equal(invariants.PowerSpectrum[k], fourier[(k * 12) + k].Real, 1e-6 * (1 + invariants.PowerSpectrum[k]));
        }
    }

    [Fact]
    public void NoiseBiasIsRemoved()
    {
        // A constant signal c in noise: the raw E ŷ[0]|ŷ[k]|² carries σ²L·Lc; debiased, B[0, k] = 0 for k ≠ 0 and
        // P[k] = 0.
        const int l = 15;
        const double c = 0.5, sigma = 2;
        var x = Enumerable.Repeat(c, l).ToArray();
        var invariants = MraInvariants.Compute(new MraSimulation(x, ShiftDistribution.Uniform(l), sigma, 400_000, new SeedSequence(7)), sigma, secondMoment: true);
        double bias = sigma * sigma * l * l * c;
        for (int k = 1; k < l; k++)
        {
            Assert.True(invariants.Bispectrum![k].Magnitude < 0.03 * bias, $"B[0,{k}] = {invariants.Bispectrum[k]}");
            Assert.True(Math.Abs(invariants.PowerSpectrum[k]) < 0.02 * sigma * sigma * l);
        }

        for (int t = 0; t < l; t++)
        {
            Assert.Equal(c * c, invariants.SecondMoment![(t * l) + t], 0.05);
            Assert.Equal(c, invariants.Mean[t], 0.02);
        }
    }

    [Fact]
    public void PassesDoNotDependOnThreadCount()
    {
        var simulation = new MraSimulation(Boxcar, ShiftDistribution.Uniform(41), 1, 70_000, new SeedSequence(8), chunkSize: 4096);
        var one = MraInvariants.Compute(simulation, 1, context: ComputeContext.SingleThreaded);
        var three = MraInvariants.Compute(simulation, 1, context: ComputeContext.Default.WithThreads(3));
        Assert.Equal(one.Bispectrum, three.Bispectrum);
        Assert.Equal(one.PowerSpectrum, three.PowerSpectrum);
    }

    [Theory]
    [InlineData(MraSignalKind.Boxcar)]
    [InlineData(MraSignalKind.Gaussian)]
    public void BispectrumInversionIsExactOnCleanData(MraSignalKind family)
    {
        // Not the smooth mixture: its spectrum falls to 1e-10 by k = 20, and only the wrapped entries
        // (both |k₁|, |k₂| large) tell integer from fractional shifts, so it is recovered up to a fractional shift.
        var x = MraSignal.Create(family, 41, new SeedSequence(9));
        var invariants = MraInvariants.Compute(new MraSimulation(x, ShiftDistribution.Uniform(41), 0, 64, new SeedSequence(10)), 0);
        var estimate = BispectrumInversion.Solve(invariants, 10, new SeedSequence(1));
        var (_, error) = CircularAlignment.Align(estimate.Signal, x);
        Assert.True(error < 1e-5, $"{family}: relative error {error}");
    }

    [Fact]
    public void WeightedJointFitBeatsPlainPhaseRetrievalAtSmallN()
    {
        // The same data, N = 10⁴, σ = 1: inverse-variance weights and the joint magnitude refinement (mean of 20:
        // 0.138 → 0.092; published 0.108).
        double plain = 0, weighted = 0;
        for (int r = 0; r < 6; r++)
        {
            var invariants = MraInvariants.Compute(new MraSimulation(Boxcar, ShiftDistribution.Uniform(41), 1, 10_000, new SeedSequence(30 + r)), 1);
            plain += CircularAlignment.Align(BispectrumInversion.Solve(invariants, 10, new SeedSequence(1), weighted: false).Signal, Boxcar).RelativeError / 6;
            weighted += CircularAlignment.Align(BispectrumInversion.Solve(invariants, 10, new SeedSequence(1)).Signal, Boxcar).RelativeError / 6;
        }

        Assert.True(weighted < 0.85 * plain, $"plain {plain:F4}, weighted {weighted:F4}");
    }

    [Fact]
    public void MomentFittingRecoversSignalAndAperiodicDistribution()
    {
        // Clean data: M² holds the empirical shift histogram, so x is exact and ρ̂ is within sampling error of ρ.
        const int l = 21;
        var x = MraSignal.GaussianMixture(l, 3, new SeedSequence(11));
        var rho = ShiftDistribution.Aperiodic(l, new SeedSequence(12));
        var simulation = new MraSimulation(x, rho, 0, 200_000, new SeedSequence(13));
        var estimate = MomentFitting.Solve(MraInvariants.Compute(simulation, 0, bispectrum: false, secondMoment: true), 6, new SeedSequence(1));
        var (shift, error) = CircularAlignment.Align(estimate.Signal, x);
        Assert.True(error < 2e-3, $"x error {error}");
        Assert.True(CircularAlignment.DistributionError(estimate.Shifts!, rho.Probabilities, shift) < 0.03);
    }

    [Fact]
    public void AMinimumWidthWidensTheMixturesBumpsAndZeroChangesNothing()
    {
        // One bump each: its standard deviation, from the circular second moment about the peak, is at least the
        // minimum asked (3 samples) with it and can be under one sample without it (seeded draws).
        const int l = 41;
        static double Width(double[] f)
        {
            int peak = System.Numerics.Tensors.TensorPrimitives.IndexOfMaxMagnitude<double>(f);

            double mass = 0, second = 0;
            for (int t = 0; t < f.Length; t++)
            {
                double d = Math.IEEERemainder(t - peak, f.Length), w = Math.Abs(f[t]);
                mass += w;
                second += w * d * d;
            }

            return Math.Sqrt(second / mass);
        }

        var narrowest = double.PositiveInfinity;
        for (int seed = 0; seed < 40; seed++)
        {
            var seeds = new SeedSequence(seed);
            Assert.Equal(MraSignal.GaussianMixture(l, 1, seeds), MraSignal.GaussianMixture(l, 1, seeds, minimumWidth: 0));
            Assert.Equal(ShiftDistribution.GaussianMixture(l, 1, seeds).Probabilities, ShiftDistribution.GaussianMixture(l, 1, seeds, 0).Probabilities);
            narrowest = Math.Min(narrowest, Width(MraSignal.GaussianMixture(l, 1, seeds)));
            Assert.True(Width(MraSignal.GaussianMixture(l, 1, seeds, 3)) > 2.95, $"seed {seed}: signal bump narrower than 3 samples");
            Assert.True(Width(ShiftDistribution.GaussianMixture(l, 1, seeds, 3).Probabilities) > 2.95, $"seed {seed}: ρ bump narrower than 3 samples");
        }

        Assert.True(narrowest < 1.5, $"without a minimum the narrowest of 40 bumps is {narrowest:0.00} samples");
    }

    [Fact]
    public void GridCentresPutTheSameBumpsOnSamples()
    {
        // One bump each: on the grid it is symmetric about a sample; off it, it is not (seeded draws).
        const int l = 21;
        static double Asymmetry(double[] f)
        {
            int peak = System.Numerics.Tensors.TensorPrimitives.IndexOfMaxMagnitude<double>(f);

            double worst = 0;
            for (int d = 1; d <= f.Length / 2; d++)
            {
                worst = Math.Max(worst, Math.Abs(f[(peak + d) % f.Length] - f[(peak - d + f.Length) % f.Length]) / Math.Abs(f[peak]));
            }

            return worst;
        }

        double offGrid = 0;
        for (int seed = 0; seed < 20; seed++)
        {
            var seeds = new SeedSequence(seed);
            Assert.True(Asymmetry(MraSignal.GaussianMixture(l, 1, seeds, 1, gridCentres: true)) < 1e-12, $"seed {seed}: signal off the grid");
            Assert.True(Asymmetry(ShiftDistribution.GaussianMixture(l, 1, seeds, 1, gridCentres: true).Probabilities) < 1e-12, $"seed {seed}: ρ off the grid");
            offGrid = Math.Max(offGrid, Asymmetry(MraSignal.GaussianMixture(l, 1, seeds, 1)));
        }

        Assert.True(offGrid > 0.1, $"without grid centres the most asymmetric of 20 bumps is only {offGrid:0.000}");
    }

    [Fact]
    public void AFractionOfASampleBetweenSignalAndRhoIsInvisibleToTheMomentsOfWideBumps()
    {
        // Moving the signal's bump by half a sample and ρ's by minus half changes the signal by about a quarter of its
        // norm but, for bumps 1.5 samples wide, the moments only by about 1e-9 (M¹) and 1e-6 (M²) of theirs (Poisson
        // summation: about exp(−2π²w²) for the width w of the product of the bumps); bumps 0.5 samples wide are
        // aliased and the moments do see the move. This is why the supervised errors of the neural prior, which
        // compare up to whole-sample shifts only, keep a floor with bumps centred off the grid.
        const int l = 21;
        static double[] Bump(double centre, double width)
        {
            var f = new double[l];
            for (int t = 0; t < l; t++)
            {
                double d = Math.IEEERemainder(t - centre, l);
                f[t] = Math.Exp(-0.5 * d * d / (width * width));
            }

            return f;
        }

        static double Relative(double[] a, double[] b)
        {
            double difference = 0, norm = 0;
            for (int i = 0; i < a.Length; i++)
            {
                difference += (a[i] - b[i]) * (a[i] - b[i]);
                norm += b[i] * b[i];
            }

            return Math.Sqrt(difference / norm);
        }

        (double Signal, double First, double Second) Change(double width)
        {
            var x = Bump(10, width);
            var moved = Bump(10.5, width);
            const long n = 1_000_000_000_000_000_000;
            var (m1, m2) = MraMomentSampler.Sample(x, new ShiftDistribution(Bump(4, width)), n, 0, new SeedSequence(3));
            var (n1, n2) = MraMomentSampler.Sample(moved, new ShiftDistribution(Bump(3.5, width)), n, 0, new SeedSequence(3));
            return (Relative(moved, x), Relative(n1, m1), Relative(n2, m2));
        }

        var wide = Change(1.5);
        Assert.True(wide.Signal > 0.2, $"signal change {wide.Signal}");
        Assert.True(wide.First < 1e-8 && wide.Second < 1e-5, $"moments of 1.5-sample bumps change by {wide.First:e1}, {wide.Second:e1}");
        var narrow = Change(0.5);
        Assert.True(narrow.First > 1e-2 && narrow.Second > 1e-2, $"moments of 0.5-sample bumps change by only {narrow.First:e1}, {narrow.Second:e1}");
    }

    [Fact]
    public void OracleErrorIsTheNoiseAverage()
    {
        // E‖x̂ − x‖² = σ²L/N, so the relative error is about σ√(L/N)/‖x‖.
        const long n = 20_000;
        var simulation = new MraSimulation(Boxcar, ShiftDistribution.Uniform(41), 1, n, new SeedSequence(14));
        var (_, error) = CircularAlignment.Align(OracleAlignment.Solve(simulation).Signal, Boxcar);
        double expected = Math.Sqrt(41.0 / n) / Math.Sqrt(21);
        Assert.InRange(error, 0.7 * expected, 1.3 * expected);
    }

    [Fact]
    public void EmBeatsTheBispectrumAtModerateN()
    {
        // The published means at N = 10⁴, σ = 1 (L = 41 boxcar): bispectrum 0.108, EM 0.034.
        var simulation = new MraSimulation(Boxcar, ShiftDistribution.Uniform(41), 1, 10_000, new SeedSequence(15));
        IMraEstimator bispectrumInversion = new BispectrumInversion(new BispectrumInversionOptions { Seeds = new SeedSequence(1) });
        IMraEstimator expectationMaximization = new MraExpectationMaximization(new MraEmOptions { Tolerance = 1e-5, Seeds = new SeedSequence(1) });
        var bispectrum = bispectrumInversion.Estimate(simulation, 1);
        var em = expectationMaximization.Estimate(simulation, 1);
        double eb = CircularAlignment.Align(bispectrum.Estimate.Signal, Boxcar).RelativeError;
        double ee = CircularAlignment.Align(em.Estimate.Signal, Boxcar).RelativeError;
        Assert.InRange(eb, 0.04, 0.2);
        Assert.InRange(ee, 0.015, 0.06);
        Assert.True(ee < eb, $"EM {ee:F4}, bispectrum {eb:F4}");
    }

    [Fact]
    public void AcceleratedEmReachesThePlainFixedPointInFewerPasses()
    {
        // SQUAREM only reorders the route: both schedules stop at the same maximum of the likelihood.
        var simulation = new MraSimulation(Boxcar, ShiftDistribution.Uniform(41), 1, 20_000, new SeedSequence(21), chunkSize: 2048);
        var options = new MraEmOptions { Tolerance = 1e-7, Seeds = new SeedSequence(2) };
        var plain = MraExpectationMaximization.Solve(simulation, 1, options with { Schedule = MraEmSchedule.Plain });
        var fast = MraExpectationMaximization.Solve(simulation, 1, options);
        Assert.True(RelativeDifference(fast.Signal, plain.Signal) < 1e-4, $"{RelativeDifference(fast.Signal, plain.Signal)}");
        Assert.True(fast.Objective <= plain.Objective + 1e-6, $"fast {fast.Objective}, plain {plain.Objective}");
        Assert.True(fast.Iterations * 2 < plain.Iterations, $"fast {fast.Iterations} passes, plain {plain.Iterations}");
    }

    [Fact]
    public void AcceleratedEmWithShiftsKeepsRhoADistribution()
    {
        var simulation = new MraSimulation(Boxcar, ShiftDistribution.Aperiodic(41, new SeedSequence(22)), 1, 30_000, new SeedSequence(23), chunkSize: 2048);
        var options = new MraEmOptions { EstimateShifts = true, Tolerance = 1e-7, Seeds = new SeedSequence(2) };
        var plain = MraExpectationMaximization.Solve(simulation, 1, options with { Schedule = MraEmSchedule.Plain });
        var fast = MraExpectationMaximization.Solve(simulation, 1, options);
        Assert.All(fast.Shifts!, p => Assert.True(p >= 0));
        Assert.Equal(1, fast.Shifts!.Sum(), 1e-6);
        Assert.True(RelativeDifference(fast.Signal, plain.Signal) < 1e-3, $"{RelativeDifference(fast.Signal, plain.Signal)}");
        Assert.True(RelativeDifference(fast.Shifts!, plain.Shifts!) < 1e-3);
        Assert.True(fast.Iterations < plain.Iterations, $"fast {fast.Iterations} passes, plain {plain.Iterations}");
    }

    [Fact]
    public void EmGivesTheSameBitsCachedOrNotAndOnAnyThreadCount()
    {
        var simulation = new MraSimulation(Boxcar, ShiftDistribution.Uniform(41), 1, 9000, new SeedSequence(24), chunkSize: 1000);
        var options = new MraEmOptions { MaxIterations = 12, Tolerance = 0, Seeds = new SeedSequence(2) };
        var cached = MraExpectationMaximization.Solve(simulation, 1, options with { Context = ComputeContext.Default.WithThreads(2) });
        var streamed = MraExpectationMaximization.Solve(simulation, 1, options with { CacheBytes = 0, Context = ComputeContext.Default.WithThreads(1) });
        Assert.Equal(12, cached.Iterations);
        Assert.Equal(cached.Signal, streamed.Signal);
        Assert.Equal(cached.Objective, streamed.Objective);
    }

    [Theory]
    [InlineData(10_000_000L, new[] { 6, 61, 611 })]
    [InlineData(1_000_000L, new[] { 6, 62 })]
    [InlineData(100_000L, new[] { 7 })]
    public void FastEmGrowsItsSubsetsTenfoldFromFiftyThousandObservations(long count, int[] expected)
    {
        var simulation = new MraSimulation(Boxcar, ShiftDistribution.Uniform(41), 1, count, new SeedSequence(25));
        Assert.Equal(expected, MraExpectationMaximization.Stages(simulation, MraEmSchedule.Fast));
        Assert.Equal([((IMraObservations)simulation).ChunkCount], MraExpectationMaximization.Stages(simulation, MraEmSchedule.Plain));
    }

    private static double RelativeDifference(double[] a, double[] b) =>
        Math.Sqrt(a.Zip(b, (u, v) => (u - v) * (u - v)).Sum() / b.Sum(v => v * v));

    [Fact]
    public void EmOnCleanishDataFindsTheSignal()
    {
        var x = MraSignal.RandomGaussian(17, new SeedSequence(16));
        var simulation = new MraSimulation(x, ShiftDistribution.Aperiodic(17, new SeedSequence(17)), 0.1, 3000, new SeedSequence(18));
        var estimate = MraExpectationMaximization.Solve(simulation, 0.1, new MraEmOptions { EstimateShifts = true, Seeds = new SeedSequence(3) });
        var (shift, error) = CircularAlignment.Align(estimate.Signal, x);
        Assert.True(error < 0.01, $"x error {error}");
        Assert.True(CircularAlignment.DistributionError(estimate.Shifts!, simulation.Shifts.Probabilities, shift) < 0.1);
    }

    [Fact]
    public void SmallDftMatchesFftw()
    {
        var x = MraSignal.RandomGaussian(41, new SeedSequence(19));
        var spectrum = SmallDft.Forward(x);
        var fftw = new ComplexF[21];
        CryoSharp.Numerics.Fft.Fft.Forward([.. x.Select(v => (float)v)], new GridShape(41), fftw, CryoSharp.Numerics.Fft.FftOrigin.Corner);
        for (int k = 0; k < 21; k++)
        {
            Assert.Equal(spectrum[k].Real, fftw[k].Re, 1e-4);
            Assert.Equal(spectrum[k].Imaginary, fftw[k].Im, 1e-4);
        }

        var back = SmallDft.InverseReal(spectrum);
        for (int t = 0; t < 41; t++)
        {
            Assert.Equal(x[t], back[t], 1e-12);
        }
    }

    [Fact]
    public void AlignmentFindsTheShift()
    {
        var x = MraSignal.RandomGaussian(10, new SeedSequence(20));
        var shifted = Enumerable.Range(0, 10).Select(t => x[(t - 3 + 10) % 10]).ToArray();
        var (shift, error) = CircularAlignment.Align(shifted, x);
        Assert.Equal(3, shift);
        Assert.Equal(0, error, 12);
        var rho = ShiftDistribution.Aperiodic(10, new SeedSequence(21)).Probabilities;

        // x̂ = R₃x sees ρ̂[t − 3] = ρ[t].
        var rhoHat = Enumerable.Range(0, 10).Select(t => rho[(t + 3) % 10]).ToArray();
        Assert.Equal(0, CircularAlignment.DistributionError(rhoHat, rho, 3), 12);
    }

    [Fact]
    public void ShiftSamplingFollowsTheDistribution()
    {
        var rho = ShiftDistribution.Aperiodic(7, new SeedSequence(22));
        var random = new Random(23);
        var counts = new int[7];
        for (int i = 0; i < 70_000; i++)
        {
            counts[rho.Sample(random.NextDouble())]++;
        }

        for (int s = 0; s < 7; s++)
        {
            Assert.Equal(rho.Probabilities[s], counts[s] / 70_000.0, 0.01);
        }

        Assert.Throws<InvalidParameterException>(() => new ShiftDistribution([1.0, -1.0]));
        Assert.Throws<InvalidParameterException>(() => new MraSimulation(Boxcar, ShiftDistribution.Uniform(41), -1, 10, new SeedSequence(1)));
        Assert.Throws<InvalidParameterException>(() => MraSignal.Boxcar(41, 50));
    }
}
