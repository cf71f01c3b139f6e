using CryoSharp.ClassAveraging;
using CryoSharp.Numerics;

namespace CryoSharp.Tests.ClassAveraging;

public class NearestNeighbourSearchTests
{
    /// <summary>
    /// Features of images near a low-dimensional family, as the invariant features of projections are: a random
    /// 6-dimensional latent mapped into each part, plus a little noise; every third image reflected (its imaginary
    /// part negated).
    /// </summary>
    private static float[] Features(int count, int real, int imaginary, int seed)
    {
        const int latent = 6;
        var random = new SeedSequence(seed).CreateStream();
        int d = real + imaginary;
        var map = new double[d * latent];
        for (int t = 0; t < map.Length; t++)
        {
            map[t] = random.NextGaussian();
        }

        var features = new float[count * d];
        var z = new double[latent];
        for (int i = 0; i < count; i++)
        {
            for (int l = 0; l < latent; l++)
            {
                z[l] = random.NextGaussian();
            }

            for (int a = 0; a < d; a++)
            {
                double value = 0.1 * random.NextGaussian();
                for (int l = 0; l < latent; l++)
                {
                    value += map[(a * latent) + l] * z[l];
                }

                features[(i * d) + a] = (float)(a >= real && i % 3 == 0 ? -value : value);
            }
        }

        return features;
    }

    private static float Distance(float[] f, int d, int real, int i, int j)
    {
        double re = 0, im = 0, ni = 0, nj = 0;
        for (int a = 0; a < d; a++)
        {
            double x = f[(i * d) + a], y = f[(j * d) + a];
            ni += x * x;
            nj += y * y;
            if (a < real)
            {
                re += x * y;
            }
            else
            {
                im += x * y;
            }
        }

        return (float)(ni + nj - (2 * (re + Math.Abs(im))));
    }

    [Fact]
    public void TheExactSearchFindsTheNearestByTheReflectionAwareDistance()
    {
        // Odd sizes: a partial tile, a partial block of queries, parts that are not whole vectors.
        const int count = 1301, real = 21, imaginary = 13, want = 17;
        var f = Features(count, real, imaginary, seed: 3);
        var found = NearestNeighbourSearch.Find(f, count, real, imaginary, want);
        var random = new SeedSequence(4).CreateStream();
        for (int t = 0; t < 40; t++)
        {
            int i = random.NextInt(count);
            var truth = Enumerable.Range(0, count).Where(j => j != i).OrderBy(j => Distance(f, real + imaginary, real, i, j)).Take(want).ToArray();
            Assert.Equal(want, found[i].Length);
            Assert.DoesNotContain(i, found[i]);

            // Single against double precision may swap near-ties; the distances in order must agree closely.
            for (int r = 0; r < want; r++)
            {
                float expected = Distance(f, real + imaginary, real, i, truth[r]), got = Distance(f, real + imaginary, real, i, found[i][r]);
                Assert.True(Math.Abs(expected - got) <= 1e-3 * Math.Max(1, Math.Abs(expected)), $"image {i}, rank {r}: {got} against {expected}");
            }
        }
    }

    [Fact]
    public void ManyEqualDistancesStillGiveTheNearest()
    {
        // Five distinct feature vectors, each shared by 100 images: every image's 60 nearest are copies of its own.
        const int count = 500, real = 10, imaginary = 6, want = 60;
        var distinct = Features(5, real, imaginary, seed: 8);
        var f = new float[count * (real + imaginary)];
        for (int i = 0; i < count; i++)
        {
            Array.Copy(distinct, (i % 5) * (real + imaginary), f, i * (real + imaginary), real + imaginary);
        }

        var found = NearestNeighbourSearch.Find(f, count, real, imaginary, want);
        for (int i = 0; i < count; i++)
        {
            Assert.Equal(want, found[i].Distinct().Count());
            Assert.All(found[i], j => Assert.True(j != i && j % 5 == i % 5, $"image {i}: neighbour {j}"));
        }
    }

    [Fact]
    public void TheApproximateSearchKeepsNearlyEveryExactNeighbour()
    {
        const int count = 3000, real = 96, imaginary = 64, want = 30;
        var f = Features(count, real, imaginary, seed: 5);
        var exact = NearestNeighbourSearch.Find(f, count, real, imaginary, want);
        var approximate = NearestNeighbourSearch.Find(f, count, real, imaginary, want, exactUpTo: 100);
        long kept = 0, differ = 0;
        for (int i = 0; i < count; i++)
        {
            var set = new HashSet<int>(exact[i]);
            kept += approximate[i].Count(set.Contains);
            differ += exact[i].SequenceEqual(approximate[i]) ? 0 : 1;
        }

        double recall = kept / (double)(count * want);
        Assert.True(recall > 0.97, $"recall {recall:0.0000}");

        // The ranking after the shortlist is the exact one: where the sets agree the order does too.
        Assert.True(differ < count / 2, $"{differ} of {count} lists differ");
    }
}
