namespace CryoSharp.Simulation;

/// <summary>What to simulate. Lengths in Å, voltage in kV, Cs in mm; see <see cref="ParticleSimulator"/>.</summary>
public sealed record SimulationOptions
{
    /// <summary>Number of particles.</summary>
    public int Count { get; init; } = 1000;

    /// <summary>
    /// Signal-to-noise ratio: variance of the clean images inside the particle mask over the noise variance.
    /// Infinity for noise-free images.
    /// </summary>
    public double Snr { get; init; } = 0.1;

    /// <summary>Radius in pixels of the mask the SNR is measured in; null for the map's own particle radius.</summary>
    public double? MaskRadiusPx { get; init; }

    /// <summary>Apply a CTF to every particle.</summary>
    public bool Ctf { get; init; } = true;

    /// <summary>Smallest mean defocus in Å.</summary>
    public double DefocusMinA { get; init; } = 10000;

    /// <summary>Largest mean defocus in Å.</summary>
    public double DefocusMaxA { get; init; } = 30000;

    /// <summary>Largest astigmatism |U − V| in Å (each particle draws it uniformly from [0, this]).</summary>
    public double AstigmatismA { get; init; } = 200;

    /// <summary>Acceleration voltage in kV.</summary>
    public double VoltageKv { get; init; } = 300;

    /// <summary>Spherical aberration in mm.</summary>
    public double SphericalAberrationMm { get; init; } = 2.7;

    /// <summary>Amplitude contrast Q0.</summary>
    public double AmplitudeContrast { get; init; } = 0.1;

    /// <summary>Standard deviation of the particle origins along each axis, in Å.</summary>
    public double ShiftSigmaA { get; init; }

    /// <summary>Where the views come from.</summary>
    public IOrientationDistribution Views { get; init; } = new UniformOrientations();

    /// <summary>
    /// Where every random draw comes from: the particles' parameters from child "particles", particle i's noise
    /// from child ("noise", i).
    /// </summary>
    public required Numerics.SeedSequence Seeds { get; init; }

    /// <summary>Particles simulated per chunk (bounded memory).</summary>
    public int ChunkSize { get; init; } = 256;

    /// <summary>Checks every value; throws <see cref="InvalidParameterException"/> naming the first impossible one.</summary>
    public void Validate()
    {
        if (Count < 1)
        {
            throw new InvalidParameterException("--count", Count, "must be at least 1");
        }

        if (!(Snr > 0))
        {
            throw new InvalidParameterException("--snr", Snr, "must be positive (use 'inf' for noise-free images)");
        }

        if (MaskRadiusPx is double r && !(r > 0))
        {
            throw new InvalidParameterException("--mask-radius", r, "must be positive");
        }

        if (Ctf)
        {
            if (!(DefocusMinA >= 0) || !(DefocusMaxA >= DefocusMinA) || double.IsInfinity(DefocusMaxA))
            {
                throw new InvalidParameterException("--defocus-min/--defocus-max", $"{DefocusMinA}..{DefocusMaxA}", "need 0 ≤ min ≤ max (Å, underfocus positive)");
            }

            if (!(AstigmatismA >= 0) || AstigmatismA / 2 > DefocusMinA)
            {
                throw new InvalidParameterException("--astigmatism", AstigmatismA, "must be ≥ 0 and at most twice the smallest defocus");
            }

            new Imaging.CtfModel { VoltageKv = VoltageKv, SphericalAberrationMm = SphericalAberrationMm, AmplitudeContrast = AmplitudeContrast }.Validate();
        }

        if (!(ShiftSigmaA >= 0) || double.IsInfinity(ShiftSigmaA))
        {
            throw new InvalidParameterException("--shift-sigma", ShiftSigmaA, "must be a non-negative number of Å");
        }

        if (ChunkSize < 1)
        {
            throw new InvalidParameterException("chunk size", ChunkSize, "must be at least 1");
        }
    }
}
