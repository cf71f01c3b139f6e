namespace CryoSharp.IO.Star;

/// <summary>
/// One particle of a <see cref="ParticleTable"/>: its image, orientation (RELION ZYZ Euler angles, degrees),
/// origin (Å, the translation that centres it), CTF parameters and bookkeeping. Units are in the names.
/// </summary>
public sealed class Particle
{
    /// <summary>Where the image is.</summary>
    public ImageReference Image { get; set; }

    /// <summary>Micrograph name, or null.</summary>
    public string? MicrographName { get; set; }

    /// <summary>First Euler angle in degrees.</summary>
    public double AngleRotDeg { get; set; }

    /// <summary>Second Euler angle in degrees.</summary>
    public double AngleTiltDeg { get; set; }

    /// <summary>Third Euler angle in degrees.</summary>
    public double AnglePsiDeg { get; set; }

    /// <summary>x translation that centres the particle, in Å.</summary>
    public double OriginXA { get; set; }

    /// <summary>y translation that centres the particle, in Å.</summary>
    public double OriginYA { get; set; }

    /// <summary>Defocus U in Å (underfocus positive).</summary>
    public double DefocusUA { get; set; }

    /// <summary>Defocus V in Å (underfocus positive).</summary>
    public double DefocusVA { get; set; }

    /// <summary>Astigmatism angle in degrees.</summary>
    public double DefocusAngleDeg { get; set; }

    /// <summary>Phase shift in degrees.</summary>
    public double PhaseShiftDeg { get; set; }

    /// <summary>CTF B-factor in Å².</summary>
    public double CtfBFactorA2 { get; set; }

    /// <summary>CTF scale factor.</summary>
    public double CtfScale { get; set; } = 1;

    /// <summary>Optics group number, from 1.</summary>
    public int OpticsGroup { get; set; } = 1;

    /// <summary>Class number, from 1 (0 when unassigned).</summary>
    public int ClassNumber { get; set; }

    /// <summary>Half set, 1 or 2 (0 when unassigned).</summary>
    public int RandomSubset { get; set; }

    /// <summary>The 1-based line of the STAR file the particle was read from, or −1.</summary>
    public int SourceLine { get; set; } = -1;

    /// <summary>Values of the table's extra (uninterpreted) columns, aligned with <see cref="ParticleTable.ExtraColumns"/>.</summary>
    internal ReadOnlyMemory<char>[]? Extra { get; set; }
}
