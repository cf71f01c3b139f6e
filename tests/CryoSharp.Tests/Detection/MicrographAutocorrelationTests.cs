using CryoSharp.ClassAveraging;
using CryoSharp.Detection;
using CryoSharp.Imaging;
using CryoSharp.Numerics;

namespace CryoSharp.Tests.Detection;

public class MicrographAutocorrelationTests
{
    /// <summary>Third-order lags at L = 5.</summary>
    private static readonly int N3 = new ThirdOrderLags(5).Count;

    private static RotatedImageTargets Targets(int size, int seed = 5) =>
        new(BlobImagePhantom.Create(size, 2.0, new SeedSequence(seed)));

    /// <summary>The autocorrelations of an L × L image by their definitions, in double precision.</summary>
    private static (double First, double[] Second, double[] Third) Direct(float[] y, int width, int height, int l)
    {
        double Pixel(int r, int c) => r >= 0 && r < height && c >= 0 && c < width ? y[(r * width) + c] : 0;
        int span = (2 * l) - 1;
        var lags = new ThirdOrderLags(l);
        int n = lags.Count;
        double first = 0;
        var second = new double[span * span];
        var third = new double[n * n];
        for (int r = 0; r < height; r++)
        {
            for (int c = 0; c < width; c++)
            {
                double v = Pixel(r, c);
                first += v;
                for (int dy = 0; dy < l; dy++)
                {
                    for (int dx = -(l - 1); dx < l; dx++)
                    {
                        double s = v * Pixel(r + dy, c + dx);
                        second[((dy + l - 1) * span) + dx + l - 1] += s;
                        second[((-dy + l - 1) * span) - dx + l - 1] += dy == 0 && dx == 0 ? 0 : s;
                    }
                }

                for (int q1 = 0; q1 < n; q1++)
                {
                    double z = v * Pixel(r + lags.Dy[q1], c + lags.Dx[q1]);
                    for (int q2 = 0; q2 < n; q2++)
                    {
                        third[(q1 * n) + q2] += lags.IsUsed(q1, q2) ? z * Pixel(r + lags.Dy[q2], c + lags.Dx[q2]) : 0;
                    }
                }
            }
        }

        // a² was summed over dy ≥ 0 and mirrored, which counts dy = 0 twice.
        for (int dx = -(l - 1); dx < l; dx++)
        {
            if (dx != 0)
            {
                second[((l - 1) * span) + dx + l - 1] /= 2;
            }
        }

        return (first, second, third);
    }

    private static double MaxDifference(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double m = 0;
        for (int i = 0; i < a.Length; i++)
        {
            m = Math.Max(m, Math.Abs(a[i] - b[i]));
        }

        return m;
    }

    private static double MaxAbs(ReadOnlySpan<double> a)
    {
        double m = 0;
        foreach (double v in a)
        {
            m = Math.Max(m, Math.Abs(v));
        }

        return m;
    }

    [Fact]
    public void ThePassMatchesTheDefinitionsAndDoesNotDependOnTheThreads()
    {
        var simulation = new MicrographSimulation(Targets(5), 2100 + 37, 23, 0.1, 1, MtdSpacing.Arbitrary, new SeedSequence(6));
        var y = new float[simulation.Width * simulation.Height];
        simulation.ReadRows(0, simulation.Height, y);
        var (first, second, third) = Direct(y, simulation.Width, simulation.Height, 5);
        double pixels = y.Length;
        var pass = MicrographAutocorrelations.Compute(simulation, 5, ComputeContext.SingleThreaded);
        Assert.Equal(first / pixels, pass.First, 1e-6);
        Assert.True(MaxDifference(pass.Second, [.. second.Select(v => v / pixels)]) < 1e-5 * MaxAbs(pass.Second));
        Assert.True(MaxDifference(pass.Third, [.. third.Select(v => v / pixels)]) < 1e-5 * MaxAbs(pass.Third));

        var threaded = MicrographAutocorrelations.Compute(simulation, 5, ComputeContext.Default.WithThreads(3));
        Assert.Equal(pass.Second, threaded.Second);
        Assert.Equal(pass.Third, threaded.Third);

        // Debiasing removes σ² at lag 0 and σ²a¹ on the three delta lines.
        var debiased = pass.Debias(2);
        Assert.Equal(pass.Second[pass.SecondIndex(0, 0)] - 4, debiased.Second[debiased.SecondIndex(0, 0)], 12);
        Assert.Equal(pass.Third[0] - (3 * 4 * pass.First), debiased.Third[0], 12);
        Assert.Equal(pass.Third[3] - (4 * pass.First), debiased.Third[3], 12);
        int n = pass.Lags.Count;
        Assert.Equal(pass.Third[(7 * n) + 7] - (4 * pass.First), debiased.Third[(7 * n) + 7], 12);
        Assert.Equal(pass.Third[(7 * n) + 8], debiased.Third[(7 * n) + 8]);

        // Triangles whose top and left vertices differ are there: lags with dx < 0.
        int mirror = Enumerable.Range(0, n).First(q => pass.Lags.Dy[q] == 1 && pass.Lags.Dx[q] == -1);
        Assert.NotEqual(0, pass.Third[(1 * n) + mirror]);
    }

