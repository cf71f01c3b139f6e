namespace CryoSharp.Classification;

/// <summary>
/// In-plane angles searched at two levels (RELION's psi sampling with adaptive oversampling): coarse angles
/// j·Δψ for j = 0..n − 1 (n = round(360°/Δψ)), and at oversampling order q, each coarse angle's 2^q children
/// at the centres of its equal parts: ψⱼ − Δψ/2 + (c + ½)·Δψ/2^q.
/// </summary>
public sealed class InPlaneSampling
{
    /// <summary>A sampling with a coarse step of about <paramref name="stepDeg"/>° (adjusted to divide 360°).</summary>
    public InPlaneSampling(double stepDeg, int oversampling)
    {
        if (!(stepDeg > 0 && stepDeg <= 180))
        {
            throw new InvalidParameterException("--psi-step", stepDeg, "must be in (0, 180] degrees");
        }

        if (oversampling is < 0 or > 3)
        {
            throw new InvalidParameterException("--oversampling", oversampling, "must be 0, 1, 2 or 3");
        }

        CoarseCount = Math.Max(2, (int)Math.Round(360 / stepDeg));
        StepDeg = 360.0 / CoarseCount;
        Oversampling = oversampling;
        ChildrenPerCoarse = 1 << oversampling;
    }

    /// <summary>The coarse step, in degrees.</summary>
    public double StepDeg { get; }

    /// <summary>Number of coarse angles.</summary>
    public int CoarseCount { get; }

    /// <summary>Adaptive oversampling order.</summary>
    public int Oversampling { get; }

    /// <summary>Fine angles per coarse angle (2^order).</summary>
    public int ChildrenPerCoarse { get; }

    /// <summary>Number of fine angles.</summary>
    public int FineCount => CoarseCount * ChildrenPerCoarse;

    /// <summary>The fine step, in degrees.</summary>
    public double FineStepDeg => StepDeg / ChildrenPerCoarse;

    /// <summary>Coarse angle <paramref name="j"/>, in degrees.</summary>
    public double CoarseDeg(int j) => j * StepDeg;

    /// <summary>Fine angle <paramref name="f"/> (child f mod 2^q of coarse angle f / 2^q), in degrees, in [0, 360).</summary>
    public double FineDeg(int f)
    {
        if (Oversampling == 0)
        {
            return CoarseDeg(f);
        }

        int j = f / ChildrenPerCoarse, c = f % ChildrenPerCoarse;
        double deg = CoarseDeg(j) - (StepDeg / 2) + ((c + 0.5) * FineStepDeg);
        return deg < 0 ? deg + 360 : deg;
    }
}
