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

    [Theory]
    [InlineData("C4")]
    [InlineData("D3")]
    public void SymmetrisedSumsGiveASymmetricVolume(string name)
    {
        const int box = 16;
        var random = new RandomStream(5);
        var shape = GridShape.Square(box);
        var accumulator = new FourierBackProjector(box, 1, 2);
        foreach (var q in Rotations.RandomUniform(6, new SeedSequence(3)))
        {
            var image = new float[shape.Length];
            random.FillGaussian(image);
            var spectrum = new ComplexF[shape.HalfComplexLength];
            Fft.Forward(image, shape, spectrum);
            accumulator.Insert(spectrum, q.ToMatrix());
        }

        var group = SymmetryGroup.Parse(name);
        accumulator.Symmetrise(group.Elements);
        // Low-passed, so that reading it rotated by trilinear interpolation (for the 3-fold) costs little.
        var volume = LowPassFilter.Apply(accumulator.ToVolume(), 6);

        // Compare the volume with itself rotated by each element, sampled at voxel centres near the middle: exact for
        // quarter turns, which land on voxels; for the 3-fold the check's own interpolation costs a few per cent.
        foreach (var r in group.Elements)
        {
            double dot = 0, norm = 0;
            int c = box / 2;
            for (int z = c - 3; z <= c + 3; z++)
            {
                for (int y = c - 3; y <= c + 3; y++)
                {
                    for (int x = c - 3; x <= c + 3; x++)
                    {
                        var p = r * new Vector3d(x - c, y - c, z - c);
                        double v = Trilinear(volume, p.X + c, p.Y + c, p.Z + c);
                        dot += volume[x, y, z] * v;
                        norm += volume[x, y, z] * volume[x, y, z];
                    }
                }
            }

            Assert.True(dot / norm > (name == "C4" ? 0.995 : 0.95), $"{name}: correlation {dot / norm:0.000} under an element");
        }
    }

    private static double Trilinear(Volume v, double x, double y, double z)
    {
        int x0 = (int)Math.Floor(x), y0 = (int)Math.Floor(y), z0 = (int)Math.Floor(z);
        double fx = x - x0, fy = y - y0, fz = z - z0, sum = 0;
        for (int dz = 0; dz < 2; dz++)
        {
            for (int dy = 0; dy < 2; dy++)
            {
                for (int dx = 0; dx < 2; dx++)
                {
                    double w = (dx == 0 ? 1 - fx : fx) * (dy == 0 ? 1 - fy : fy) * (dz == 0 ? 1 - fz : fz);
                    sum += w * v[x0 + dx, y0 + dy, z0 + dz];
                }
            }
        }

        return sum;
    }
}
