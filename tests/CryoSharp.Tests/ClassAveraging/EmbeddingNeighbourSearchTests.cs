using CryoSharp.ClassAveraging;
using CryoSharp.Geometry;
using CryoSharp.Numerics;

namespace CryoSharp.Tests.ClassAveraging;

public class EmbeddingNeighbourSearchTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TheBlockedSearchRanksAsTheAffinitiesDo(bool multiFrequency)
    {
        // Odd n: the node count is not a whole number of vectors, so the padding is exercised.
        const int n = 301, take = 12;
        var (graph, _) = VectorDiffusionMapsTests.TrueGraph(n, 20, seed: 11);
        var maps = VectorDiffusionMaps.Build(graph, 20, 3, diffusionTime: 1, new SeedSequence(12), vdmEigenvectors: 6);
        var found = EmbeddingNeighbourSearch.Find(maps, take, multiFrequency);
        int kmax = multiFrequency ? 3 : 1;
        for (int i = 0; i < n; i++)
        {
            var direct = Enumerable.Range(0, n).Where(j => j != i).Select(j =>
            {
                double plain = 0, mirror = 0;
                for (int k = 1; k <= kmax; k++)
                {
                    plain += maps.Affinity(k, i, j, multiFrequency);
                    mirror += maps.Affinity(k, i, n + j, multiFrequency);
                }

                return (J: j, Score: Math.Max(plain, mirror), Reflected: mirror > plain);
            }).OrderByDescending(x => x.Score).ToArray();
            for (int r = 0; r < take; r++)
            {
                int o = (i * take) + r;
                // Single-precision scores: the same score to 1e-5 at every rank, and the same image where no near tie.
                Assert.Equal(direct[r].Score, found.Score[o], 1e-5);
                if (r + 1 < take && direct[r].Score - direct[r + 1].Score > 1e-4 && (r == 0 || direct[r - 1].Score - direct[r].Score > 1e-4))
                {
                    Assert.Equal(direct[r].J, found.Neighbour[o]);
                    Assert.Equal(direct[r].Reflected, found.Reflected[o]);
                }
            }
        }
    }

    [Fact]
    public void ItFindsTrueNeighboursTheCandidateListsLacked()
    {
        // The graph holds each image's 30 nearest views; the candidate lists only its 20th to 30th. Re-ranking the
        // candidates cannot do better than the 20th; the search over all images finds the nearest ones again.
        const int n = 1200, take = 10;
        var (graph, nodes) = VectorDiffusionMapsTests.TrueGraph(n, 30, seed: 13);
        var maps = VectorDiffusionMaps.Build(graph, 30, 4, diffusionTime: 1, new SeedSequence(14));
        var late = Slice(graph, 20, take);
        double reranked = MedianAngle(maps.Rank(late, take, multiFrequency: true), nodes);
        double searched = MedianAngle(EmbeddingNeighbourSearch.Find(maps, take, multiFrequency: true), nodes);
        double nearest = MedianAngle(Slice(graph, 0, take), nodes);
        output.WriteLine($"median angle: {searched:0.00}° searching all, {reranked:0.00}° re-ranking the 20th–30th, {nearest:0.00}° the true 10 nearest");
        Assert.True(searched < 0.6 * reranked, $"median angle {searched:0.00}° searching all, {reranked:0.00}° re-ranking late candidates");
        Assert.True(searched < 1.5 * nearest, $"median angle {searched:0.00}° searching all, {nearest:0.00}° for the true 10 nearest");
    }

    [Fact]
    public void ThePrefilteredSearchFindsWhatTheExactOneDoes()
    {
        // Forced on a small graph (it serves more than 20,000 images): frequencies 1…3 shortlist, all frequencies rank.
        const int n = 1500, take = 10;
        var (graph, _) = VectorDiffusionMapsTests.TrueGraph(n, 30, seed: 15);
        var maps = VectorDiffusionMaps.Build(graph, 30, 6, diffusionTime: 1, new SeedSequence(16));
        var exact = EmbeddingNeighbourSearch.Find(maps, take, multiFrequency: true);
        var prefiltered = EmbeddingNeighbourSearch.Find(maps, take, multiFrequency: true, exactUpTo: 0);
        int same = 0;
        for (int i = 0; i < n; i++)
        {
            var a = exact.Neighbour.AsSpan(i * take, take).ToArray();
            same += prefiltered.Neighbour.AsSpan(i * take, take).ToArray().Count(a.Contains);
        }

        double fraction = (double)same / (n * take);
        output.WriteLine($"{100 * fraction:0.00} % of the exact neighbours found by the prefiltered search");
        Assert.True(fraction > 0.99, $"{100 * fraction:0.00} % of the exact neighbours");
    }

    // Entries from..from + take of every image's list.
    private static ImageNeighbours Slice(ImageNeighbours lists, int from, int take)
    {
        var result = new ImageNeighbours(lists.Count, take);
        for (int i = 0; i < lists.Count; i++)
        {
            Array.Copy(lists.Neighbour, (i * lists.PerImage) + from, result.Neighbour, i * take, take);
            Array.Copy(lists.Reflected, (i * lists.PerImage) + from, result.Reflected, i * take, take);
            Array.Copy(lists.AngleRad, (i * lists.PerImage) + from, result.AngleRad, i * take, take);
        }

        return result;
    }

    // The median angle, degrees, between each image's viewing direction and its neighbours' (a reflected neighbour's mirror node).
    private static double MedianAngle(ImageNeighbours lists, Matrix3[] nodes)
    {
        int n = lists.Count, k = lists.PerImage;
        var angles = new List<double>();
        for (int i = 0; i < n; i++)
        {
            for (int r = 0; r < k; r++)
            {
                int o = (i * k) + r, j = lists.Neighbour[o];
                var a = nodes[i].Row(2);
                var b = nodes[lists.Reflected[o] ? n + j : j].Row(2);
                double cos = Math.Clamp((a.X * b.X) + (a.Y * b.Y) + (a.Z * b.Z), -1, 1);
                angles.Add(Math.Acos(cos) * 180 / Math.PI);
            }
        }

        angles.Sort();
        return angles[angles.Count / 2];
    }
}
