namespace CryoSharp.Poses;

/// <summary>Which pairs of particles pose recovery fits the distances of.</summary>
public enum PairSampling
{
    /// <summary>Each particle with its nearest neighbours under the distance: the small angles, where image distances are reliable.</summary>
    Knn,

    /// <summary>Each particle with uniformly random others: every angle, large ones most.</summary>
    Random,

    /// <summary>Half nearest neighbours, half random (the report's remedy for the clumping that kNN alone gives).</summary>
    Mixed,
}
