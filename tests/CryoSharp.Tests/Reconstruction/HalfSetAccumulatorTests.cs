using CryoSharp.Geometry;
using CryoSharp.Imaging;
using CryoSharp.Numerics;
using CryoSharp.Projection;
using CryoSharp.Reconstruction;

namespace CryoSharp.Tests.Reconstruction;

public class HalfSetAccumulatorTests
{
    [Fact]
    public void AWeightedInsertIsThatManyInserts()
    {
        var map = new GaussianBlobPhantom { Seeds = new SeedSequence(2) }.Create(16, 3.0);
        var projector = new FourierProjector(map);
        var spectrum = new ComplexF[projector.ImageShape.HalfComplexLength];
        var a = EulerAngles.FromDegrees(30, 60, 90).ToMatrix();
        projector.ProjectSpectrum(a, spectrum);
        var ctf = new float[spectrum.Length];
        new CtfModel { DefocusUA = 12000, DefocusVA = 11000 }.Fill(ctf, 16, 3.0);

        var twice = new HalfSetAccumulators(16, 3.0, 2, 1);
        twice.Insert(0, 1, spectrum, ctf, a);
        twice.Insert(0, 1, spectrum, ctf, a);
        var weighted = new HalfSetAccumulators(16, 3.0, 2, 2);
        weighted.Insert(1, 1, spectrum, ctf, a, weight: 2);
        var (t1, _) = twice.Merge();
        var (w1, w2) = weighted.Merge();
        Assert.Equal(t1.ToVolume().Data, w1.ToVolume().Data);
        Assert.All(w2.ToVolume().Data, v => Assert.Equal(0f, v));

        // Weight 1 is the unweighted insert, to the bit.
        var plain = new FourierBackProjector(16, 3.0, 2, withWeights: true);
        var one = new FourierBackProjector(16, 3.0, 2, withWeights: true);
        plain.Insert(spectrum, ctf, a);
        one.Insert(spectrum, ctf, a, 1.0);
        Assert.Equal(plain.ToVolume().Data, one.ToVolume().Data);
    }
}
