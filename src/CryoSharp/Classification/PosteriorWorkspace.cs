namespace CryoSharp.Classification;

/// <summary>
/// One worker's buffers for <see cref="PosteriorSearch"/>: the particle's shifted copies, the coarse scores, and the
/// fine pass's caches (each fine translation and each fine slice's CTF-weighted norm computed once per particle).
/// Not thread-safe; one per worker.
/// </summary>
public sealed class PosteriorWorkspace
{
    private readonly int frequencies;
    private readonly float[] fineShifted;
    private readonly float[] fineWeighted;
    private readonly int[] fineShiftStamp;
    private readonly double[] fineNorm;
    private readonly int[] fineNormStamp;
    private int stamp;
    private int[] fineSlice = new int[256];
    private int[] fineShift = new int[256];
    private double[] fineScore = new double[256];
    private double[] fineKey = new double[256];
    private int[] fineOrder = new int[256];

    internal PosteriorWorkspace(ReferenceSlices slices, TranslationSampling translations)
    {
        frequencies = slices.Pixels.Count;
        int p = frequencies, tc = translations.Coarse.Length, tf = translations.Fine.Length;
        Centred = new float[2 * p];
        NoiseCtf = new float[p];
        NoiseCtf2 = new float[p];
        CoarseWeighted = new float[tc * 2 * p];
        CoarseShiftPrior = new double[tc];
        Cross = new float[tc];
        CoarseScore = new double[slices.CoarseCount * tc];
        Order = new int[slices.CoarseCount * tc];
        SortKey = new double[slices.CoarseCount * tc];
        ShellData = new double[3 * slices.ShellCount];
        AllTranslations = Enumerable.Range(0, tc).ToArray();
        Chosen = new int[tc];
        CoarseScratch = new float[(3 * p) + slices.ShellCount];
        FineScratch = new float[3 * p];
        fineShifted = new float[tf * 2 * p];
        fineWeighted = new float[tf * 2 * p];
        fineShiftStamp = new int[tf];
        fineNorm = new double[slices.FineCount];
        fineNormStamp = new int[slices.FineCount];
    }

    /// <summary>The result of the last search.</summary>
    public ParticlePosterior Posterior { get; } = new();

    internal float[] Centred { get; }

    /// <summary>Where a lazy coarse slice is made when the shared cache is full.</summary>
    internal float[] CoarseScratch { get; }

    /// <summary>Where a lazy fine slice is made when the shared cache is full.</summary>
    internal float[] FineScratch { get; }

    internal float[] NoiseCtf { get; }

    internal float[] NoiseCtf2 { get; }

    internal float[] CoarseWeighted { get; }

    internal double[] CoarseShiftPrior { get; }

    internal float[] Cross { get; }

    internal double[] CoarseScore { get; }

    internal int[] Order { get; }

    /// <summary>Branch and bound: per shell, the particle's Σ v|X|², then the least and the largest v·C².</summary>
    internal double[] ShellData { get; }

    /// <summary>0 … coarse translations − 1.</summary>
    internal int[] AllTranslations { get; }

    /// <summary>Branch and bound: the translations of one slice scored in full.</summary>
    internal int[] Chosen { get; }

    internal double[] SortKey { get; }

    internal int FineCount { get; set; }

    /// <summary>
    /// The particle's spectrum moved back by its previous offset and fine translation <paramref name="tf"/> (so that
    /// it lines up with the reference slices), packed; valid for the translations of the last search's kept hypotheses.
    /// </summary>
    public ReadOnlySpan<float> ShiftedSpectrum(int tf) => fineShifted.AsSpan(tf * 2 * frequencies, 2 * frequencies);

    internal void ResetFine()
    {
        stamp++;
        if (stamp == int.MaxValue)
        {
            Array.Clear(fineShiftStamp);
            Array.Clear(fineNormStamp);
            stamp = 1;
        }
    }

    internal double[] FineShiftPrior { get; private set; } = [];

    internal float[] FineCross { get; private set; } = [];