    [Fact]
    public void TheModelIsTheExactMeanOverUniformRotations()
    {
        var targets = Targets(7);
        var basis = targets.Basis;
        var model = new RotationAveragedAutocorrelations(basis);
        Assert.Equal((3 * basis.MaxFrequency) + 1, model.Rotations);
        var p = model.Pack(targets.Coefficients);
        Assert.Equal(targets.Coefficients, model.Unpack(p));
        int l = 7, span = 13, lags = 49, n = new ThirdOrderLags(7).Count;
        var second = new double[span * span];
        var third = new double[n * n];
        double first = model.Evaluate(p, 0.2, second, third);

        // The definitions, averaged over many more angles (not a multiple of K): the same to rounding.
        int many = (5 * model.Rotations) + 3;
        var image = new float[lags];
        var turned = new ComplexF[basis.Count];
        double f = 0;
        var s2 = new double[span * span];
        var s3 = new double[n * n];
        for (int k = 0; k < many; k++)
        {
            targets.Coefficients.CopyTo(turned, 0);
            basis.Rotate(turned, (2 * Math.PI * k / many) + 0.3);
            basis.Evaluate(turned, 1, image);
            var (a1, a2, a3) = Direct(image, l, l, l);
            f += a1;
            for (int i = 0; i < s2.Length; i++)
            {
                s2[i] += a2[i];
            }

            for (int i = 0; i < s3.Length; i++)
            {
                s3[i] += a3[i];
            }
        }

        double c = 0.2 / lags / many;
        Assert.Equal(f * c, first, 1e-6 * Math.Abs(first));
        Assert.True(MaxDifference(second, [.. s2.Select(v => v * c)]) < 1e-5 * MaxAbs(second));
        Assert.True(MaxDifference(third, [.. s3.Select(v => v * c)]) < 1e-5 * MaxAbs(third));

        // Too few angles is a quadrature, and a visibly wrong one.
        var coarse = new RotationAveragedAutocorrelations(basis, basis.MaxFrequency);
        var c3 = new double[n * n];
        coarse.Evaluate(p, 0.2, new double[span * span], c3);
        Assert.True(MaxDifference(third, c3) > 1e-3 * MaxAbs(third));
    }

    [Fact]
    public void BackpropagationIsTheGradient()
    {
        var targets = Targets(5);
        var model = new RotationAveragedAutocorrelations(targets.Basis);
        var random = new RandomStream(11);
        var p = model.Pack(targets.Coefficients);
        for (int j = 0; j < p.Length; j++)
        {
            p[j] += 0.3 * random.NextGaussian();
        }

        var w2 = new double[81];
        var w3 = new double[N3 * N3];
        for (int i = 0; i < w2.Length; i++)
        {
            w2[i] = random.NextGaussian();
        }

        for (int i = 0; i < w3.Length; i++)
        {
            w3[i] = random.NextGaussian();
        }

        double F(double[] q)
        {
            var m2 = new double[81];
            var m3 = new double[N3 * N3];
            double m1 = model.Evaluate(q, 0.3, m2, m3);
            double f = 0.7 * m1;
            for (int i = 0; i < m2.Length; i++)
            {
                f += w2[i] * m2[i];
            }

            for (int i = 0; i < m3.Length; i++)
            {
                f += w3[i] * m3[i];
            }

            return f;
        }

        var gradient = new double[p.Length];
        model.Backpropagate(p, 0.3, 0.7, w2, w3, gradient);
        for (int j = 0; j < p.Length; j++)
        {
            var plus = (double[])p.Clone();
            var minus = (double[])p.Clone();
            plus[j] += 1e-5;
            minus[j] -= 1e-5;
            double numeric = (F(plus) - F(minus)) / 2e-5;
            Assert.True(Math.Abs(numeric - gradient[j]) < 1e-6 * (1 + Math.Abs(numeric)), $"parameter {j}: {gradient[j]} against {numeric}");
        }
    }

