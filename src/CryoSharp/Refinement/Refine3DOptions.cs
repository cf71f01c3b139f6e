using CryoSharp.Classification;
using CryoSharp.Geometry;
using CryoSharp.Imaging;
using CryoSharp.Numerics;

namespace CryoSharp.Refinement;

/// <summary>Settings of a 3D refinement (RELION's <c>relion_refine --auto_refine --split_random_halves</c>), with its defaults.</summary>
public sealed record Refine3DOptions
{
    /// <summary>Particle diameter in Å (the mask on images and maps); null for 90 % of the box.</summary>
    public double? ParticleDiameterA { get; init; }

    /// <summary>Width of the soft edge of the circular and spherical masks, in pixels.</summary>
    public double MaskEdgePx { get; init; } = 5;

    /// <summary>Correct for the CTF (RELION's --ctf).</summary>
    public bool Ctf { get; init; }

    /// <summary>Regularisation T (RELION's --tau2_fudge; 1 for refinement).</summary>
    public double Tau2Fudge { get; init; } = 1;

    /// <summary>The reference is low-pass filtered to this resolution before the first iteration, in Å (RELION's --ini_high).</summary>
    public double InitialLowpassA { get; init; } = 30;

    /// <summary>
    /// Whether the reference is on the particles' grey scale (a map refined from these particles). When it is not (a map
    /// from elsewhere: another program, an atomic model, a simulation's truth), a first pass aligns the particles by
    /// correlation, which does not depend on scale, and the least-squares scale of the particles against their best
    /// projections brings the reference to the data's grey scale before maximum likelihood starts.
    /// </summary>
    public bool ReferenceOnAbsoluteScale { get; init; }

    /// <summary>HEALPix order of the first iterations (2 = 15°; RELION's --healpix_order).</summary>
    public int HealpixOrder { get; init; } = 2;

    /// <summary>From this HEALPix order on, only orientations near each particle's previous pose are searched (RELION's --auto_local_healpix_order).</summary>
    public int LocalFromOrder { get; init; } = 4;

    /// <summary>The finest HEALPix order the angular step may reach.</summary>
    public int MaxHealpixOrder { get; init; } = 5;

    /// <summary>Translational search range about each particle's previous offset, in pixels (RELION's --offset_range).</summary>
    public double OffsetRangePx { get; init; } = 5;

    /// <summary>Translational step, in pixels (RELION's --offset_step).</summary>
    public double OffsetStepPx { get; init; } = 1;

    /// <summary>Adaptive oversampling order (RELION's --oversampling).</summary>
    public int Oversampling { get; init; } = 1;

    /// <summary>Posterior mass kept in each pass (RELION's --adaptive_fraction).</summary>
    public double AdaptiveFraction { get; init; } = 0.999;

    /// <summary>
    /// The most coarse hypotheses per particle refined in the fine pass (RELION's --maxsig); 0 for no limit. Early
    /// iterations at 30 Å see nearly flat posteriors over tens of thousands of hypotheses, whose fine pass costs much
    /// and tells little.
    /// </summary>
    public int MaxSignificant { get; init; } = 1000;

    /// <summary>Maximum likelihood or projection matching (template matching by correlation).</summary>
    public SearchAlgorithm Algorithm { get; init; } = SearchAlgorithm.MaximumLikelihood;

    /// <summary>
    /// Search only the asymmetric unit of <see cref="Symmetry"/> (RELION's sampling: |G| times fewer poses) rather than
    /// the whole sphere; the same maps (a D2 test: 18.12 Å over the asymmetric unit, 18.23 Å over the whole sphere).
    /// </summary>
    public bool AsymmetricUnit { get; init; } = true;

    /// <summary>Exhaustive or branch-and-bound coarse pass of the E-step (the same result; see <see cref="PoseSearchStrategy"/>).</summary>
    public PoseSearchStrategy Search { get; init; } = PoseSearchStrategy.Exhaustive;

    /// <summary>Shells beyond the current resolution that the next iteration uses (RELION's incr_size).</summary>
    public int IncrementShells { get; init; } = 10;

    /// <summary>The most iterations before the final one, whatever the convergence test says.</summary>
    public int MaxIterations { get; init; } = 40;

    /// <summary>
    /// With several classes from one reference (3D classification): the first pass puts each particle in a random class
    /// and the classes start as the reconstructions of those subsets, so that they can part.
    /// </summary>
    public bool SeedClassesFromSubsets { get; init; }

    /// <summary>The most iterations of a classification (no schedule: fixed angular step); null for refinement's schedule.</summary>
    public int? FixedIterations { get; init; }

    /// <summary>The particle's point group (RELION's --sym): imposed on every reconstruction.</summary>
    public SymmetryGroup Symmetry { get; init; } = SymmetryGroup.C1;

    /// <summary>Optional solvent mask (same box and pixel size as the particles) applied to the references and for the masked FSC.</summary>
    public Volume? SolventMask { get; init; }

    /// <summary>Particles read and transformed at a time.</summary>
    public int ChunkSize { get; init; } = 256;

    /// <summary>Memory for reference slices kept between particles, in bytes (beyond it slices are recomputed).</summary>
    public long SliceCacheBytes { get; init; } = 1L << 30;

    /// <summary>Seeds (the random half sets where the particles have none, phase randomisation).</summary>
    public SeedSequence Seeds { get; init; } = new(0);

    /// <summary>Threads.</summary>
    public ComputeContext Context { get; init; } = ComputeContext.Default;

    /// <summary>Refuses settings that cannot work, naming the option.</summary>
    public void Validate()
    {
        if (ParticleDiameterA is double d && !(d > 0))
        {
            throw new InvalidParameterException("--particle-diameter", d, "must be positive (Å)");
        }

        InvalidParameterException.ThrowIfNotPositive("--tau2-fudge", Tau2Fudge);
        InvalidParameterException.ThrowIfNotPositive("--initial-lowpass", InitialLowpassA);
        if (HealpixOrder is < 0 or > 5)
        {
            throw new InvalidParameterException("--healpix-order", HealpixOrder, "must be 0 to 5 (60° to 1.9°)");
        }

        if (MaxHealpixOrder < HealpixOrder || MaxHealpixOrder > 5)
        {
            throw new InvalidParameterException("--max-healpix-order", MaxHealpixOrder, $"must be from --healpix-order ({HealpixOrder}) to 5");
        }

        if (LocalFromOrder < 0)
        {
            throw new InvalidParameterException("--local-from-order", LocalFromOrder, "must be zero or positive");
        }

        if (Oversampling is < 0 or > 1)
        {
            throw new InvalidParameterException("--oversampling", Oversampling, "must be 0 or 1 in 3D");
        }

        if (!(AdaptiveFraction is > 0 and <= 1))
        {
            throw new InvalidParameterException("--adaptive-fraction", AdaptiveFraction, "must be in (0, 1]");
        }

        if (MaxSignificant < 0)
        {
            throw new InvalidParameterException("--max-significant", MaxSignificant, "must be zero (no limit) or positive");
        }

        if (MaxIterations < 1)
        {
            throw new InvalidParameterException("--max-iterations", MaxIterations, "must be at least 1");
        }

        if (IncrementShells < 0)
        {
            throw new InvalidParameterException("--increment-shells", IncrementShells, "must be zero or positive");
        }

        _ = new TranslationSampling(OffsetRangePx, OffsetStepPx, Oversampling);
    }
}
