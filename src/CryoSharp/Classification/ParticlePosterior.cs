namespace CryoSharp.Classification;

/// <summary>
/// The E-step's result for one particle: the fine hypotheses (slice, translation) kept after pruning with their
/// normalised weights, the best one, and what RELION reports per particle. Owned by a <see cref="PosteriorWorkspace"/>
/// and overwritten by its next search.
/// </summary>
public sealed class ParticlePosterior
{
    internal int[] SliceArray { get; set; } = new int[64];

    internal int[] ShiftArray { get; set; } = new int[64];

    internal double[] WeightArray { get; set; } = new double[64];

    /// <summary>Number of kept hypotheses.</summary>
    public int Count { get; internal set; }

    /// <summary>Fine slice of each kept hypothesis.</summary>
    public ReadOnlySpan<int> Slices => SliceArray.AsSpan(0, Count);

    /// <summary>Fine translation (index into <see cref="TranslationSampling.Fine"/>) of each kept hypothesis.</summary>
    public ReadOnlySpan<int> Shifts => ShiftArray.AsSpan(0, Count);

    /// <summary>Posterior weight of each kept hypothesis (they sum to 1).</summary>
    public ReadOnlySpan<double> Weights => WeightArray.AsSpan(0, Count);

    /// <summary>The fine slice of the most probable hypothesis.</summary>
    public int BestSlice { get; internal set; }

    /// <summary>The fine translation of the most probable hypothesis.</summary>
    public int BestShift { get; internal set; }

    /// <summary>The most probable hypothesis's absolute offset (previous offset + translation), in pixels.</summary>
    public (double X, double Y) BestOffsetPx { get; internal set; }

    /// <summary>The largest posterior probability of any fine hypothesis (rlnMaxValueProbDistribution).</summary>
    public double MaxProbability { get; internal set; }

    /// <summary>Number of significant coarse hypotheses (rlnNrOfSignificantSamples).</summary>
    public int SignificantCoarse { get; internal set; }

    /// <summary>Coarse hypotheses (slices × translations) of the last search.</summary>
    public int CoarseHypotheses { get; internal set; }

    /// <summary>Coarse hypotheses scored at the full current resolution (all of them, unless by branch and bound).</summary>
    public int CoarseEvaluated { get; internal set; }

    /// <summary>
    /// log Σ exp(score) over the fine hypotheses scored (maximum likelihood; without the constants of the noise
    /// model and the sampling), or the best whitened correlation (template matching).
    /// </summary>
    public double LogEvidence { get; internal set; }

    /// <summary>Re Σ v·C·X̄·R̄ of the most probable hypothesis: with <see cref="BestNorm"/>, the least-squares scale of the reference to this particle.</summary>
    public double BestCross { get; internal set; }

    /// <summary>Σ v·C²·|R|² of the most probable hypothesis.</summary>
    public double BestNorm { get; internal set; }

    /// <summary>Σ v|X|² of the particle (the constant term of every score).</summary>
    public double WeightedPower { get; internal set; }
}
