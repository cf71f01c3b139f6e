using CryoSharp.Numerics;

namespace CryoSharp.ClassAveraging;

/// <summary>Everything class averaging needs besides its particles.</summary>
public sealed record ClassAveragingOptions
{
    /// <summary>Neighbours per image (the class size is this plus the reference).</summary>
    public int Neighbours { get; init; } = 50;

    /// <summary>Candidates per image from the invariant features, aligned exactly and re-ranked (default 3 × <see cref="Neighbours"/>).</summary>
    public int? Candidates { get; init; }

    /// <summary>
    /// Images up to which the candidate search scores every pair by every feature; above, it is approximate (see
    /// <see cref="NearestNeighbourSearch"/>).
    /// </summary>
    public int ExactSearchUpTo { get; init; } = NearestNeighbourSearch.ExactUpTo;

    /// <summary>k_max of MFVDM.</summary>
    public int MaxFrequency { get; init; } = 10;

    /// <summary>Eigenvectors beyond 2k + 1 in the VDM and MFVDM embeddings (0: Fan and Zhao's truncation).</summary>
    public int ExtraEigenvectors { get; init; }

    /// <summary>Eigenvectors in VDM's embedding (frequency 1 alone; MFVDM's frequency 1 keeps 3 + extra).</summary>
    public int VdmEigenvectors { get; init; } = 10;

    /// <summary>
    /// Search the VDM and MFVDM neighbours among all images by their embeddings (Singer and Wu; Fan and Zhao), or only
    /// re-rank each image's rotation-invariant candidates (cheaper; cannot find what the candidates missed).
    /// </summary>
    public bool EmbeddingSearchAll { get; init; } = true;

    /// <summary>
    /// α of the graph's density normalisation, edge weights 1/(dᵢdⱼ)^α with d the edge counts (Coifman and Lafon; 1:
    /// the views' sampling density taken out, 0: every edge weighs 1).
    /// </summary>
    public double DensityNormalisation { get; init; } = 1;

    /// <summary>t, the diffusion time of the VDM and MFVDM embeddings (the power of the eigenvalues).</summary>
    public double DiffusionTime { get; init; } = 1;

    /// <summary>Class averages to make.</summary>
    public int Averages { get; init; } = 100;

    /// <summary>The method whose neighbours make the averages.</summary>
    public ClassAveragingMethod Method { get; init; } = ClassAveragingMethod.Mfvdm;

    /// <summary>Phase-flip the images before the search and Wiener-correct the averages (the particles need CTF parameters).</summary>
    public bool Ctf { get; init; }

    /// <summary>Radius of the steerable basis's disc in Å (default: half the box).</summary>
    public double? RadiusA { get; init; }

    /// <summary>Search on images Fourier-cropped to this box (fewer basis functions: faster, lower resolution); null for the particles' box.</summary>
    public int? SearchBox { get; init; }

    /// <summary>At most this many steerable-PCA components in all (the largest kept).</summary>
    public int MaxComponents { get; init; } = 400;

    /// <summary>Values per part of the compressed invariant features.</summary>
    public int FeatureDimension { get; init; } = 128;

    /// <summary>The SSNR in the Wiener average Σ CᵢXᵢ / (Σ Cᵢ² + 1/SSNR).</summary>
    public double AverageSsnr { get; init; } = 10;

    /// <summary>σ² per pixel of the (search) images; null to measure it outside the basis's disc.</summary>
    public double? NoiseVariance { get; init; }

    /// <summary>Images read and expanded at once.</summary>
    public int ChunkSize { get; init; } = 512;

    /// <summary>Where the random projections and Lanczos starts come from.</summary>
    public SeedSequence Seeds { get; init; } = new(1);

    /// <summary>Threads.</summary>
    public ComputeContext Context { get; init; } = ComputeContext.Default;

    /// <summary>The candidates per image in use.</summary>
    public int CandidateCount => Candidates ?? (3 * Neighbours);

    /// <summary>Refuses impossible settings in one line naming the option.</summary>
    public void Validate()
    {
        if (Neighbours < 1)
        {
            throw new InvalidParameterException("--neighbors", Neighbours, "must be at least 1");
        }

        if (CandidateCount < Neighbours)
        {
            throw new InvalidParameterException("--candidates", CandidateCount, $"must be at least --neighbors ({Neighbours})");
        }

        if (ExactSearchUpTo < 0)
        {
            throw new InvalidParameterException("--exact-search-up-to", ExactSearchUpTo, "must not be negative");
        }

        if (MaxFrequency < 1 || MaxFrequency > 40)
        {
            throw new InvalidParameterException("--kmax", MaxFrequency, "must be between 1 and 40");
        }

        if (ExtraEigenvectors < 0 || ExtraEigenvectors > 100)
        {
            throw new InvalidParameterException("--extra-eigenvectors", ExtraEigenvectors, "must be between 0 and 100");
        }

        if (VdmEigenvectors < 1 || VdmEigenvectors > 100)
        {
            throw new InvalidParameterException("--vdm-eigenvectors", VdmEigenvectors, "must be between 1 and 100");
        }

        if (Averages < 1)
        {
            throw new InvalidParameterException("--averages", Averages, "must be at least 1");
        }

        if (!(DensityNormalisation >= 0 && DensityNormalisation <= 1))
        {
            throw new InvalidParameterException("--density-alpha", DensityNormalisation, "must be between 0 and 1");
        }

        if (!(DiffusionTime >= 0) || double.IsInfinity(DiffusionTime))
        {
            throw new InvalidParameterException("--diffusion-time", DiffusionTime, "must be finite and not negative");
        }

        if (!(AverageSsnr > 0) || double.IsInfinity(AverageSsnr))
        {
            throw new InvalidParameterException("--average-ssnr", AverageSsnr, "must be positive and finite");
        }

        if (MaxComponents < 1)
        {
            throw new InvalidParameterException("--max-components", MaxComponents, "must be at least 1");
        }

        if (NoiseVariance is double v && !(v > 0 && !double.IsInfinity(v)))
        {
            throw new InvalidParameterException("--noise-variance", v, "must be positive and finite");
        }

        if (SearchBox is int b && b < 8)
        {
            throw new InvalidParameterException("--search-box", b, "must be at least 8 pixels");
        }
    }
}
