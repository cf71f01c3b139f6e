using CryoSharp.ClassAveraging;
using CryoSharp.Geometry;
using CryoSharp.Numerics;

namespace CryoSharp.Tests.ClassAveraging;

public class VectorDiffusionMapsTests(Xunit.Abstractions.ITestOutputHelper output)
{
    /// <summary>
    /// The graph of exact neighbours of n random rotations and their mirrors (the mirror image of the projection at R
    /// is the projection at F·R, F = diag(1, −1, −1)): each image's nearest nodes by viewing direction, with the exact
    /// in-plane angle of R_a·R_bᵀ (a rotation about z for nearby views).
    /// </summary>
    internal static (ImageNeighbours Graph, Matrix3[] Nodes) TrueGraph(int n, int neighbours, int seed)
    {
        var f = new Matrix3(1, 0, 0, 0, -1, 0, 0, 0, -1);
        var rotations = Rotations.RandomUniform(n, new SeedSequence(seed)).Select(q => q.ToMatrix()).ToArray();
        var nodes = rotations.Concat(rotations.Select(r => f * r)).ToArray();
        var views = nodes.Select(r => r.Row(2)).ToArray();
        var graph = new ImageNeighbours(n, neighbours);
        Parallel.For(0, n, i =>
        {
            var order = Enumerable.Range(0, 2 * n).Where(b => b != i && b != n + i)
                .OrderByDescending(b => Dot(views[i], views[b])).Take(neighbours).ToArray();
            for (int r = 0; r < neighbours; r++)
            {
                int b = order[r], o = (i * neighbours) + r;
                var delta = nodes[i] * nodes[b].Transpose();
                graph.Neighbour[o] = b % n;
                graph.Reflected[o] = b >= n;
                graph.AngleRad[o] = Math.Atan2(delta[1, 0] - delta[0, 1], delta[0, 0] + delta[1, 1]);
            }
        });

        return (graph, nodes);
    }

    private static double Dot(Vector3d a, Vector3d b) => (a.X * b.X) + (a.Y * b.Y) + (a.Z * b.Z);

    /// <summary>The identity at the issue's size (n = 10,000, 50 neighbours, k ≤ 5): minutes, so only when CRYOSHARP_LONG_CHECKS=1.</summary>
    [SkippableFact]
    public void AtTenThousandImagesTheIdentityHoldsClosely()
    {
        Skip.IfNot(Environment.GetEnvironmentVariable("CRYOSHARP_LONG_CHECKS") == "1", "a long check: set CRYOSHARP_LONG_CHECKS=1");
        var (worst, eigenvalues) = Identity(10_000, 50, 5, 20_000, extraEigenvalues: 3);
        for (int k = 1; k <= 5; k++)
        {
            var e = eigenvalues[k - 1];
            output.WriteLine($"k = {k}: max deviation {worst[k]:0.0000}; gap λ_{2 * k + 1} − λ_{2 * k + 2} = {e[2 * k] - e[(2 * k) + 1]:0.0000}; eigenvalues {string.Join(" ", e.Select(v => v.ToString("0.0000", System.Globalization.CultureInfo.InvariantCulture)))}");
        }

        // Measured 0.027, 0.037, 0.042, 0.045, 0.047 for k = 1…5 with the density normalisation (α = 1); unweighted
        // (α = 0) 0.030 … 0.054: what is left is the sampling of the views by 10⁴ random rotations.
        Assert.True(worst.Skip(1).Max() < 0.05, $"max deviation {worst.Skip(1).Max():0.000}");
    }

    private static (double[] Worst, double[][] Eigenvalues) Identity(int n, int neighbours, int kmax, int pairs, int extraEigenvalues)
    {
        var (graph, nodes) = TrueGraph(n, neighbours, seed: 5);
        var maps = VectorDiffusionMaps.Build(graph, neighbours, kmax, diffusionTime: 0, new SeedSequence(6), extraEigenvalues: extraEigenvalues);
        var random = new SeedSequence(7).CreateStream();
        var worst = new double[kmax + 1];
        for (int t = 0; t < pairs; t++)
        {
            int a = random.NextInt(2 * n), b = random.NextInt(2 * n);
            double cos = Math.Clamp(Dot(nodes[a].Row(2), nodes[b].Row(2)), -1, 1);
            for (int k = 1; k <= kmax; k++)
            {
                worst[k] = Math.Max(worst[k], Math.Abs(maps.NormalisedCorrelation(k, a, b) - Math.Pow((1 + cos) / 2, k)));
            }
        }

        return (worst, maps.Eigenvalues);
    }

