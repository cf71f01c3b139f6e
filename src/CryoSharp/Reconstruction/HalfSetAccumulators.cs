using CryoSharp.Geometry;
using CryoSharp.Numerics;
using CryoSharp.Projection;

namespace CryoSharp.Reconstruction;

/// <summary>
/// Fourier accumulators of the two gold-standard half sets, one pair per worker thread, so that workers insert
/// without locks; <see cref="Merge"/> adds them in worker order. When each worker inserts a fixed, ordered share of
/// the particles (worker w takes particles w, w + W, …), the merged sums — and so the maps — are identical on every
/// run with the same number of workers. Insertion is weighted (Σ w·C·X and Σ w·C²), so maximum-likelihood refinement
/// can insert every significant orientation with its posterior probability.
/// </summary>
public sealed class HalfSetAccumulators
{
    /// <summary>Memory the per-worker accumulators may take by default, in bytes.</summary>
    public const long DefaultBudget = 4L << 30;

    private readonly FourierBackProjector[] half1;
    private readonly FourierBackProjector[] half2;

    /// <summary>Creates <paramref name="workers"/> pairs of accumulators for images of box <paramref name="box"/>.</summary>
    public HalfSetAccumulators(int box, double pixelSizeA, int padding, int workers)
    {
        if (workers < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(workers), workers, "At least one worker is needed.");
        }

        half1 = new FourierBackProjector[workers];
        half2 = new FourierBackProjector[workers];
        for (int w = 0; w < workers; w++)
        {
            half1[w] = new FourierBackProjector(box, pixelSizeA, padding, withWeights: true);
            half2[w] = new FourierBackProjector(box, pixelSizeA, padding, withWeights: true);
        }
    }

    /// <summary>Number of workers (pairs of accumulators).</summary>
    public int Workers => half1.Length;

    /// <summary>
    /// How many workers fit in <paramref name="budget"/> bytes for this box and padding (at least 1, at most the
    /// context's threads): each holds two (re, im, weight) double grids.
    /// </summary>
    public static int WorkersFor(int box, int padding, ComputeContext context, long budget = DefaultBudget)
    {
        ArgumentNullException.ThrowIfNull(context);
        long m = (long)box * padding;
        long bytes = 24L * ((m / 2) + 1) * m * m;
        return (int)Math.Clamp(budget / (2 * bytes), 1, context.Threads);
    }

    /// <summary>
    /// Inserts one image spectrum into half set <paramref name="half"/> (1 or 2) of worker <paramref name="worker"/>:
    /// w·C·X onto the slice of orientation <paramref name="a"/> and w·C² onto the weights. An empty
    /// <paramref name="ctf"/> means C = 1.
    /// </summary>
    public void Insert(int worker, int half, ReadOnlySpan<ComplexF> spectrum, ReadOnlySpan<float> ctf, Matrix3 a, double weight = 1)
    {
        var target = half switch
        {
            1 => half1[worker],
            2 => half2[worker],
            _ => throw new ArgumentOutOfRangeException(nameof(half), half, "The half set is 1 or 2."),
        };
        target.Insert(spectrum, ctf, a, weight);
    }

    /// <summary>
    /// The sums of each half set over all workers, added in worker order (into worker 0's accumulators, which are
    /// returned; insert nothing more afterwards).
    /// </summary>
    public (FourierBackProjector Half1, FourierBackProjector Half2) Merge()
    {
        for (int w = 1; w < half1.Length; w++)
        {
            half1[0].Add(half1[w]);
            half2[0].Add(half2[w]);
        }

        return (half1[0], half2[0]);
    }
}
