namespace CryoSharp.Refinement;

/// <summary>
/// What a 3D refinement says about each particle after an iteration (the columns RELION writes to run_data.star).
/// Index i is particle i of the source.
/// </summary>
public sealed class Refine3DAssignments
{
    /// <summary>Arrays for <paramref name="count"/> particles.</summary>
    public Refine3DAssignments(int count)
    {
        RotDeg = new double[count];
        TiltDeg = new double[count];
        PsiDeg = new double[count];
        OffsetXPx = new double[count];
        OffsetYPx = new double[count];
        Half = new int[count];
        Class = new int[count];
        MaxProbability = new double[count];
        SignificantSamples = new int[count];
        LogLikelihood = new double[count];
        HasPose = new bool[count];
    }

    /// <summary>Number of particles.</summary>
    public int Count => RotDeg.Length;

    /// <summary>Most probable orientation: RELION's rot (φ), in degrees.</summary>
    public double[] RotDeg { get; }

    /// <summary>Most probable tilt (θ), in degrees.</summary>
    public double[] TiltDeg { get; }

    /// <summary>Most probable in-plane angle (ψ), in degrees.</summary>
    public double[] PsiDeg { get; }

    /// <summary>Most probable offset x, in pixels (rlnOriginXAngst = −offset × pixel size).</summary>
    public double[] OffsetXPx { get; }

    /// <summary>Most probable offset y, in pixels.</summary>
    public double[] OffsetYPx { get; }

    /// <summary>Half set, 1 or 2 (rlnRandomSubset).</summary>
    public int[] Half { get; }

    /// <summary>Most probable class, from 1 (rlnClassNumber).</summary>
    public int[] Class { get; }

    /// <summary>rlnMaxValueProbDistribution.</summary>
    public double[] MaxProbability { get; }

    /// <summary>rlnNrOfSignificantSamples.</summary>
    public int[] SignificantSamples { get; }

    /// <summary>rlnLogLikeliContribution.</summary>
    public double[] LogLikelihood { get; }

    /// <summary>Whether the angles are an estimate (false before the first iteration, unless the input had poses).</summary>
    public bool[] HasPose { get; }

    /// <summary>A copy that can be changed without changing this one.</summary>
    public Refine3DAssignments Clone()
    {
        var b = new Refine3DAssignments(Count);
        RotDeg.CopyTo(b.RotDeg, 0);
        TiltDeg.CopyTo(b.TiltDeg, 0);
        PsiDeg.CopyTo(b.PsiDeg, 0);
        OffsetXPx.CopyTo(b.OffsetXPx, 0);
        OffsetYPx.CopyTo(b.OffsetYPx, 0);
        Half.CopyTo(b.Half, 0);
        Class.CopyTo(b.Class, 0);
        MaxProbability.CopyTo(b.MaxProbability, 0);
        SignificantSamples.CopyTo(b.SignificantSamples, 0);
        LogLikelihood.CopyTo(b.LogLikelihood, 0);
        HasPose.CopyTo(b.HasPose, 0);
        return b;
    }

    /// <summary>
    /// Fills in the particles other MPI ranks scored: each rank has set only its own share and left the rest zero
    /// (false), so a sum over the ranks is exact.
    /// </summary>
    public void SumOver(Distributed.Communicator communicator)
    {
        ArgumentNullException.ThrowIfNull(communicator);
        if (!communicator.IsDistributed)
        {
            return;
        }

        foreach (var values in new[] { RotDeg, TiltDeg, PsiDeg, OffsetXPx, OffsetYPx, MaxProbability, LogLikelihood })
        {
            communicator.SumInPlace(values);
        }

        communicator.SumInPlace(Half);
        communicator.SumInPlace(Class);
        communicator.SumInPlace(SignificantSamples);
        var hasPose = new int[Count];
        for (int i = 0; i < Count; i++)
        {
            hasPose[i] = HasPose[i] ? 1 : 0;
        }

        communicator.SumInPlace(hasPose);
        for (int i = 0; i < Count; i++)
        {
            HasPose[i] = hasPose[i] > 0;
        }
    }
}
