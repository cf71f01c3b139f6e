using System.Numerics;
using System.Runtime.InteropServices;
using CryoSharp.Numerics;

namespace CryoSharp.ClassAveraging;

/// <summary>
/// Each image's nearest nodes among all 2n nodes of a <see cref="VectorDiffusionMaps"/> graph by the VDM or MFVDM
/// affinity Σₖ Aₖ(i, b), as Singer and Wu and Fan and Zhao search them: the embeddings find neighbours the
/// rotation-invariant candidates missed, which re-ranking those candidates cannot. An exact search: every image
/// against every node, the unit embeddings uₖ(b) = φₖ(b)/|φₖ(b)| held frequency by frequency as real and imaginary
/// planes over the nodes (2n × Σₖ mₖ × 8 B), scored by a blocked kernel (a few images at once over a tile of nodes
/// that stays in cache; n · 2n · Σₖ mₖ complex products in all; above 20,000 images MFVDM's is prefiltered by its
/// first three frequencies). An image's own reflection is never its neighbour; of a node and its mirror image the
/// nearer stands for the image.
/// </summary>
public static class EmbeddingNeighbourSearch
{
    private const int QueryBlock = 8;
    private const int NodeTile = 512;

    /// <summary>Above this many images, MFVDM's search is prefiltered (see <see cref="Find"/>).</summary>
    public const int ExactUpTo = 20_000;

    /// <summary>Frequencies of the prefilter.</summary>
    public const int PrefilterFrequencies = 3;

