using System.Numerics.Tensors;
using CryoSharp.Numerics;

namespace CryoSharp.ClassAveraging;

/// <summary>
/// The nearest images of every image under the reflection-aware feature distance of
/// <see cref="RotationInvariantFeatures"/>: d² = ‖rᵢ‖² + ‖rⱼ‖² + ‖mᵢ‖² + ‖mⱼ‖² − 2(rᵢ·rⱼ + |mᵢ·mⱼ|). Exact: every pair is
/// scored (n² × features multiply–adds, in parallel over images, a bounded heap per image), which is what the
/// command uses up to any n — at n = 10⁵ and 256 features that is 2.6·10¹² multiply–adds, minutes on a workstation.
/// </summary>
public static class NearestNeighbourSearch
{
    /// <summary>For each of the <paramref name="count"/> images, its <paramref name="neighbours"/> nearest others, nearest first.</summary>
    /// <param name="features">Feature vectors, <paramref name="realLength"/> + <paramref name="imaginaryLength"/> floats per image.</param>
    /// <param name="count">Images.</param>
    /// <param name="realLength">Values of the real part (first).</param>
    /// <param name="imaginaryLength">Values of the imaginary part (next).</param>
    /// <param name="neighbours">Neighbours wanted per image (fewer when there are fewer other images).</param>
    /// <param name="context">Threads.</param>
    public static int[][] Find(float[] features, int count, int realLength, int imaginaryLength, int neighbours, ComputeContext? context = null)
    {
        ArgumentNullException.ThrowIfNull(features);
        int d = realLength + imaginaryLength, want = Math.Min(neighbours, count - 1);
        if (want < 1)
        {
            return [.. Enumerable.Range(0, count).Select(_ => Array.Empty<int>())];
        }

        var norms = new float[count];
        for (int i = 0; i < count; i++)
        {
            var f = features.AsSpan(i * d, d);
            norms[i] = TensorPrimitives.Dot(f, f);
        }

        var result = new int[count][];
        Parallel.For(0, count, (context ?? ComputeContext.Default).ParallelOptions, () => new PriorityQueue<int, float>(want + 1), (i, _, heap) =>
        {
            heap.Clear();
            var fr = features.AsSpan(i * d, realLength);
            var fm = features.AsSpan((i * d) + realLength, imaginaryLength);
            for (int j = 0; j < count; j++)
            {
                if (j == i)
                {
                    continue;
                }

                float re = TensorPrimitives.Dot(fr, features.AsSpan(j * d, realLength));
                float im = imaginaryLength > 0 ? TensorPrimitives.Dot(fm, features.AsSpan((j * d) + realLength, imaginaryLength)) : 0;
                float distance = norms[i] + norms[j] - (2 * (re + MathF.Abs(im)));

                // A max-heap of the best so far (priorities negated): the worst kept is at the top.
                if (heap.Count < want)
                {
                    heap.Enqueue(j, -distance);
                }
                else if (heap.TryPeek(out int _, out float worst) && -distance > worst)
                {
                    heap.DequeueEnqueue(j, -distance);
                }
            }

            var list = new int[heap.Count];
            for (int r = list.Length - 1; r >= 0; r--)
            {
                list[r] = heap.Dequeue();
            }

            result[i] = list;
            return heap;
        }, _ => { });
        return result;
    }
}
