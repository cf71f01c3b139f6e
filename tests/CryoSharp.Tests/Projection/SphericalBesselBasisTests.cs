using CryoSharp.Geometry;
using CryoSharp.Numerics;
using CryoSharp.Projection;

namespace CryoSharp.Tests.Projection;

public class SphericalBesselBasisTests
{
    private static double[] SmoothCoefficients(SphericalBesselBasis basis, int seed, double width = 4)
    {
        var random = new SeedSequence(seed).CreateStream();
        var x = new double[basis.Count];
        for (int b = 0; b < x.Length; b++)
        {
            x[b] = random.NextGaussian() * Math.Exp(-basis.RadialZeros[b] * basis.RadialZeros[b] / (2 * width * width));
        }

        return x;
    }

    private static void AssertClose(double[] expected, double[] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"entry {i}: {actual[i]} against {expected[i]}");
        }
    }

    private static double RelativeDifference(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double d = 0, n = 0;
        for (int i = 0; i < a.Length; i++)
        {
            d += (a[i] - b[i]) * (double)(a[i] - b[i]);
            n += b[i] * (double)b[i];
        }

        return Math.Sqrt(d / n);
    }

    [Fact]
    public void RotatingTheCoefficientsRotatesTheVolumeExactly()
    {
        var basis = new SphericalBesselBasis(11, 10);
        var x = SmoothCoefficients(basis, 3);
        var r = new EulerAngles(0.3, 0.9, -1.2).ToMatrix();
        var rotated = new double[x.Length];
        basis.Rotate(x, basis.WignerMatrices(r), rotated);
        var values = new double[basis.Count];
        var random = new SeedSequence(4).CreateStream();
        for (int t = 0; t < 20; t++)
        {
            var p = new Vector3d(4 * (random.NextDouble() - 0.5), 4 * (random.NextDouble() - 0.5), 4 * (random.NextDouble() - 0.5));
            basis.EvaluateAt(p, values);
            double f = System.Numerics.Tensors.TensorPrimitives.Dot<double>(values, rotated);
            basis.EvaluateAt(r.Transpose() * p, values);
            double g = System.Numerics.Tensors.TensorPrimitives.Dot<double>(values, x);
            Assert.Equal(g, f, 1e-10);
        }

        // The transpose undoes it.
        var back = new double[x.Length];
        basis.Rotate(rotated, basis.WignerMatrices(r), back, transpose: true);
        AssertClose(x, back, 1e-12);
        Assert.Equal(SphericalBesselBasis.SquaredNorm(x), SphericalBesselBasis.SquaredNorm(rotated), 1e-10);
    }

    [Fact]
    public void TheBasisIsOrthonormalOnTheBall()
    {
        // Quadrature on a fine grid of the ball: ⟨φ_a, φ_b⟩ ≈ δ_ab (the grid's own error, not the basis's, sets the tolerance).
        var basis = new SphericalBesselBasis(7, 3, bandLimit: 0.4);
        int n = basis.Count, steps = 60;
        double h = 2 * basis.RadiusPx / steps;
        var gram = new double[n * n];
        var values = new double[n];
        for (int i = 0; i < steps; i++)
        {
            for (int j = 0; j < steps; j++)
            {
                for (int k = 0; k < steps; k++)
                {
                    var p = new Vector3d(-basis.RadiusPx + ((i + 0.5) * h), -basis.RadiusPx + ((j + 0.5) * h), -basis.RadiusPx + ((k + 0.5) * h));
                    basis.EvaluateAt(p, values);
                    for (int a = 0; a < n; a++)
                    {
                        for (int b = 0; b < n; b++)
                        {
                            gram[(a * n) + b] += values[a] * values[b] * h * h * h;
                        }
                    }
                }
            }
        }

        for (int a = 0; a < n; a++)
        {
            for (int b = 0; b < n; b++)
            {
                Assert.Equal(a == b ? 1 : 0, gram[(a * n) + b], 0.02);
            }
        }
    }

    [Fact]
    public void ProjectionsAreLineIntegralsAndMatchTheFourierProjectorInRelionsConvention()
    {
        var basis = new SphericalBesselBasis(11, 10);
        var x = SmoothCoefficients(basis, 7, width: 3);
        var volume = basis.Evaluate(x, 1.5);

        // Along z: the tabulated integrals against the sums over the voxels.
        var sums = new float[121];
        for (int z = 0; z < 11; z++)
        {
            for (int p = 0; p < 121; p++)
            {
                sums[p] += volume.Data[(z * 121) + p];
            }
        }

        var model = new float[121];
        basis.Project(x, model);
        Assert.True(RelativeDifference(model, sums) < 0.01, $"line integrals against voxel sums: {RelativeDifference(model, sums):0.0000}");

        // At a RELION orientation A the projection is that of the coefficients D(A)x; D(Aᵀ)x is visibly another.
        var projector = new FourierProjector(volume, padding: 4);
        var a = new EulerAngles(0.7, 1.1, 2.3).ToMatrix();
        var image = new float[121];
        projector.Project(a, image);
        var rotated = new double[x.Length];
        basis.Rotate(x, basis.WignerMatrices(a), rotated);
        basis.Project(rotated, model);
        double right = RelativeDifference(model, image);
        basis.Rotate(x, basis.WignerMatrices(a.Transpose()), rotated);
        basis.Project(rotated, model);
        double wrong = RelativeDifference(model, image);
        Assert.True(right < 0.04, $"D(A): {right:0.0000}");
        Assert.True(wrong > 0.15, $"D(Aᵀ): {wrong:0.0000}");
    }

    [Fact]
    public void ProjectAdjointIsTheAdjoint()
    {
        var basis = new SphericalBesselBasis(9, 6);
        var x = SmoothCoefficients(basis, 8);
        var random = new SeedSequence(9).CreateStream();
        var image = new float[81];
        for (int p = 0; p < 81; p++)
        {
            image[p] = (float)random.NextGaussian();
        }

        var projected = new float[81];
        basis.Project(x, projected);
        var back = new double[basis.Count];
        basis.ProjectAdjoint(image, back);
        double left = 0;
        for (int p = 0; p < 81; p++)
        {
            left += projected[p] * (double)image[p];
        }

        Assert.Equal(left, System.Numerics.Tensors.TensorPrimitives.Dot<double>(x, back), 1e-5 * Math.Abs(left) + 1e-6);
    }

    [Theory]
    [InlineData(11, 10)]
    [InlineData(8, 5)]
    public void FitLeastSquaresRecoversASampledExpansion(int box, int degree)
    {
        var basis = new SphericalBesselBasis(box, degree);
        var x = SmoothCoefficients(basis, 10);
        var fitted = basis.FitLeastSquares(basis.Evaluate(x, 1));
        AssertClose(x, fitted, 1e-6 * Math.Sqrt(SphericalBesselBasis.SquaredNorm(x)));
    }

    [Fact]
    public void BadSettingsNameTheOption()
    {
        Assert.Contains("--volume-size", Assert.Throws<InvalidParameterException>(() => new SphericalBesselBasis(2, 3)).Message);
        Assert.Contains("--degree", Assert.Throws<InvalidParameterException>(() => new SphericalBesselBasis(11, -1)).Message);
        Assert.Contains("--band-limit", Assert.Throws<InvalidParameterException>(() => new SphericalBesselBasis(11, 3, 0.7)).Message);
    }
}
