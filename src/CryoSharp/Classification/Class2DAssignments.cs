namespace CryoSharp.Classification;

/// <summary>
/// What a 2D classification says about each particle after an iteration (the columns RELION adds to the particles'
/// STAR file). Index i is particle i of the source.
/// </summary>
public sealed class Class2DAssignments
{
    /// <summary>Arrays for <paramref name="count"/> particles: unassigned, centred.</summary>
    public Class2DAssignments(int count)
    {
        Class = new int[count];
        PsiDeg = new double[count];
        OffsetXPx = new double[count];
        OffsetYPx = new double[count];
        MaxProbability = new double[count];
        SignificantSamples = new int[count];
        LogLikelihood = new double[count];
    }

    /// <summary>Number of particles.</summary>
    public int Count => Class.Length;

    /// <summary>Most probable class, from 1 (rlnClassNumber); 0 before the first iteration.</summary>
    public int[] Class { get; }

    /// <summary>Most probable in-plane angle, in degrees (rlnAnglePsi).</summary>
    public double[] PsiDeg { get; }

    /// <summary>
    /// Most probable offset x, in pixels: the image is the class average rotated by ψ and translated by it, so
    /// rlnOriginXAngst = −offset × pixel size.
    /// </summary>
    public double[] OffsetXPx { get; }

    /// <summary>Most probable offset y, in pixels.</summary>
    public double[] OffsetYPx { get; }

    /// <summary>rlnMaxValueProbDistribution.</summary>
    public double[] MaxProbability { get; }

    /// <summary>rlnNrOfSignificantSamples.</summary>
    public int[] SignificantSamples { get; }

    /// <summary>rlnLogLikeliContribution.</summary>
    public double[] LogLikelihood { get; }

    /// <summary>
    /// Fills in the particles other MPI ranks assigned: each rank has set only its own share and left the rest zero,
    /// so a sum over the ranks is exact.
    /// </summary>
    public void SumOver(Distributed.Communicator communicator)
    {
        ArgumentNullException.ThrowIfNull(communicator);
        if (!communicator.IsDistributed)
        {
            return;
        }

        foreach (var values in new[] { PsiDeg, OffsetXPx, OffsetYPx, MaxProbability, LogLikelihood })
        {
            communicator.SumInPlace(values);
        }

        communicator.SumInPlace(Class);
        communicator.SumInPlace(SignificantSamples);
    }
}
