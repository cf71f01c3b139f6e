using CryoSharp.Classification;
using CryoSharp.Geometry;
using CryoSharp.Imaging;
using CryoSharp.Numerics;
using CryoSharp.Numerics.Fft;
using CryoSharp.Projection;

namespace CryoSharp.Tests.Projection;

/// <summary>The packed slice reads and writes refinement uses agree with the full-spectrum projector and back-projector.</summary>
public class PackedSliceTests
{
    [Theory]
    [InlineData(16)]
    [InlineData(15)]
    public void SampledSliceIsTheProjectionSpectrumAtThoseFrequencies(int box)
    {
        var random = new RandomStream(7);
        var v = Volume.Cube(box, 2);
        random.FillGaussian(v.Data);
        var projector = new FourierProjector(v);
        var pixels = new FourierPixelSet(box, box / 2);
        var shape = GridShape.Square(box);
        foreach (var q in Rotations.RandomUniform(3, new SeedSequence(box)))
        {
            var a = q.ToMatrix();
            var full = new ComplexF[shape.HalfComplexLength];
            projector.ProjectSpectrum(a, full);
            var gathered = new float[2 * pixels.Count];
            pixels.Gather(full, gathered);
            var sampled = new float[2 * pixels.Count];
            projector.SampleSlice(a, pixels.Kx, pixels.Ky, sampled);
            Assert.Equal(gathered, sampled);
        }
    }

    [Fact]
    public void InsertedSumsEqualInsertingTheWeightedSpectrum()
    {
        const int box = 14;
        var random = new RandomStream(11);
        var shape = GridShape.Square(box);
        var image = new float[shape.Length];
        random.FillGaussian(image);
        var spectrum = new ComplexF[shape.HalfComplexLength];
        Fft.Forward(image, shape, spectrum);
        var ctf = new float[shape.HalfComplexLength];
        for (int i = 0; i < ctf.Length; i++)
        {
            ctf[i] = (float)(0.2 + random.NextDouble());
        }

        var pixels = new FourierPixelSet(box, box / 2);
        var packed = new float[2 * pixels.Count];
        var packedCtf = new float[2 * pixels.Count];
        pixels.Gather(spectrum, packed);
        var ctfAsSpectrum = ctf.Select(c => new ComplexF(c, 0)).ToArray();
        pixels.Gather(ctfAsSpectrum, packedCtf);
        var data = new float[2 * pixels.Count];
        var weight = new float[pixels.Count];
        for (int f = 0; f < pixels.Count; f++)
        {
            float c = packedCtf[2 * f];
            data[2 * f] = c * packed[2 * f];
            data[(2 * f) + 1] = c * packed[(2 * f) + 1];
            weight[f] = c * c;
        }

        var a = EulerAngles.FromDegrees(20, 70, 130).ToMatrix();
        var direct = new FourierBackProjector(box, 1, 2, withWeights: true);
        direct.Insert(spectrum, ctf, a);
        var summed = new FourierBackProjector(box, 1, 2, withWeights: true);
        summed.InsertSums(a, pixels.Kx, pixels.Ky, data, weight);
        var expected = direct.ToVolume().Data;
        var actual = summed.ToVolume().Data;
        double scale = expected.Max(Math.Abs);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5 * scale, $"voxel {i}: {expected[i]} vs {actual[i]}");
        }
    }
}
