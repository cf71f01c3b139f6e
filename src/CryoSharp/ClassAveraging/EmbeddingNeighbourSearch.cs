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
/// that stays in cache; n · 2n · Σₖ mₖ complex products in all). An image's own reflection is never its neighbour; of
/// a node and its mirror image the nearer stands for the image.
/// </summary>
public static class EmbeddingNeighbourSearch
{
    private const int QueryBlock = 8;
    private const int NodeTile = 512;

    /// <summary>The <paramref name="neighbours"/> nearest images of every image by VDM or by MFVDM.</summary>
    /// <param name="maps">The embeddings.</param>
    /// <param name="neighbours">Neighbours per image.</param>
    /// <param name="multiFrequency">MFVDM (frequencies 1…k_max), or VDM (frequency 1, its own embedding).</param>
    /// <param name="context">Threads.</param>
    public static ImageNeighbours Find(VectorDiffusionMaps maps, int neighbours, bool multiFrequency, ComputeContext? context = null)
    {
        ArgumentNullException.ThrowIfNull(maps);
        int kmax = multiFrequency ? maps.MaxFrequency : 1;
        int n = maps.Images, nodes = 2 * n, take = Math.Min(neighbours, n - 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(take, 1, nameof(neighbours));
        var planes = new (float[] Re, float[] Im, int M)[kmax];
        for (int k = 1; k <= kmax; k++)
        {
            planes[k - 1] = Planes(maps, k, multiFrequency);
        }

        // The padded node count lets every tile be whole vectors; padding nodes score 0.
        int width = Vector<float>.Count, padded = (nodes + width - 1) / width * width;
        var result = new ImageNeighbours(n, take);
        int blocks = (n + QueryBlock - 1) / QueryBlock;
        Parallel.For(0, blocks, (context ?? ComputeContext.Default).ParallelOptions, () => new Workspace(padded), (block, _, workspace) =>
        {
            int first = block * QueryBlock, count = Math.Min(QueryBlock, n - first);
            Score(planes, n, padded, first, count, workspace);
            for (int q = 0; q < count; q++)
            {
                Select(maps, workspace.Scores.AsSpan(q * padded, padded), n, first + q, kmax, multiFrequency, result, workspace);
            }

            return workspace;
        }, _ => { });
        return result;
    }

    private static (float[] Re, float[] Im, int M) Planes(VectorDiffusionMaps maps, int k, bool multiFrequency)
    {
        int nodes = 2 * maps.Images, m = maps.EmbeddingLength(k, multiFrequency);
        int width = Vector<float>.Count, padded = (nodes + width - 1) / width * width;
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

    private static void Select(VectorDiffusionMaps maps, ReadOnlySpan<float> scores, int n, int i, int kmax, bool multiFrequency, ImageNeighbours result,
        Workspace workspace)
    {
        // A min-heap of the best so far: the root is the one to beat.
        var heap = workspace.Heap;
        heap.Clear();
        int take = result.PerImage;
        for (int j = 0; j < n; j++)
        {
            if (j == i)
            {
                continue;
            }

            float plain = scores[j], mirror = scores[n + j];
            float best = Math.Max(plain, mirror);
            if (heap.Count < take)
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
        for (int r = 0; r < list.Count; r++)
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
