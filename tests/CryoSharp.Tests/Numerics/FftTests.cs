using System.Numerics;
using CryoSharp.Numerics;
using CryoSharp.Numerics.Fft;
using CryoSharp.Tests.Support;

namespace CryoSharp.Tests.Numerics;

public class FftTests
{
    public static TheoryData<int, int, int> Shapes => new()
    {
        { 1, 1, 1 }, { 2, 1, 1 }, { 7, 1, 1 }, { 16, 1, 1 }, { 31, 1, 1 }, { 64, 1, 1 }, { 125, 1, 1 },
        { 8, 8, 1 }, { 9, 9, 1 }, { 12, 7, 1 }, { 5, 16, 1 }, { 32, 32, 1 }, { 33, 20, 1 },
        { 8, 8, 8 }, { 7, 7, 7 }, { 6, 5, 4 }, { 9, 10, 11 }, { 16, 16, 16 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void RealToComplexMatchesDefinition(int nx, int ny, int nz)
    {
        var shape = new GridShape(nx, ny, nz);
        var input = RandomReal(shape.Length, nx + (31 * ny) + (961 * nz));
        var spectrum = new ComplexF[shape.HalfComplexLength];
        Fft.Forward(input, shape, spectrum, FftOrigin.Corner);

        var reference = ReferenceDft.Transform(input.Select(v => new Complex(v, 0)).ToArray(), shape, -1);
        AssertHalfComplexMatches(reference, spectrum, shape, 1e-5);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void ComplexToComplexMatchesDefinitionBothWays(int nx, int ny, int nz)
    {
        var shape = new GridShape(nx, ny, nz);
        var random = new Random(nx + (7 * ny) + (49 * nz));
        var input = Enumerable.Range(0, shape.Length).Select(_ => new ComplexF((float)random.NextDouble() - 0.5f, (float)random.NextDouble() - 0.5f)).ToArray();
        var asDouble = input.Select(c => new Complex(c.Re, c.Im)).ToArray();

        var forward = new ComplexF[shape.Length];
        Fft.Forward(input, shape, forward, FftOrigin.Corner, FftScaling.None);
        AssertFullMatches(ReferenceDft.Transform(asDouble, shape, -1), forward, 1e-5);

        var inverse = new ComplexF[shape.Length];
        Fft.Inverse(input, shape, inverse, FftOrigin.Corner, FftScaling.None);
        AssertFullMatches(ReferenceDft.Transform(asDouble, shape, +1), inverse, 1e-5);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void RoundTripsAreIdentityWithBackwardScaling(int nx, int ny, int nz)
    {
        var shape = new GridShape(nx, ny, nz);
        var input = RandomReal(shape.Length, 5);
        var spectrum = new ComplexF[shape.HalfComplexLength];
        var back = new float[shape.Length];
        foreach (var origin in new[] { FftOrigin.Corner, FftOrigin.Centered })
        {
            Fft.Forward(input, shape, spectrum, origin);
            var copy = (ComplexF[])spectrum.Clone();
            Fft.Inverse(spectrum, shape, back, origin);
            Assert.Equal(copy, spectrum); // the inverse must not touch its input
            Assert.True(MaxRelativeError(input, back) < 1e-5, $"round trip error {MaxRelativeError(input, back)}");
        }
    }

    [Theory]
    [InlineData(64, 1, 1)]
    [InlineData(33, 20, 1)]
    [InlineData(9, 10, 11)]
    public void ParsevalHolds(int nx, int ny, int nz)
    {
        var shape = new GridShape(nx, ny, nz);
        var input = RandomReal(shape.Length, 11);
        var spectrum = new ComplexF[shape.HalfComplexLength];
        Fft.Forward(input, shape, spectrum);
        double energy = input.Sum(v => (double)v * v);
        double spectral = 0;
        for (int i = 0; i < spectrum.Length; i++)
        {
            spectral += FourierIndex.HalfComplexMultiplicity(i % shape.HalfNx, nx) * (double)spectrum[i].MagnitudeSquared;
        }

        Assert.Equal(energy, spectral / shape.Length, energy * 1e-5);
    }

    [Fact]
    public void OrthonormalScalingPreservesEnergyAndInverts()
    {
        var shape = new GridShape(24, 18);
        var input = RandomReal(shape.Length, 3);
        var spectrum = new ComplexF[shape.HalfComplexLength];
        Fft.Forward(input, shape, spectrum, FftOrigin.Corner, FftScaling.Orthonormal);
        double spectral = 0;
        for (int i = 0; i < spectrum.Length; i++)
        {
            spectral += FourierIndex.HalfComplexMultiplicity(i % shape.HalfNx, shape.Nx) * (double)spectrum[i].MagnitudeSquared;
        }

        double energy = input.Sum(v => (double)v * v);
        Assert.Equal(energy, spectral, energy * 1e-5);
        var back = new float[shape.Length];
        Fft.Inverse(spectrum, shape, back, FftOrigin.Corner, FftScaling.Orthonormal);
        Assert.True(MaxRelativeError(input, back) < 1e-5);
    }

    [Theory]
    [InlineData(32)]
    [InlineData(33)]
    public void CentredSymmetricObjectHasRealTransform(int n)
    {
        // A Gaussian centred on index n/2 is even about the origin, so its transform is real (conventions.md).
        var shape = GridShape.Square(n);
        var input = new float[shape.Length];
        for (int y = 0; y < n; y++)
        {
            for (int x = 0; x < n; x++)
            {
                double r2 = ((x - (n / 2)) * (x - (n / 2))) + ((y - (n / 2)) * (y - (n / 2)));
                input[(y * n) + x] = (float)Math.Exp(-r2 / 18);
            }
        }

        var spectrum = new ComplexF[shape.HalfComplexLength];
        Fft.Forward(input, shape, spectrum);
        Assert.All(spectrum, c => Assert.True(Math.Abs(c.Im) < 1e-4 * Math.Abs(spectrum[0].Re), $"imaginary part {c.Im}"));
        Assert.True(spectrum[0].Re > 0);
    }

    [Fact]
    public void GaussianTransformMatchesAnalyticForm()
    {
        // exp(−r²/2σ²) sampled on a grid has DFT ≈ 2πσ²·exp(−2π²σ²|k/N|²) when σ is well inside the box.
        const int n = 64;
        const double sigma = 3.0;
        var shape = GridShape.Square(n);
        var input = new float[shape.Length];
        for (int y = 0; y < n; y++)
        {
            for (int x = 0; x < n; x++)
            {
                double r2 = ((x - 32) * (x - 32)) + ((y - 32) * (y - 32));
                input[(y * n) + x] = (float)Math.Exp(-r2 / (2 * sigma * sigma));
            }
        }

        var spectrum = new ComplexF[shape.HalfComplexLength];
        Fft.Forward(input, shape, spectrum);
        for (int ky = -8; ky <= 8; ky++)
        {
            for (int kx = 0; kx <= 8; kx++)
            {
                double f2 = ((double)(kx * kx) + (ky * ky)) / (n * n);
                double expected = 2 * Math.PI * sigma * sigma * Math.Exp(-2 * Math.PI * Math.PI * sigma * sigma * f2);
                var c = spectrum[(FourierIndex.IndexOf(ky, n) * shape.HalfNx) + kx];
                Assert.Equal(expected, c.Re, 1e-3 * 2 * Math.PI * sigma * sigma);
            }
        }
    }

    [Fact]
    public void ShiftedImpulseGivesPhaseRamp()
    {
        // A unit impulse at index n/2 + d has transform e^{−2πi k·d/n} with the centred origin.
        const int n = 20;
        var shape = GridShape.Square(n);
        var input = new float[shape.Length];
        input[((n / 2) + 3) * n + (n / 2) - 2] = 1; // (dx, dy) = (−2, +3)
        var spectrum = new ComplexF[shape.HalfComplexLength];
        Fft.Forward(input, shape, spectrum);
        for (int y = 0; y < n; y++)
        {
            for (int x = 0; x < shape.HalfNx; x++)
            {
                int ky = FourierIndex.Frequency(y, n);
                double phase = -2 * Math.PI * ((x * -2.0) + (ky * 3.0)) / n;
                var c = spectrum[(y * shape.HalfNx) + x];
                Assert.Equal(Math.Cos(phase), c.Re, 1e-5);
                Assert.Equal(Math.Sin(phase), c.Im, 1e-5);
            }
        }
    }

    [Theory]
    [InlineData(64, 37)]
    [InlineData(63, 5)]
    [InlineData(128, 200)]
    public void BatchedTransformsEqualSingleTransforms(int n, int count)
    {
        var shape = GridShape.Square(n);
        var stack = RandomReal(shape.Length * count, 17);
        var batched = new ComplexF[shape.HalfComplexLength * count];
        Fft.ForwardMany(stack, shape, count, batched);
        var single = new ComplexF[shape.HalfComplexLength];
        for (int i = 0; i < count; i += Math.Max(1, count / 7))
        {
            Fft.Forward(stack.AsSpan(i * shape.Length, shape.Length), shape, single);

            // Batched and single plans may use different FFTW algorithms, so they agree to rounding, not bits.
            var slice = batched.AsSpan(i * shape.HalfComplexLength, shape.HalfComplexLength).ToArray();
            double scale = single.Max(c => c.Magnitude);
            double worst = single.Zip(slice, (a, b) => (a - b).Magnitude).Max();
            Assert.True(worst < 1e-6 * scale, $"image {i}: batched differs by {worst / scale:E2}");
        }

        var back = new float[stack.Length];
        Fft.InverseMany(batched, shape, count, back);
        Assert.True(MaxRelativeError(stack, back) < 1e-5);
    }

    [Theory]
    [InlineData(16, 16, 16)]
    [InlineData(9, 10, 11)]
    [InlineData(33, 20, 1)]
    [InlineData(128, 128, 128)]
    public void InPlaceTransformEqualsTheOrdinaryOne(int nx, int ny, int nz)
    {
        var shape = new GridShape(nx, ny, nz);
        var input = RandomReal(shape.Length, 23);
        var expected = new ComplexF[shape.HalfComplexLength];
        Fft.Forward(input, shape, expected, FftOrigin.Corner);
        var buffer = GC.AllocateUninitializedArray<ComplexF>(shape.HalfComplexLength, pinned: true);
        Fft.ForwardInPlace(shape, buffer, padded =>
        {
            padded.Clear();
            int stride = 2 * shape.HalfNx;
            for (int row = 0; row < ny * nz; row++)
            {
                input.AsSpan(row * nx, nx).CopyTo(padded.Slice(row * stride, nx));
            }
        });
        double scale = expected.Max(c => c.Magnitude);
        double worst = expected.Zip(buffer, (a, b) => (a - b).Magnitude).Max();
        Assert.True(worst < 1e-5 * scale, $"in-place differs by {worst / scale:E2}");
    }

    [Fact]
    public void ConcurrentTransformsAgreeWithSequentialOnes()
    {
        var shapes = new[] { GridShape.Square(48), GridShape.Square(50), GridShape.Cube(12), new GridShape(100) };
        var inputs = shapes.Select((s, i) => RandomReal(s.Length, 100 + i)).ToArray();
        var expected = shapes.Select((s, i) =>
        {
            var o = new ComplexF[s.HalfComplexLength];
            Fft.Forward(inputs[i], s, o);
            return o;
        }).ToArray();
        Parallel.For(0, 400, new ParallelOptions { MaxDegreeOfParallelism = 8 }, j =>
        {
            int i = j % shapes.Length;
            var o = new ComplexF[shapes[i].HalfComplexLength];
            Fft.Forward(inputs[i], shapes[i], o);
            Assert.Equal(expected[i], o);
        });
    }

    [Fact]
    public void PlansAreMadeOncePerShape()
    {
        var shape = new GridShape(37, 41);
        var input = RandomReal(shape.Length, 1);
        var output = new ComplexF[shape.HalfComplexLength];
        Fft.Forward(input, shape, output);
        int plans = FftwPlanCache.Shared.Count;
        for (int i = 0; i < 10; i++)
        {
            Fft.Forward(input, shape, output);
        }

        Assert.Equal(plans, FftwPlanCache.Shared.Count);
    }

    [Fact]
    public void TooShortBuffersAreRejected()
    {
        var shape = GridShape.Square(8);
        Assert.Throws<ArgumentException>(() => Fft.Forward(new float[63], shape, new ComplexF[shape.HalfComplexLength]));
        Assert.Throws<ArgumentException>(() => Fft.Forward(new float[64], shape, new ComplexF[shape.HalfComplexLength - 1]));
    }

    internal static float[] RandomReal(int length, int seed)
    {
        var random = new Random(seed);
        var data = new float[length];
        for (int i = 0; i < length; i++)
        {
            data[i] = (float)((random.NextDouble() * 2) - 1);
        }

        return data;
    }

    private static double MaxRelativeError(float[] expected, float[] actual)
    {
        double scale = expected.Max(v => Math.Abs(v));
        double worst = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            worst = Math.Max(worst, Math.Abs(expected[i] - actual[i]));
        }

        return worst / scale;
    }

    private static void AssertHalfComplexMatches(Complex[] full, ComplexF[] half, GridShape shape, double relative)
    {
        double scale = full.Max(c => c.Magnitude);
        double worst = 0;
        for (int z = 0; z < shape.Nz; z++)
        {
            for (int y = 0; y < shape.Ny; y++)
            {
                for (int x = 0; x < shape.HalfNx; x++)
                {
                    var expected = full[shape.Index(x, y, z)];
                    var actual = half[(((z * shape.Ny) + y) * shape.HalfNx) + x];
                    worst = Math.Max(worst, (expected - new Complex(actual.Re, actual.Im)).Magnitude);
                }
            }
        }

        Assert.True(worst / scale < relative, $"max relative error {worst / scale:E2} for {shape}");
    }

    private static void AssertFullMatches(Complex[] expected, ComplexF[] actual, double relative)
    {
        double scale = expected.Max(c => c.Magnitude);
        double worst = expected.Zip(actual, (e, a) => (e - new Complex(a.Re, a.Im)).Magnitude).Max();
        Assert.True(worst / scale < relative, $"max relative error {worst / scale:E2}");
    }
}
