namespace CryoSharp.Particles;

/// <summary>
/// The microscope and detector settings a group of particles shares (a RELION optics group), in domain units, and
/// what has already been done to the images' CTF.
/// </summary>
public sealed record ParticleOptics
{
    /// <summary>Group number, from 1.</summary>
    public int Number { get; init; } = 1;

    /// <summary>Group name.</summary>
    public string Name { get; init; } = "opticsGroup1";

    /// <summary>Acceleration voltage in kV.</summary>
    public double VoltageKv { get; init; } = 300;

    /// <summary>Spherical aberration Cs in mm.</summary>
    public double SphericalAberrationMm { get; init; } = 2.7;

    /// <summary>Amplitude contrast Q0 (fraction).</summary>
    public double AmplitudeContrast { get; init; } = 0.1;

    /// <summary>Pixel size of the particle images in Å.</summary>
    public double PixelSizeA { get; init; } = 1;

    /// <summary>Box size of the particle images in pixels.</summary>
    public int ImageSize { get; init; }

    /// <summary>The images have been phase-flipped (RELION's rlnCtfDataArePhaseFlipped): they carry |CTF|, not CTF.</summary>
    public bool CtfPhaseFlipped { get; init; }

    /// <summary>The images have been multiplied by their CTF (RELION's rlnCtfDataAreCtfPremultiplied): they carry CTF².</summary>
    public bool CtfPremultiplied { get; init; }
}
