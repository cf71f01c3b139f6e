namespace CryoSharp.Classification;

/// <summary>How the coarse pass of the E-step visits the hypotheses (slices × translations) of a particle.</summary>
public enum PoseSearchStrategy
{
    /// <summary>Every hypothesis scored at the full current resolution (RELION).</summary>
    Exhaustive,

    /// <summary>
    /// Branch and bound (cryoSPARC): every hypothesis scored on its low frequencies plus an upper bound on what the
    /// rest could add; only those whose bound comes within reach of the best full score are scored in full. The
    /// hypotheses that can carry posterior weight are the same as in an exhaustive search, and so is the result.
    /// </summary>
    BranchAndBound,
}
