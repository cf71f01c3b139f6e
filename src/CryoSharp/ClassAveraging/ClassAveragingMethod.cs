namespace CryoSharp.ClassAveraging;

/// <summary>How neighbours are chosen.</summary>
public enum ClassAveragingMethod
{
    /// <summary>The rotationally invariant distance alone (with reflections).</summary>
    Rid,

    /// <summary>Vector diffusion maps (Singer and Wu): the affinity of the k = 1 embedding of the RID graph.</summary>
    Vdm,

    /// <summary>Multi-frequency vector diffusion maps (Fan and Zhao): the affinities of the k = 1…k_max embeddings added.</summary>
    Mfvdm,
}