    /// <summary>
    /// The <paramref name="neighbours"/> nearest images of every image by VDM or by MFVDM. Exact up to
    /// <paramref name="exactUpTo"/> images. Above, MFVDM first scores every node by frequencies 1…3 only (Σₖ mₖ = 15
    /// of 120 at k_max = 10: the cost that grows as n²), keeps each image's 10 × <paramref name="neighbours"/> best
    /// images (at least 200), and ranks those exactly by all frequencies.
    /// </summary>
    /// <param name="maps">The embeddings.</param>
    /// <param name="neighbours">Neighbours per image.</param>
    /// <param name="multiFrequency">MFVDM (frequencies 1…k_max), or VDM (frequency 1, its own embedding).</param>
    /// <param name="context">Threads.</param>
    /// <param name="exactUpTo">Images up to which the search is exhaustive in every frequency.</param>
    public static ImageNeighbours Find(VectorDiffusionMaps maps, int neighbours, bool multiFrequency, ComputeContext? context = null, int exactUpTo = ExactUpTo)
    {
        ArgumentNullException.ThrowIfNull(maps);
        int kmax = multiFrequency ? maps.MaxFrequency : 1;
        int n = maps.Images, nodes = 2 * n, take = Math.Min(neighbours, n - 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(take, 1, nameof(neighbours));
        // The padded node count lets every tile be whole vectors; padding nodes score 0.
        int width = Vector<float>.Count, padded = (nodes + width - 1) / width * width;
        var planes = new (float[] Re, float[] Im, int M)[kmax];
        for (int k = 1; k <= kmax; k++)
        {
            planes[k - 1] = Planes(maps, k, multiFrequency, padded);
        }

        bool prefilter = n > exactUpTo && kmax > PrefilterFrequencies;
        var scored = prefilter ? planes[..PrefilterFrequencies] : planes;
        int shortlist = prefilter ? Math.Min(n - 1, Math.Max(10 * take, 200)) : take;

        var result = new ImageNeighbours(n, take);
        int blocks = (n + QueryBlock - 1) / QueryBlock;
        Parallel.For(0, blocks, (context ?? ComputeContext.Default).ParallelOptions, () => new Workspace(padded), (block, _, workspace) =>
        {
            int first = block * QueryBlock, count = Math.Min(QueryBlock, n - first);
            Score(scored, n, padded, first, count, workspace);
            for (int q = 0; q < count; q++)
            {
                int i = first + q;
                var best = Best(workspace.Scores.AsSpan(q * padded, padded), n, i, shortlist, workspace);
                if (prefilter)
                {
                    Rescore(planes, padded, n, i, best);
                }

                Write(maps, best, i, kmax, multiFrequency, result);
            }

            return workspace;
        }, _ => { });
        return result;
    }

    private static (float[] Re, float[] Im, int M) Planes(VectorDiffusionMaps maps, int k, bool multiFrequency, int padded)
    {
        int nodes = 2 * maps.Images, m = maps.EmbeddingLength(k, multiFrequency);
        var re = new float[m * padded];
        var im = new float[m * padded];
        for (int a = 0; a < nodes; a++)
        {
            var row = maps.Embedding(k, a, multiFrequency);
            double norm = 0;
            foreach (var value in row)
            {
                norm += (value.Real * value.Real) + (value.Imaginary * value.Imaginary);
            }

            double scale = norm > 0 ? 1 / Math.Sqrt(norm) : 0;
            for (int l = 0; l < m; l++)
            {
                re[(l * padded) + a] = (float)(row[l].Real * scale);
                im[(l * padded) + a] = (float)(row[l].Imaginary * scale);
            }
        }

        return (re, im, m);
    }

    // Scores[q, b] = Σₖ |⟨uₖ(i_q), uₖ(b)⟩|² for the block's images against every node.
    private static void Score((float[] Re, float[] Im, int M)[] planes, int n, int padded, int first, int count, Workspace workspace)
    {
        var scores = workspace.Scores;
        Array.Clear(scores, 0, count * padded);
        var accRe = MemoryMarshal.Cast<float, Vector<float>>(workspace.AccRe.AsSpan());
        var accIm = MemoryMarshal.Cast<float, Vector<float>>(workspace.AccIm.AsSpan());
        for (int start = 0; start < padded; start += NodeTile)
        {
            int length = Math.Min(NodeTile, padded - start), vectors = length / Vector<float>.Count;
            foreach (var (re, im, m) in planes)
            {
                for (int q = 0; q < count; q++)
                {
                    int i = first + q;
                    accRe[..vectors].Clear();
                    accIm[..vectors].Clear();
                    for (int l = 0; l < m; l++)
                    {
                        var qr = new Vector<float>(re[(l * padded) + i]);
                        var qi = new Vector<float>(im[(l * padded) + i]);
                        var pr = MemoryMarshal.Cast<float, Vector<float>>(re.AsSpan((l * padded) + start, length));
                        var pi = MemoryMarshal.Cast<float, Vector<float>>(im.AsSpan((l * padded) + start, length));
                        for (int v = 0; v < vectors; v++)
                        {
                            // uᵢ conj u_b = (qr + i qi)(pr − i pi).
                            accRe[v] += (qr * pr[v]) + (qi * pi[v]);
                            accIm[v] += (qi * pr[v]) - (qr * pi[v]);
                        }
                    }

                    var score = MemoryMarshal.Cast<float, Vector<float>>(scores.AsSpan((q * padded) + start, length));
                    for (int v = 0; v < vectors; v++)
                    {
                        score[v] += (accRe[v] * accRe[v]) + (accIm[v] * accIm[v]);
                    }
                }
            }
        }
    }

    // The `count` best images by their nearer node, best first (an image's own reflection excluded).
    private static List<(float Score, int J, bool Reflected)> Best(ReadOnlySpan<float> scores, int n, int i, int count, Workspace workspace)
    {
        // A min-heap of the best so far: the root is the one to beat.
        var heap = workspace.Heap;
        heap.Clear();
        for (int j = 0; j < n; j++)
        {
            if (j == i)
            {
                continue;
            }

            float plain = scores[j], mirror = scores[n + j];
            float best = Math.Max(plain, mirror);
            if (heap.Count < count)
            {
                heap.Enqueue((j, mirror > plain), best);
            }
            else if (heap.TryPeek(out _, out float worst) && best > worst)
            {
                heap.EnqueueDequeue((j, mirror > plain), best);
            }
        }

        var list = workspace.List;
        list.Clear();
        while (heap.TryDequeue(out var node, out float score))
        {
            list.Add((score, node.J, node.Reflected));
        }

        list.Reverse();
        return list;
    }

    // The shortlist scored by every frequency, plain and mirrored, best first.
    private static void Rescore((float[] Re, float[] Im, int M)[] planes, int padded, int n, int i, List<(float Score, int J, bool Reflected)> list)
    {
        for (int r = 0; r < list.Count; r++)
        {
            int j = list[r].J;
            float plain = Exact(planes, padded, i, j), mirror = Exact(planes, padded, i, n + j);
            list[r] = (Math.Max(plain, mirror), j, mirror > plain);
        }

        list.Sort((x, y) => y.Score.CompareTo(x.Score));
    }

    private static float Exact((float[] Re, float[] Im, int M)[] planes, int padded, int a, int b)
    {
        float sum = 0;
        foreach (var (re, im, m) in planes)
        {
            float cr = 0, ci = 0;
            for (int l = 0; l < m; l++)
            {
                float qr = re[(l * padded) + a], qi = im[(l * padded) + a], pr = re[(l * padded) + b], pi = im[(l * padded) + b];
                cr += (qr * pr) + (qi * pi);
                ci += (qi * pr) - (qr * pi);
            }

            sum += (cr * cr) + (ci * ci);
        }

        return sum;
    }

    private static void Write(VectorDiffusionMaps maps, List<(float Score, int J, bool Reflected)> list, int i, int kmax, bool multiFrequency, ImageNeighbours result)
    {
        int take = result.PerImage;
        for (int r = 0; r < take; r++)
        {
            var (score, j, reflected) = list[r];
            int o = (i * take) + r;
            result.Neighbour[o] = j;
            result.Reflected[o] = reflected;
            result.Score[o] = score;
            result.AngleRad[o] = maps.Angle(i, maps.Node(j, reflected), kmax, multiFrequency);
        }
    }

    private sealed class Workspace(int padded)
    {
        public float[] Scores { get; } = new float[QueryBlock * padded];

        public float[] AccRe { get; } = new float[NodeTile];

        public float[] AccIm { get; } = new float[NodeTile];

        public PriorityQueue<(int J, bool Reflected), float> Heap { get; } = new();

        public List<(float Score, int J, bool Reflected)> List { get; } = [];
    }
}
