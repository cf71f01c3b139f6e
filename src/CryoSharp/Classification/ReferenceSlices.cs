using CryoSharp.Numerics;

namespace CryoSharp.Classification;

/// <summary>
/// The reference spectra one E-step scores every particle against, at two levels: coarse slices, and each coarse
/// slice's fine children (adaptive oversampling). A slice is whatever a hypothesis predicts before CTF and shift —
/// a class average rotated in-plane (2D classification) or a central section of a class volume (3D refinement) —
/// packed on a <see cref="FourierPixelSet"/>, with its class and log prior. Built once per iteration, read by
/// every particle.
/// </summary>
public sealed class ReferenceSlices
{
    private readonly float[] coarse;
    private readonly float[] coarsePower;
    private readonly float[] coarseShellPower;
    private readonly float[] fine;
    private readonly float[] finePower;
    private readonly int[] classOfCoarse;
    private readonly double[] logPriorCoarse;
    private readonly Action<int, bool, Span<float>>? lazyFill;
    private readonly float[]?[] lazyCoarse = [];
    private readonly float[]?[] lazyFine = [];
    private readonly long cacheBudgetBytes;
    private long cachedBytes;

    /// <summary>
    /// Builds the slices: <paramref name="fill"/>(index, isFine, packed) writes slice <c>index</c> of its level
    /// (fine slice f is child f mod <paramref name="childrenPerCoarse"/> of coarse slice f / children).
    /// </summary>
    /// <param name="pixels">The frequencies the slices are packed on.</param>
    /// <param name="coarseCount">Number of coarse slices.</param>
    /// <param name="childrenPerCoarse">Fine slices per coarse slice (1 without oversampling).</param>
    /// <param name="classOf">The class of each coarse slice (its children share it).</param>
    /// <param name="logPrior">The log prior of each coarse slice (class prior and any orientation prior); children share it.</param>
    /// <param name="fill">Writes one slice, interleaved (re, im).</param>
    /// <param name="context">Threads to build with.</param>
    public ReferenceSlices(FourierPixelSet pixels, int coarseCount, int childrenPerCoarse, ReadOnlySpan<int> classOf, ReadOnlySpan<double> logPrior,
        Action<int, bool, Span<float>> fill, ComputeContext context)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentNullException.ThrowIfNull(fill);
        ArgumentNullException.ThrowIfNull(context);
        Pixels = pixels;
        CoarseCount = coarseCount;
        ChildrenPerCoarse = childrenPerCoarse;
        int p = pixels.Count;
        coarse = new float[(long)coarseCount * 2 * p];
        coarsePower = new float[(long)coarseCount * p];
        ShellCount = ShellsOf(pixels);
        coarseShellPower = new float[(long)coarseCount * ShellCount];
        var csp = coarseShellPower;
        fine = new float[(long)coarseCount * childrenPerCoarse * 2 * p];
        finePower = new float[(long)coarseCount * childrenPerCoarse * p];
        classOfCoarse = classOf.ToArray();
        logPriorCoarse = logPrior.ToArray();
        var c = coarse;
        var cp = coarsePower;
        var f = fine;
        var fp = finePower;
        int total = coarseCount * (1 + childrenPerCoarse);
        Parallel.For(0, total, context.ParallelOptions, i =>
        {
            bool isFine = i >= coarseCount;
            int index = isFine ? i - coarseCount : i;
            var packed = (isFine ? f : c).AsSpan(index * 2 * p, 2 * p);
            fill(index, isFine, packed);
            var power = (isFine ? fp : cp).AsSpan(index * p, p);
            for (int k = 0; k < p; k++)
            {
                power[k] = (packed[2 * k] * packed[2 * k]) + (packed[(2 * k) + 1] * packed[(2 * k) + 1]);
            }

            if (!isFine)
            {
                SumShells(pixels, power, csp.AsSpan(index * ShellCount, ShellCount));
            }
        });
    }

    /// <summary>
    /// Slices made on first use instead of all at once (3D refinement, where a fine grid of every orientation would not
    /// fit and local searches touch only a few): each slice is computed by <paramref name="fill"/> when a search first
    /// asks for it and kept for every later particle while the kept slices fit in <paramref name="cacheBudgetBytes"/>;
    /// beyond that, slices are computed into the asking worker's scratch each time. The values do not depend on who
    /// computes them first, so results do not either.
    /// </summary>
    public ReferenceSlices(FourierPixelSet pixels, int coarseCount, int childrenPerCoarse, ReadOnlySpan<int> classOf, ReadOnlySpan<double> logPrior,
        Action<int, bool, Span<float>> fill, long cacheBudgetBytes)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentNullException.ThrowIfNull(fill);
        Pixels = pixels;
        CoarseCount = coarseCount;
        ChildrenPerCoarse = childrenPerCoarse;
        classOfCoarse = classOf.ToArray();
        logPriorCoarse = logPrior.ToArray();
        coarse = coarsePower = coarseShellPower = fine = finePower = [];
        ShellCount = ShellsOf(pixels);
        lazyFill = fill;
        lazyCoarse = new float[]?[coarseCount];
        lazyFine = new float[]?[(long)coarseCount * childrenPerCoarse];
        this.cacheBudgetBytes = cacheBudgetBytes;
    }

    /// <summary>Whether slices are made on first use (<see cref="Coarse"/> and <see cref="Fine"/> are then unavailable).</summary>
    public bool IsLazy => lazyFill is not null;

    /// <summary>Bytes of slices kept so far (lazy slices only).</summary>
    public long CachedBytes => Interlocked.Read(ref cachedBytes);

    /// <summary>Coarse slice <paramref name="s"/> and its power, from the precomputed set or made on first use into <paramref name="scratch"/> (3 × frequencies floats).</summary>
    internal ReadOnlySpan<float> CoarseSlice(int s, float[] scratch, out ReadOnlySpan<float> power)
    {
        if (lazyFill is null)
        {
            power = CoarsePower(s);
            return Coarse(s);
        }

        return LazySlice(lazyCoarse, s, false, scratch, out power, out _);
    }

    /// <summary>
    /// Coarse slice <paramref name="s"/> with its power per frequency and Σ|R|² per shell (<see cref="ShellCount"/>
    /// values, shell = rounded radius). A lazy slice not cached is made in <paramref name="scratch"/> (3 × pixels +
    /// shells floats).
    /// </summary>
    internal ReadOnlySpan<float> CoarseSlice(int s, float[] scratch, out ReadOnlySpan<float> power, out ReadOnlySpan<float> shellPower)
    {
        if (lazyFill is null)
        {
            power = CoarsePower(s);
            shellPower = coarseShellPower.AsSpan(s * ShellCount, ShellCount);
            return Coarse(s);
        }

        return LazySlice(lazyCoarse, s, false, scratch, out power, out shellPower);
    }

    /// <summary>Shells 0 … (largest rounded radius of the pixels).</summary>
    public int ShellCount { get; }

    private static int ShellsOf(FourierPixelSet pixels) => pixels.Count == 0 ? 0 : pixels.Shells[pixels.Count - 1] + 1;

    private static void SumShells(FourierPixelSet pixels, ReadOnlySpan<float> power, Span<float> sums)
    {
        sums.Clear();
        var shells = pixels.Shells;
        for (int k = 0; k < power.Length; k++)
        {
            sums[shells[k]] += power[k];
        }
    }

    /// <summary>Fine slice <paramref name="f"/> and its power (see <see cref="CoarseSlice(int, float[], out ReadOnlySpan{float})"/>).</summary>
    internal ReadOnlySpan<float> FineSlice(int f, float[] scratch, out ReadOnlySpan<float> power)
    {
        if (lazyFill is null)
        {
            power = FinePower(f);
            return Fine(f);
        }

        return LazySlice(lazyFine, f, true, scratch, out power, out _);
    }

    private ReadOnlySpan<float> LazySlice(float[]?[] cache, int index, bool isFine, float[] scratch, out ReadOnlySpan<float> power, out ReadOnlySpan<float> shellPower)
    {
        int p = Pixels.Count, shells = isFine ? 0 : ShellCount;
        var entry = Volatile.Read(ref cache[index]);
        if (entry is null)
        {
            long bytes = ((3L * p) + shells) * sizeof(float);
            bool keep = Interlocked.Add(ref cachedBytes, bytes) <= cacheBudgetBytes;
            if (!keep)
            {
                Interlocked.Add(ref cachedBytes, -bytes);
            }

            var target = keep ? new float[(3 * p) + shells] : scratch;
            lazyFill!(index, isFine, target.AsSpan(0, 2 * p));
            for (int k = 0; k < p; k++)
            {
                target[(2 * p) + k] = (target[2 * k] * target[2 * k]) + (target[(2 * k) + 1] * target[(2 * k) + 1]);
            }

            if (!isFine)
            {
                SumShells(Pixels, target.AsSpan(2 * p, p), target.AsSpan(3 * p, shells));
            }

            if (keep)
            {
                var raced = Interlocked.CompareExchange(ref cache[index], target, null);
                if (raced is not null)
                {
                    Interlocked.Add(ref cachedBytes, -bytes);
                    target = raced;
                }
            }

            entry = target;
        }

        power = entry.AsSpan(2 * p, p);
        shellPower = entry.AsSpan(3 * p, shells);
        return entry.AsSpan(0, 2 * p);
    }

    /// <summary>The frequencies of every slice.</summary>
    public FourierPixelSet Pixels { get; }

    /// <summary>Number of coarse slices.</summary>
    public int CoarseCount { get; }

    /// <summary>Fine slices per coarse slice.</summary>
    public int ChildrenPerCoarse { get; }

    /// <summary>Number of fine slices.</summary>
    public int FineCount => CoarseCount * ChildrenPerCoarse;

    /// <summary>Coarse slice <paramref name="s"/>, interleaved (re, im).</summary>
    public ReadOnlySpan<float> Coarse(int s) => coarse.AsSpan(s * 2 * Pixels.Count, 2 * Pixels.Count);

    /// <summary>All coarse slices, one after another.</summary>
    public ReadOnlySpan<float> AllCoarse => coarse;

    /// <summary>|slice|² per frequency of coarse slice <paramref name="s"/>.</summary>
    public ReadOnlySpan<float> CoarsePower(int s) => coarsePower.AsSpan(s * Pixels.Count, Pixels.Count);

    /// <summary>Fine slice <paramref name="f"/>, interleaved (re, im).</summary>
    public ReadOnlySpan<float> Fine(int f) => fine.AsSpan(f * 2 * Pixels.Count, 2 * Pixels.Count);

    /// <summary>|slice|² per frequency of fine slice <paramref name="f"/>.</summary>
    public ReadOnlySpan<float> FinePower(int f) => finePower.AsSpan(f * Pixels.Count, Pixels.Count);

    /// <summary>The class of coarse slice <paramref name="s"/>.</summary>
    public int ClassOfCoarse(int s) => classOfCoarse[s];

    /// <summary>The class of fine slice <paramref name="f"/>.</summary>
    public int ClassOfFine(int f) => classOfCoarse[f / ChildrenPerCoarse];

    /// <summary>The log prior of coarse slice <paramref name="s"/> (its children share it).</summary>
    public double LogPrior(int s) => logPriorCoarse[s];
}