    /// <summary>The weighted copies (v·C·X̄) of fine translations [first, first + count), one after another, computed once per particle.</summary>
    internal ReadOnlySpan<float> FineWeightedRows(int first, int count, ParticleSpectrum particle, PosteriorSearch search)
    {
        int p = frequencies;
        if (FineCross.Length < count)
        {
            FineCross = new float[count];
            FineShiftPrior = new double[count];
        }

        for (int tf = first; tf < first + count; tf++)
        {
            if (fineShiftStamp[tf] == stamp)
            {
                continue;
            }

            var y = fineWeighted.AsSpan(tf * 2 * p, 2 * p);
            var x = fineShifted.AsSpan(tf * 2 * p, 2 * p);
            search.FineShifted(tf, Centred, x);
            for (int f = 0; f < p; f++)
            {
                y[2 * f] = x[2 * f] * NoiseCtf[f];
                y[(2 * f) + 1] = x[(2 * f) + 1] * NoiseCtf[f];
            }

            fineShiftStamp[tf] = stamp;
        }

        return fineWeighted.AsSpan(first * 2 * p, count * 2 * p);
    }

    internal double FineNorm(int sf, ReadOnlySpan<float> power)
    {
        if (fineNormStamp[sf] != stamp)
        {
            fineNorm[sf] = Numerics.DotProducts.One(NoiseCtf2, power);
            fineNormStamp[sf] = stamp;
        }

        return fineNorm[sf];
    }

    internal void AddFine(int sf, int tf, double score)
    {
        if (FineCount == fineSlice.Length)
        {
            int n = 2 * fineSlice.Length;
            Array.Resize(ref fineSlice, n);
            Array.Resize(ref fineShift, n);
            Array.Resize(ref fineScore, n);
            Array.Resize(ref fineKey, n);
            Array.Resize(ref fineOrder, n);
        }

        fineSlice[FineCount] = sf;
        fineShift[FineCount] = tf;
        fineScore[FineCount] = score;
        FineCount++;
    }

    internal void FinishPosterior(double best, double fraction, SearchAlgorithm algorithm, TranslationSampling translations, (double X, double Y) previous)
    {
        var post = Posterior;
        int n = FineCount;
        double total = 0;
        for (int i = 0; i < n; i++)
        {
            double w = algorithm == SearchAlgorithm.CrossCorrelation ? 0 : Math.Exp(fineScore[i] - best);
            fineKey[i] = -w;
            fineOrder[i] = i;
            total += w;
        }

        int arg = Math.Max(0, Array.IndexOf(fineScore, best, 0, n));
        post.BestSlice = fineSlice[arg];
        post.BestShift = fineShift[arg];
        var offset = translations.Fine[fineShift[arg]];
        post.BestOffsetPx = (previous.X + offset.X, previous.Y + offset.Y);
        if (algorithm == SearchAlgorithm.CrossCorrelation)
        {
            Ensure(post, 1);
            post.SliceArray[0] = fineSlice[arg];
            post.ShiftArray[0] = fineShift[arg];
            post.WeightArray[0] = 1;
            post.Count = 1;
            post.MaxProbability = 1;
            post.LogEvidence = best;
            return;
        }

        post.MaxProbability = 1 / total;
        post.LogEvidence = best + Math.Log(total);
        Array.Sort(fineKey, fineOrder, 0, n);
        double target = fraction * total, sum = 0;
        int kept = 0;
        while (kept < n)
        {
            sum -= fineKey[kept];
            kept++;
            if (sum >= target)
            {
                break;
            }
        }

        Ensure(post, kept);
        for (int i = 0; i < kept; i++)
        {
            int h = fineOrder[i];
            post.SliceArray[i] = fineSlice[h];
            post.ShiftArray[i] = fineShift[h];
            post.WeightArray[i] = -fineKey[i] / sum;
        }

        post.Count = kept;
    }

    private static void Ensure(ParticlePosterior post, int n)
    {
        if (post.SliceArray.Length < n)
        {
            int size = Math.Max(n, 2 * post.SliceArray.Length);
            post.SliceArray = new int[size];
            post.ShiftArray = new int[size];
            post.WeightArray = new double[size];
        }
    }
}
