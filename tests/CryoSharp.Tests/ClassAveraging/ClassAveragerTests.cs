using CryoSharp.ClassAveraging;
using CryoSharp.Imaging;
using CryoSharp.Numerics;
using CryoSharp.Particles;

namespace CryoSharp.Tests.ClassAveraging;

public class ClassAveragerTests
{
    private const int Box = 32;

    /// <summary>An asymmetric image: a few Gaussian blobs inside the disc.</summary>
    private static float[] Base(int seed)
    {
        var random = new SeedSequence(seed).CreateStream();
        var image = new float[Box * Box];
        for (int b = 0; b < 6; b++)
        {
            double cx = (random.NextDouble() - 0.5) * 14, cy = (random.NextDouble() - 0.5) * 14, w = 2 + (2 * random.NextDouble()), a = 0.5 + random.NextDouble();
            for (int y = 0; y < Box; y++)
            {
                for (int x = 0; x < Box; x++)
                {
                    double dx = x - (Box / 2) - cx, dy = y - (Box / 2) - cy;
                    image[(y * Box) + x] += (float)(a * Math.Exp(-((dx * dx) + (dy * dy)) / (2 * w * w)));
                }
            }
        }

        return image;
    }

    /// <summary>
    /// Three families of 40 images, each image its family's base reflected (every third) and rotated by a random angle,
    /// with a little noise; the clean versions too.
    /// </summary>
    private static (InMemoryParticleSource Source, float[] Clean, int[] Family) Families()
    {
        const int perFamily = 40, families = 3, length = Box * Box;
        var random = new SeedSequence(11).CreateStream();
        var images = new float[families * perFamily * length];
        var clean = new float[images.Length];
        var family = new int[families * perFamily];
        var turned = new float[length];
        for (int f = 0; f < families; f++)
        {
            var b = Base(20 + f);
            for (int i = 0; i < perFamily; i++)
            {
                int index = (f * perFamily) + i;
                family[index] = f;
                var copy = (float[])b.Clone();
                if (i % 3 == 2)
                {
                    ClassAverages.Reflect(copy, Box);
                }

                InPlaneRotation.Rotate(copy, Box, Box, 2 * Math.PI * random.NextDouble(), turned);
                turned.CopyTo(clean, index * length);
                for (int p = 0; p < length; p++)
                {
                    images[(index * length) + p] = turned[p] + (float)(0.05 * random.NextGaussian());
                }
            }
        }

        var records = Enumerable.Range(0, family.Length).Select(i => new ParticleRecord { Index = i }).ToArray();
        return (new InMemoryParticleSource(images, Box, 2, records, "families"), clean, family);
    }

    [Fact]
    public void FindsEachImagesFamilyWithItsRotationAndReflectionAndAveragesThemBack()
    {
        var (source, clean, family) = Families();
        var averager = new ClassAverager(new ClassAveragingOptions { Neighbours = 20, Candidates = 39, MaxFrequency = 4, Averages = 3, Seeds = new SeedSequence(1) });
        var result = averager.FindNeighbours(source);
        foreach (var method in new[] { ClassAveragingMethod.Rid, ClassAveragingMethod.Vdm, ClassAveragingMethod.Mfvdm })
        {
            var neighbours = result.Of(method);
            int wrong = 0;
            for (int i = 0; i < neighbours.Count; i++)
            {
                for (int r = 0; r < neighbours.PerImage; r++)
                {
                    wrong += family[neighbours.Neighbour[(i * neighbours.PerImage) + r]] != family[i] ? 1 : 0;
                }
            }

            Assert.True(wrong == 0, $"{method}: {wrong} neighbours from another family");

            // The alignments are right if the aligned members average back to the reference's clean image.
            var averages = ClassAverages.Build(source, neighbours, 3, method == ClassAveragingMethod.Rid, ctf: false, ssnr: 10);
            for (int a = 0; a < averages.Count; a++)
            {
                int reference = averages.References[a];
                double correlation = ImageComparison.Of(averages.Images.AsSpan(a * Box * Box, Box * Box), clean.AsSpan(reference * Box * Box, Box * Box)).Correlation;
                Assert.True(correlation > 0.97, $"{method}, average {a + 1}: correlation {correlation:0.000} with its reference");
            }
        }
    }
}
