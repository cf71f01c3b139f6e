using CryoSharp.Geometry;
using CryoSharp.Imaging;
using CryoSharp.Moments.Images;
using CryoSharp.Moments.Volumes;
using CryoSharp.Numerics;
using CryoSharp.Numerics.Fft;
using CryoSharp.Projection;

namespace CryoSharp.Tests.Moments;

public class VolumeMomentModelTests
{
    private static Volume Blobs(int box, double pixel) =>
        new GaussianBlobPhantom { Seeds = new SeedSequence(11), BlobCount = 6, RadiusFraction = 0.25 }.Create(box, pixel);

    [Fact]
    public void ItsSlicesAreTheCoordinatesOfTheProjectionsOfTheSameMap()
    {
        // A 32-pixel map projected by the Fourier projector, and the model holding the same map on its 16-voxel grid
        // (Fourier cropped, exact below 8 Fourier pixels): for one rotation at a time (a one-hot view weight, one
        // in-plane angle) the model's M¹ is that rotation's image coordinates.
        const int box = 32, radius = 6;
        var map = Blobs(box, 2);
        var basis = new ImageMomentBasis(box, 2, radius);
        var quadrature = new ViewQuadrature(SphericalDesign.Create(3, 8), 1);
        var model = new VolumeMomentModel(basis, quadrature);
        Assert.Equal(16, model.ModelBox);
        var coarse = (Volume)FourierResampling.Resample(map, model.ModelBox);
        var parameters = new double[model.ParameterCount];
        var voxels = new double[coarse.Data.Length];
        for (int i = 0; i < voxels.Length; i++)
        {
            voxels[i] = coarse.Data[i];
        }

        model.SetVoxels(voxels, parameters);
        var projector = new FourierProjector(map);
        var shape = GridShape.Square(box);
        var image = new float[shape.Length];
        var spectrum = new ComplexF[shape.HalfComplexLength];
        var expected = new float[basis.Dimension];
        double worst = 0;
        for (int q = 0; q < quadrature.Count; q++)
        {
            projector.Project(quadrature.Rotations[q], image);
            Fft.Forward(image, shape, spectrum, FftOrigin.Centered, FftScaling.Orthonormal, ComputeContext.SingleThreaded);
            basis.Coordinates(spectrum, expected);
            var weights = new double[quadrature.Directions];
            weights[q] = 1;
            var target = new MomentTarget { First = new double[basis.Dimension], Second = new double[basis.Dimension * basis.Dimension], FixedDirectionWeights = weights };
            var (first, _) = model.Moments(parameters, target);
            double error = 0, norm = 0;
            for (int a = 0; a < basis.Dimension; a++)
            {
                error += (first[a] - expected[a]) * (first[a] - expected[a]);
                norm += expected[a] * (double)expected[a];
            }

            worst = Math.Max(worst, Math.Sqrt(error / norm));
        }

        Assert.True(worst < 0.03, $"relative difference {worst:G3}");
        Assert.True(worst > 0, "the two interpolations should differ slightly");
    }

    private static (VolumeMomentModel Model, MomentTarget Target, double[] Parameters) SmallProblem(ComputeContext context)
    {
        var basis = new ImageMomentBasis(16, 3, 4);
        var model = new VolumeMomentModel(basis, ViewQuadrature.Parse("20x4"), context: context);
        var random = new SeedSequence(12).CreateStream();
        int d = basis.Dimension;
        var k1 = new double[d];
        for (int a = 0; a < d; a++)
        {
            k1[a] = 0.5 + random.NextDouble();
        }

        var k2 = new double[d * d];
        for (int a = 0; a < d; a++)
        {
            for (int b = 0; b < d; b++)
            {
                k2[(a * d) + b] = k1[a] * k1[b] * 0.9;
            }
        }

        var truth = new double[model.ParameterCount];
        var start = new double[model.ParameterCount];
        for (int i = 0; i < truth.Length; i++)
        {
            truth[i] = random.NextDouble();
            start[i] = random.NextDouble();
        }

        var partial = new MomentTarget { First = new double[d], Second = new double[d * d], CtfFirst = k1, CtfSecond = k2 };
        var (first, second) = model.Moments(truth, partial);
        return (model, partial with { First = first, Second = second, Lambda = 0.7 }, start);
    }

    [Fact]
    public void ItsGradientMatchesFiniteDifferences()
    {
        var (model, target, x) = SmallProblem(ComputeContext.Default);
        var gradient = new double[x.Length];
        double loss = model.Loss(x, gradient, target);
        Assert.True(loss > 0);
        var random = new SeedSequence(13).CreateStream();

        // Directions: all voxels together, all logits together, and single parameters of each kind.
        int voxels = model.VoxelCount;
        var directions = new List<double[]>();
        var mixed = new double[x.Length];
        var logits = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            mixed[i] = i < voxels ? random.NextGaussian() : 0;
            logits[i] = i >= voxels ? random.NextGaussian() : 0;
        }

        directions.Add(mixed);
        directions.Add(logits);
        foreach (int i in new[] { 0, voxels / 2, voxels + 3 })
        {
            var e = new double[x.Length];
            e[i] = 1;
            directions.Add(e);
        }

        // Unit directions and steps well above the single-precision noise of the products (about 1e-7 of the loss).
        const double h = 0.2;
        var report = new List<string>();

        // Single-precision products leave an error of order 1e-5·|gradient| in any component: the tolerance of a
        // direction whose derivative is a cancelling sum.
        double norm = Math.Sqrt(gradient.Sum(e => e * e));
        bool ok = true;
        foreach (var v in directions)
        {
            double length = Math.Sqrt(v.Sum(e => e * e));
            for (int i = 0; i < v.Length; i++)
            {
                v[i] /= length;
            }

            double analytic = 0;
            for (int i = 0; i < x.Length; i++)
            {
                analytic += gradient[i] * v[i];
            }

            // Central differences at h and h/2, combined (Richardson) to cancel the h² term of the curvature.
            double numeric = ((4 * Central(model, target, x, v, h / 2)) - Central(model, target, x, v, h)) / 3;
            report.Add($"numeric {numeric:G6}, analytic {analytic:G6}");
            ok &= Math.Abs(numeric - analytic) <= (2e-3 * Math.Abs(numeric)) + (1e-4 * norm);
        }

        Assert.True(ok && norm > 0, $"loss {loss:G6}, |gradient| {norm:G4}: " + string.Join("; ", report));
    }

    private static double Central(VolumeMomentModel model, MomentTarget target, double[] x, double[] v, double h)
    {
        var plus = new double[x.Length];
        var minus = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            plus[i] = x[i] + (h * v[i]);
            minus[i] = x[i] - (h * v[i]);
        }

        return (model.Loss(plus, [], target) - model.Loss(minus, [], target)) / (2 * h);
    }

    [Fact]
    public void ItsLossAndGradientDoNotDependOnTheNumberOfThreads()
    {
        var (one, target, x) = SmallProblem(ComputeContext.SingleThreaded);
        var (two, _, _) = SmallProblem(new ComputeContext { Threads = 2 });
        var g1 = new double[x.Length];
        var g2 = new double[x.Length];
        Assert.Equal(one.Loss(x, g1, target), two.Loss(x, g2, target));
        Assert.Equal(g1, g2);
    }
}
