using CryoSharp.ClassAveraging;
using CryoSharp.Numerics;

namespace CryoSharp.Tests.ClassAveraging;

public class FourierBesselBasisTests
{
    private static ComplexF[] RandomCoefficients(FourierBesselBasis basis, int seed)
    {
        var random = new SeedSequence(seed).CreateStream();
        var a = new ComplexF[basis.Count];
        for (int c = 0; c < a.Length; c++)
        {
            a[c] = new ComplexF((float)random.NextGaussian(), basis.Frequencies[c] == 0 ? 0 : (float)random.NextGaussian());
        }

        return a;
    }

    /// <summary>The continuous expansion at (x, y) relative to the centre, from the Bessel functions themselves.</summary>
    private static double Continuous(FourierBesselBasis basis, ReadOnlySpan<ComplexF> a, double x, double y)
    {
        double r = Math.Sqrt((x * x) + (y * y)), theta = Math.Atan2(y, x), sum = 0, radius = basis.RadiusPx;
        for (int c = 0; c < basis.Count; c++)
        {
            int k = basis.Frequencies[c];
            double j = basis.RadialZeros[c];
            double radial = BesselFunctions.J(k, j * r / radius) / (Math.Sqrt(Math.PI) * radius * Math.Abs(BesselFunctions.J(k + 1, j)));
            var (s, cs) = Math.SinCos(k * theta);
            sum += k == 0 ? a[c].Re * radial : 2 * radial * ((a[c].Re * cs) - (a[c].Im * s));
        }

        return sum;
    }

    [Theory]
    [InlineData(16)]
    [InlineData(17)]
    public void ExpansionIsTheAdjointOfEvaluation(int box)
    {
        var basis = new FourierBesselBasis(box);
        var a = RandomCoefficients(basis, 1);
        var random = new SeedSequence(2).CreateStream();
        var x = new float[box * box];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = (float)random.NextGaussian();
        }

        var image = new float[box * box];
        basis.Evaluate(a, 1, image);
        var b = new ComplexF[basis.Count];
        basis.Expand(x, 1, b);
        double left = 0;
        for (int i = 0; i < x.Length; i++)
        {
            left += (double)image[i] * x[i];
        }

        double right = basis.Dot(a, b);
        Assert.True(Math.Abs(left - right) <= 1e-5 * Math.Abs(left), $"⟨Ba, x⟩ = {left}, ⟨a, Bᴴx⟩ = {right}");
    }

    [Theory]
    [InlineData(16, 0.7)]
    [InlineData(17, -2.1)]
    public void RotatingTheCoefficientsRotatesTheBandLimitedImageExactly(int box, double alpha)
    {
        var basis = new FourierBesselBasis(box);
        var a = RandomCoefficients(basis, 3);
        var rotated = (ComplexF[])a.Clone();
        basis.Rotate(rotated, alpha);
        var image = new float[box * box];
        basis.Evaluate(rotated, 1, image);

        // The content moved by α: the rotated image at x is the original at R(−α)x.
        int centre = box / 2;
        double worst = 0, scale = 0;
        for (int y = 0; y < box; y++)
        {
            for (int x = 0; x < box; x++)
            {
                double dx = x - centre, dy = y - centre;
                if ((dx * dx) + (dy * dy) >= basis.RadiusPx * basis.RadiusPx)
                {
                    continue;
                }

                var (s, c) = Math.SinCos(-alpha);
                double expected = Continuous(basis, a, (c * dx) - (s * dy), (s * dx) + (c * dy));
                worst = Math.Max(worst, Math.Abs(expected - image[(y * box) + x]));
                scale = Math.Max(scale, Math.Abs(expected));
            }
        }

        Assert.True(worst <= 1e-5 * scale, $"max |Δ| = {worst:G3} of {scale:G3}");
    }

    [Theory]
    [InlineData(9)]
    [InlineData(32)]
    public void TheLeastSquaresFitRecoversCoefficientsThatTheAdjointDistorts(int box)
    {
        var basis = new FourierBesselBasis(box);
        var a = RandomCoefficients(basis, 21);
        var image = new float[box * box];
        basis.Evaluate(a, 1, image);
        var fitted = new ComplexF[basis.Count];
        basis.FitLeastSquares(image, fitted);
        var adjoint = new ComplexF[basis.Count];
        basis.Expand(image, 1, adjoint);
        double Error(ComplexF[] b)
        {
            var d = new ComplexF[basis.Count];
            for (int c = 0; c < d.Length; c++)
            {
                d[c] = b[c] - a[c];
            }

            return Math.Sqrt(basis.Dot(d, d) / basis.Dot(a, a));
        }

        Assert.True(Error(fitted) < 1e-4, $"fit {Error(fitted):e2}");
        Assert.True(Error(adjoint) > 10 * Error(fitted), $"adjoint {Error(adjoint):e2}");
    }

    [Fact]
    public void ConjugatingTheCoefficientsReflectsTheImageThroughTheXAxis()
    {
        const int box = 16;
        var basis = new FourierBesselBasis(box);
        var a = RandomCoefficients(basis, 4);
        var image = new float[box * box];
        basis.Evaluate(a, 1, image);
        basis.Reflect(a);
        var reflected = new float[box * box];
        basis.Evaluate(a, 1, reflected);
        int centre = box / 2;
        for (int y = 1; y < box; y++)
        {
            for (int x = 0; x < box; x++)
            {
                Assert.Equal(image[(((2 * centre) - y) * box) + x], reflected[(y * box) + x], 1e-4f);
            }
        }
    }

    [Theory]
    [InlineData(32)]
    [InlineData(33)]
    public void ExpandsASmoothImageAndGivesItBack(int box)
    {
        var basis = new FourierBesselBasis(box);
        int centre = box / 2;
        var image = new float[box * box];
        for (int y = 0; y < box; y++)
        {
            for (int x = 0; x < box; x++)
            {
                double dx = x - centre - 2.5, dy = y - centre + 1.5, ex = x - centre + 4, ey = y - centre - 3;
                image[(y * box) + x] = (float)(Math.Exp(-((dx * dx) + (dy * dy)) / 8) + (0.5 * Math.Exp(-((ex * ex) + (2 * ey * ey)) / 10)));
            }
        }

        var a = new ComplexF[basis.Count];
        basis.Expand(image, 1, a);
        var back = new float[box * box];
        basis.Evaluate(a, 1, back);
        double error = 0, norm = 0;
        for (int i = 0; i < image.Length; i++)
        {
            error += (back[i] - image[i]) * (back[i] - image[i]);
            norm += image[i] * image[i];
        }

        // The pixel-sampled functions are orthonormal only approximately: the adjoint is the expansion to about 1 %.
        Assert.True(Math.Sqrt(error / norm) < 0.02, $"relative error {Math.Sqrt(error / norm):G3}");
    }

    [Fact]
    public void TheBandLimitAndTheDiscSetTheCount()
    {
        var basis = new FourierBesselBasis(64);
        Assert.All(basis.RadialZeros, z => Assert.True(z < Math.PI * 32));
        Assert.True(basis.Count * 2 < basis.DiscPixels * 1.1, $"{basis.Count} coefficients for {basis.DiscPixels} pixels");
        Assert.True(basis.Count * 2 > basis.DiscPixels * 0.6, $"{basis.Count} coefficients for {basis.DiscPixels} pixels");
    }
}
