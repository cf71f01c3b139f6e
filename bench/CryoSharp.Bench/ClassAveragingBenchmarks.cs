using BenchmarkDotNet.Attributes;
using CryoSharp.ClassAveraging;
using CryoSharp.Geometry;
using CryoSharp.Numerics;

namespace CryoSharp.Bench;

/// <summary>
/// The heavy steps of class averaging: the Fourier–Bessel expansion of 512 images of 64 px; the candidate search over
/// 10,000 images' invariant features (128 + 128 values, 150 candidates each), exact and approximate (principal-axes
/// prefilter, forced); and the vector diffusion maps (k ≤ 10) of the exact neighbour graph of 5,000 views, 50 each.
/// </summary>
[MemoryDiagnoser]
public class ClassAveragingBenchmarks
{
    private const int Images = 10_000;
    private const int Part = 128;
    private FourierBesselBasis basis = null!;
    private float[] pixels = null!;
    private ComplexF[] coefficients = null!;
    private float[] features = null!;
    private ImageNeighbours graph = null!;

    /// <summary>Random images, features near a 6-dimensional family, and the exact graph, once.</summary>
    [GlobalSetup]
    public void Setup()
    {
        basis = new FourierBesselBasis(64);
        pixels = new float[512 * 64 * 64];
        new SeedSequence(1).CreateStream().FillGaussian(pixels);
        coefficients = new ComplexF[512 * basis.Count];

        var random = new SeedSequence(2).CreateStream();
        var map = new double[2 * Part * 6];
        for (int t = 0; t < map.Length; t++)
        {
            map[t] = random.NextGaussian();
        }

        features = new float[Images * 2 * Part];
        var z = new double[6];
        for (int i = 0; i < Images; i++)
        {
            for (int l = 0; l < 6; l++)
            {
                z[l] = random.NextGaussian();
            }

            for (int a = 0; a < 2 * Part; a++)
            {
                double value = 0.1 * random.NextGaussian();
                for (int l = 0; l < 6; l++)
                {
                    value += map[(a * 6) + l] * z[l];
                }

                features[(i * 2 * Part) + a] = (float)value;
            }
        }

        graph = ExactGraph(5000, 50);
    }

    /// <summary>Each view's nearest by viewing direction among the views and their mirrors, with the exact in-plane angle.</summary>
    private static ImageNeighbours ExactGraph(int n, int neighbours)
    {
        var f = new Matrix3(1, 0, 0, 0, -1, 0, 0, 0, -1);
        var rotations = Rotations.RandomUniform(n, new SeedSequence(3)).Select(q => q.ToMatrix()).ToArray();
        var nodes = rotations.Concat(rotations.Select(r => f * r)).ToArray();
        var views = nodes.Select(r => r.Row(2)).ToArray();
        var result = new ImageNeighbours(n, neighbours);
        Parallel.For(0, n, i =>
        {
            var order = Enumerable.Range(0, 2 * n).Where(b => b != i && b != n + i)
                .OrderByDescending(b => (views[i].X * views[b].X) + (views[i].Y * views[b].Y) + (views[i].Z * views[b].Z)).Take(neighbours).ToArray();
            for (int r = 0; r < neighbours; r++)
            {
                int b = order[r], o = (i * neighbours) + r;
                var delta = nodes[i] * nodes[b].Transpose();
                result.Neighbour[o] = b % n;
                result.Reflected[o] = b >= n;
                result.AngleRad[o] = Math.Atan2(delta[1, 0] - delta[0, 1], delta[0, 0] + delta[1, 1]);
            }
        });
        return result;
    }

    /// <summary>512 images of 64 px into 1,253 Fourier–Bessel coefficients each.</summary>
    [Benchmark]
    public void FourierBesselExpansion() => basis.Expand(pixels, 512, coefficients);

    /// <summary>150 candidates of each of 10,000 images, every pair scored.</summary>
    [Benchmark]
    public int[][] ExactCandidates() => NearestNeighbourSearch.Find(features, Images, Part, Part, 150);

    /// <summary>The same by the principal-axes prefilter (what runs above 20,000 images).</summary>
    [Benchmark]
    public int[][] ApproximateCandidates() => NearestNeighbourSearch.Find(features, Images, Part, Part, 150, exactUpTo: 0);

    /// <summary>VDM and MFVDM eigenvectors, k = 1…10, of 5,000 views (10,000 nodes).</summary>
    [Benchmark]
    public VectorDiffusionMaps DiffusionMaps() => VectorDiffusionMaps.Build(graph, 50, 10, 1, new SeedSequence(4));
}
