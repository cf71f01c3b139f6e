using CryoSharp.Imaging;
using CryoSharp.Numerics;
using CryoSharp.Reconstruction;

namespace CryoSharp.Tests.Reconstruction;

public class FscTests
{
    [Fact]
    public void IdenticalOppositeAndIndependentMaps()
    {
        var a = Noise(32, 1);
        var negated = a.Clone();
        System.Numerics.Tensors.TensorPrimitives.Negate(negated.Data, negated.Data);
        Assert.All(FourierShellCorrelation.Compute(a, a).Values, v => Assert.Equal(1, v, 6));
        Assert.All(FourierShellCorrelation.Compute(a, negated).Values, v => Assert.Equal(-1, v, 6));

        // Independent noise: shell s holds ~2πs² independent values, so |FSC| stays within a few 1/√(2πs²).
        var independent = FourierShellCorrelation.Compute(a, Noise(32, 2));
        for (int s = 4; s < independent.Values.Length; s++)
        {
            Assert.InRange(independent.Values[s], -4 / Math.Sqrt(2 * Math.PI * s * s), 4 / Math.Sqrt(2 * Math.PI * s * s));
        }
    }

    [Fact]
    public void ResolutionInterpolatesLinearlyInFrequency()
    {
        // Box 10 at 2 Å: shell s is s/20 1/Å. The curve crosses 0.5 halfway between shells 2 and 3.
        var curve = new FscCurve([1, 0.9, 0.7, 0.3, 0.1, 0.05], 10, 2.0);
        Assert.Equal(1 / 0.125, curve.Resolution(0.5), 9);
        Assert.Equal(1 / (0.15 + (0.05 * (0.3 - 0.143) / 0.2)), curve.Resolution(0.143), 9);
        Assert.Equal(4.0, new FscCurve([1, 0.9, 0.8], 4, 2.0).Resolution(0.143), 9); // never crosses: Nyquist
        Assert.Equal(3, curve.FirstShellBelow(0.5));
    }

    [Fact]
    public void FrcOfImagesWorksToo()
    {
        var image = new Image(48, 48, 1.5);
        new RandomStream(3).FillGaussian(image.Data);
        var curve = FourierShellCorrelation.Compute(image, image.Clone());
        Assert.Equal(25, curve.Values.Length);
        Assert.Equal(3.0, curve.Resolution(0.143), 9);
    }

    [Fact]
    public void PhaseRandomisationRemovesTheMaskInducedCorrelation()
    {
        // Two maps share a smooth signal and have independent fine noise: their true FSC is ~0 at high shells. A
        // tight mask spreads the shared low-resolution signal into high shells, inflating the masked FSC; the
        // phase-randomised correction takes that back out.
        const int n = 40;
        var signal = new GaussianBlobPhantom { Seeds = new SeedSequence(3) }.Create(n, 2.0);
        var a = signal.Clone();
        var b = signal.Clone();
        var noiseA = Noise(n, 11);
        var noiseB = Noise(n, 12);
        System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(noiseA.Data, 0.05f, a.Data, a.Data);
        System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(noiseB.Data, 0.05f, b.Data, b.Data);
        var mask = Volume.Cube(n, 2.0);
        new SphericalMask(mask.Shape, 9, 1).Weights.CopyTo(mask.Data, 0);
        var result = FourierShellCorrelation.ComputeMasked(a, b, mask, new SeedSequence(1));
        var high = Enumerable.Range(16, 4).ToArray();
        double masked = high.Average(s => result.Masked.Values[s]);
        double corrected = high.Average(s => result.Corrected.Values[s]);
        Assert.True(masked > 0.15, $"masked FSC at high shells {masked}");
        Assert.InRange(corrected, -0.1, 0.1);
        Assert.Equal(result.Masked.Values[2], result.Corrected.Values[2]); // below the randomisation shell: unchanged
    }

    [Fact]
    public void PhaseRandomisedMapIsRealAndKeepsAmplitudes()
    {
        var v = new GaussianBlobPhantom { Seeds = new SeedSequence(4) }.Create(24, 1.0);
        var randomised = FourierShellCorrelation.PhaseRandomized(v, 4, new SeedSequence(7));
        var curve = FourierShellCorrelation.Compute(v, randomised);
        Assert.All(curve.Values.Take(4), f => Assert.Equal(1, f, 4));
        var p1 = new FourierShells(v.Shape).RadialPower(v.ToFourier().Data);
        var p2 = new FourierShells(v.Shape).RadialPower(randomised.ToFourier().Data);
        for (int s = 5; s < 12; s++)
        {
            Assert.Equal(p1[s], p2[s], p1[s] * 1e-3);
        }
    }

    private static Volume Noise(int n, int seed)
    {
        var v = Volume.Cube(n, 2.0);
        new RandomStream((ulong)(seed)).FillGaussian(v.Data);
        return v;
    }
}
