using CryoSharp.Numerics;

namespace CryoSharp.Classification;

/// <summary>Everything a 2D classification needs besides its particles. Angles in degrees, ranges and steps in pixels of the input.</summary>
public sealed record Class2DOptions
{
    /// <summary>Number of classes K.</summary>
    public int Classes { get; init; } = 50;

    /// <summary>Number of EM iterations.</summary>
    public int Iterations { get; init; } = 25;

    /// <summary>
    /// Particle diameter in Å: images and class averages are masked to it (soft edge) and backgrounds normalised
    /// outside it. Null: 90 % of the box.
    /// </summary>
    public double? ParticleDiameterA { get; init; }

    /// <summary>Width of the soft edge of the circular mask, in pixels (RELION's 5).</summary>
    public double MaskEdgePx { get; init; } = 5;

    /// <summary>Model the particles' CTFs (they must have CTF parameters).</summary>
    public bool Ctf { get; init; }

    /// <summary>T in the regularisation σ²/(T·τ²) (RELION's --tau2_fudge; 2 for 2D classification).</summary>
    public double Tau2Fudge { get; init; } = 2;

    /// <summary>Coarse in-plane angular step, in degrees.</summary>
    public double PsiStepDeg { get; init; } = 6;

    /// <summary>Translations searched within this radius of each particle's previous offset, in pixels.</summary>
    public double OffsetRangePx { get; init; } = 5;

    /// <summary>Coarse translation step, in pixels.</summary>
    public double OffsetStepPx { get; init; } = 1;

    /// <summary>Adaptive oversampling order (RELION's --oversampling; 1 halves both steps in the fine pass).</summary>
    public int Oversampling { get; init; } = 1;

    /// <summary>Posterior mass kept at each level of the search (RELION's adaptive fraction).</summary>
    public double AdaptiveFraction { get; init; } = 0.999;

    /// <summary>Maximum likelihood (RELION) or template matching (Frealign-style hard assignment).</summary>
    public SearchAlgorithm Algorithm { get; init; } = SearchAlgorithm.MaximumLikelihood;

    /// <summary>Fourier shells added beyond the estimated resolution for the next iteration (RELION's incr_size).</summary>
    public int IncrementShells { get; init; } = 10;

    /// <summary>Resolution limit of the first iteration, in Å. Null: a quarter of the box's frequencies (4 pixels).</summary>
    public double? InitialResolutionA { get; init; }

    /// <summary>Shift each class average's centre of mass to the box centre every iteration (RELION's --center_classes).</summary>
    public bool CenterClasses { get; init; } = true;

    /// <summary>
    /// Correct each micrograph's intensity scale (RELION's --scale): the references are multiplied by a scale per
    /// particle group, estimated every iteration by least squares of the group's images against their references.
    /// </summary>
    public bool ScaleCorrection { get; init; }

    /// <summary>Exhaustive or branch-and-bound coarse pass of the E-step (the same result; see <see cref="PoseSearchStrategy"/>).</summary>
    public PoseSearchStrategy Search { get; init; } = PoseSearchStrategy.Exhaustive;

    /// <summary>Particles read and transformed at once.</summary>
    public int ChunkSize { get; init; } = 256;

    /// <summary>Seeds of the random start.</summary>
    public SeedSequence Seeds { get; init; } = new(0);

    /// <summary>Threads and FFT planning.</summary>
    public ComputeContext Context { get; init; } = ComputeContext.Default;

    /// <summary>Checks the values that do not depend on the data.</summary>
    public void Validate()
    {
        if (Classes < 1)
        {
            throw new InvalidParameterException("--classes", Classes, "must be at least 1");
        }

        if (Iterations < 1)
        {
            throw new InvalidParameterException("--iterations", Iterations, "must be at least 1");
        }

        if (!(Tau2Fudge > 0))
        {
            throw new InvalidParameterException("--tau2-fudge", Tau2Fudge, "must be positive");
        }

        if (ParticleDiameterA is double d && !(d > 0))
        {
            throw new InvalidParameterException("--particle-diameter", d, "must be positive (Å)");
        }

        if (InitialResolutionA is double r && !(r > 0))
        {
            throw new InvalidParameterException("--initial-resolution", r, "must be positive (Å)");
        }

        if (IncrementShells < 0)
        {
            throw new InvalidParameterException("--increment-shells", IncrementShells, "must not be negative");
        }

        _ = new InPlaneSampling(PsiStepDeg, Oversampling);
        _ = new TranslationSampling(OffsetRangePx, OffsetStepPx, Oversampling);
    }
}
