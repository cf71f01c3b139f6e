namespace CryoSharp.Reconstruction;

/// <summary>How <see cref="ParticleReconstruction"/> reconstructs a map from particles with known poses.</summary>
public sealed record ReconstructionOptions
{
    /// <summary>Correct for each particle's CTF (Wiener: Σ CX / (Σ C² + 1/SSNR)); otherwise C = 1.</summary>
    public bool Ctf { get; init; } = true;

    /// <summary>
    /// 1/SSNR, constant over shells, for the Wiener division (0, the default: plain division, as relion_reconstruct);
    /// null for "auto": per shell, from the gold-standard FSC of the half maps, as RELION's refinement tau² does.
    /// Auto suppresses noise beyond the resolution, but there the per-voxel weighting W/(W + K) modulates the
    /// signal too and lowers the map's FSC against the truth (measured: 0.04 vs 0.20 at 0.85 Nyquist).
    /// </summary>
    public double? Regularisation { get; init; } = 0;

    /// <summary>A soft mask for the FSC (phase-randomisation corrected) and applied to the maps; null for none.</summary>
    public Imaging.Volume? Mask { get; init; }

    /// <summary>Zero-padding factor of the Fourier grid.</summary>
    public int Padding { get; init; } = 2;

    /// <summary>
    /// Where the random draws come from: the half-set split when the particles have none (child "half-sets") and the
    /// phase randomisation of the masked FSC (child "phase-randomisation").
    /// </summary>
    public required Numerics.SeedSequence Seeds { get; init; }

    /// <summary>Threads and FFT planning.</summary>
    public Numerics.ComputeContext Context { get; init; } = Numerics.ComputeContext.Default;

    /// <summary>
    /// Insert only frequencies up to 1/this (Å), as relion_reconstruct --maxres; the map has nothing beyond it. Null
    /// for every frequency up to Nyquist.
    /// </summary>
    public double? MaxResolutionA { get; init; }

    /// <summary>Particles read and inserted per chunk.</summary>
    public int ChunkSize { get; init; } = 256;

    /// <summary>The particle's point group (relion_reconstruct --sym), imposed on both halves before dividing.</summary>
    public Geometry.SymmetryGroup Symmetry { get; init; } = Geometry.SymmetryGroup.C1;
}