    [Fact]
    public void OnTheTrueGraphTheEmbeddingsFollowTheAngleBetweenViewingDirections()
    {
        // Fan and Zhao's identity |Σₗ ψₗ(a) conj ψₗ(b)| = ((1 + cos θ)/2)ᵏ, with the top 2k + 1 eigenvectors.
        const int n = 1500, kmax = 3;
        var (graph, nodes) = TrueGraph(n, 40, seed: 5);
        var maps = VectorDiffusionMaps.Build(graph, 40, kmax, diffusionTime: 0, new SeedSequence(6));
        var random = new SeedSequence(7).CreateStream();
        var worst = new double[kmax + 1];
        for (int t = 0; t < 3000; t++)
        {
            int a = random.NextInt(2 * n), b = random.NextInt(2 * n);
            double cos = Math.Clamp(Dot(nodes[a].Row(2), nodes[b].Row(2)), -1, 1);
            for (int k = 1; k <= kmax; k++)
            {
                worst[k] = Math.Max(worst[k], Math.Abs(maps.NormalisedCorrelation(k, a, b) - Math.Pow((1 + cos) / 2, k)));
            }
        }

        // At n = 1,500 and 40 neighbours the graph is a coarse sample of SO(3): 0.05–0.09 here (0.0x at n = 10⁴).
        string all = string.Join(", ", Enumerable.Range(1, kmax).Select(k => $"k = {k}: {worst[k]:0.000}"));
        for (int k = 1; k <= kmax; k++)
        {
            Assert.True(worst[k] < 0.12, $"max deviations {all}");
        }

        // The 2k + 1 eigenvalues of each frequency stand together, near 1.
        for (int k = 1; k <= kmax; k++)
        {
            Assert.Equal((2 * k) + 1, maps.Eigenvalues[k - 1].Length);
            Assert.True(maps.Eigenvalues[k - 1].Min() > 0.8, $"k = {k}: eigenvalues {string.Join(", ", maps.Eigenvalues[k - 1].Select(v => v.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture)))}");
        }
    }

    [Fact]
    public void TheEmbeddingsGiveBackTheInPlaneAnglesOfTheGraph()
    {
        const int n = 800;
        var (graph, _) = TrueGraph(n, 30, seed: 8);
        var maps = VectorDiffusionMaps.Build(graph, 30, 4, diffusionTime: 1, new SeedSequence(9));
        foreach (bool multi in new[] { false, true })
        {
            var ranked = maps.Rank(graph, 10, multi);
            double worst = 0;
            int reflections = 0;
            for (int i = 0; i < n; i++)
            {
                for (int r = 0; r < 10; r++)
                {
                    int o = (i * 10) + r, j = ranked.Neighbour[o];

                    // The same neighbour in the true graph: the same reflection and, up to the graph's discretisation, the same angle.
                    int t = Array.FindIndex(graph.Neighbour, i * 30, 30, x => x == j && true);
                    if (t < 0 || graph.Reflected[t] != ranked.Reflected[o])
                    {
                        continue;
                    }

                    reflections += ranked.Reflected[o] ? 1 : 0;
                    worst = Math.Max(worst, Math.Abs(Math.IEEERemainder(ranked.AngleRad[o] - graph.AngleRad[t], 2 * Math.PI)));
                }
            }

            Assert.True(worst * 180 / Math.PI < 6, $"{(multi ? "MFVDM" : "VDM")}: worst in-plane error {worst * 180 / Math.PI:0.0}°");
            Assert.True(reflections > 0, "some neighbours are reflections");
        }
    }
}