    [Fact]
    public void TheJacobianIsTheDerivative()
    {
        var targets = Targets(5);
        var model = new RotationAveragedAutocorrelations(targets.Basis);
        var random = new RandomStream(12);
        var p = model.Pack(targets.Coefficients);
        for (int j = 0; j < p.Length; j++)
        {
            p[j] += 0.3 * random.NextGaussian();
        }

        int n = p.Length;
        var d1 = new double[n];
        var d2 = new double[n * 81];
        var d3 = new double[n * N3 * N3];
        model.Jacobian(p, 0.3, d1, d2, d3);
        var (m2p, m3p, m2m, m3m) = (new double[81], new double[N3 * N3], new double[81], new double[N3 * N3]);
        for (int j = 0; j < n; j++)
        {
            var plus = (double[])p.Clone();
            var minus = (double[])p.Clone();
            plus[j] += 1e-5;
            minus[j] -= 1e-5;
            double f1 = (model.Evaluate(plus, 0.3, m2p, m3p) - model.Evaluate(minus, 0.3, m2m, m3m)) / 2e-5;
            Assert.Equal(f1, d1[j], 1e-6);
            for (int i = 0; i < 81; i++)
            {
                Assert.True(Math.Abs(((m2p[i] - m2m[i]) / 2e-5) - d2[(j * 81) + i]) < 1e-6, $"a² entry {i}, parameter {j}");
            }

            for (int i = 0; i < N3 * N3; i++)
            {
                Assert.True(Math.Abs(((m3p[i] - m3m[i]) / 2e-5) - d3[(j * N3 * N3) + i]) < 1e-6, $"a³ entry {i}, parameter {j}");
            }
        }
    }

    [Fact]
    public void ACleanMicrographsAutocorrelationsAreTheSumOverItsCopies()
    {
        // Separated copies have no cross terms at these lags: the pass is the sum of each copy's own autocorrelations.
        var targets = Targets(7);
        var simulation = new MicrographSimulation(targets, 400, 300, 0.1, 0, MtdSpacing.WellSeparated, new SeedSequence(9));
        var pass = MicrographAutocorrelations.Compute(simulation, 7);
        var box = new float[49];
        var s2 = new double[169];
        var s3 = new double[new ThirdOrderLags(7).Count * new ThirdOrderLags(7).Count];
        foreach (var copy in simulation.Copies)
        {
            targets.Render(copy, box);
            var (_, a2, a3) = Direct(box, 7, 7, 7);
            for (int i = 0; i < s2.Length; i++)
            {
                s2[i] += a2[i] / (400 * 300);
            }

            for (int i = 0; i < s3.Length; i++)
            {
                s3[i] += a3[i] / (400 * 300);
            }
        }

        Assert.True(MaxDifference(pass.Second, s2) < 1e-5 * MaxAbs(s2));
        Assert.True(MaxDifference(pass.Third, s3) < 1e-5 * MaxAbs(s3));
    }

    [Fact]
    public void TheFitRecoversTheTargetFromExactAutocorrelations()
    {
        // Autocorrelations made by the model itself (a micrograph with infinitely many copies): a start 30 % off the
        // truth returns to it, and γ with it.
        var targets = Targets(7, seed: 3);
        var model = new RotationAveragedAutocorrelations(targets.Basis);
        var exact = new MicrographAutocorrelations(7, 1);
        exact.First = model.Evaluate(model.Pack(targets.Coefficients), 0.1, exact.Second, exact.Third);
        var random = new RandomStream(2);
        var start = targets.Coefficients.Select(c => new ComplexF(c.Re * (float)(1 + (0.3 * random.NextGaussian())), c.Im * (float)(1 + (0.3 * random.NextGaussian())))).ToArray();
        var fit = MicrographAutocorrelationFitting.Fit(exact, 1, new MicrographAutocorrelationFitOptions
        {
            TargetSize = 7,
            Sigma = 0,
            Restarts = 1,
            Seeds = new SeedSequence(1),
            Start = start,
            StartGamma = 0.15,
            Centre = false,
        });
        double error = RotatedImageError.Of(fit.Basis, fit.Coefficients, targets.Coefficients).Error;
        Assert.True(error < 1e-3, $"error {error}");
        Assert.Equal(0.1, fit.Gamma, 4);
        Assert.True(fit.Objective < 1e-12);
    }

    [Fact]
    public void TheFitFindsTheDensityAndNoiseOfAMicrograph()
    {
        // σ unknown: σ and γ come out of the same fit, and random starts land below the truth's objective (the misfit
        // left is the data's: finitely many copies at random angles, and noise).
        var targets = Targets(7, seed: 3);
        double norm = Math.Sqrt(targets.Target.Data.Sum(v => (double)v * v) / 49);
        var noisy = new MicrographSimulation(targets, 1500, 1500, 0.1, norm, MtdSpacing.WellSeparated, new SeedSequence(4));
        var raw = MicrographAutocorrelations.Compute(noisy, 7);
        var options = new MicrographAutocorrelationFitOptions { TargetSize = 7, Restarts = 2, Seeds = new SeedSequence(1) };
        var fit = MicrographAutocorrelationFitting.Fit(raw, 1, options);
        Assert.InRange(fit.Sigma / norm, 0.99, 1.01);
        Assert.InRange(fit.Gamma, 0.09, 0.11);
        double atTheTruth = MicrographAutocorrelationFitting.Objective(raw, targets.Basis, targets.Coefficients, noisy.Gamma, norm);
        Assert.True(fit.Objective < atTheTruth, $"{fit.Objective} against {atTheTruth} at the truth");
        Assert.Equal(fit.Coefficients, MicrographAutocorrelationFitting.Fit(raw, 1, options with { Context = ComputeContext.SingleThreaded }).Coefficients);
    }
}
