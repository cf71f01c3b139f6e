namespace CryoSharp.Classification;

/// <summary>How the E-step turns scores into weights.</summary>
public enum SearchAlgorithm
{
    /// <summary>Maximum likelihood: posterior weights over every significant hypothesis (RELION).</summary>
    MaximumLikelihood,

    /// <summary>Template matching: the one hypothesis of highest whitened cross-correlation, weight 1 (Frealign).</summary>
    CrossCorrelation,
}
