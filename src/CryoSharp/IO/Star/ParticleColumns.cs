namespace CryoSharp.IO.Star;

/// <summary>Which groups of particle columns a table has (and writes).</summary>
[Flags]
public enum ParticleColumns
{
    /// <summary>None.</summary>
    None = 0,

    /// <summary><c>rlnImageName</c>.</summary>
    Image = 1,

    /// <summary><c>rlnMicrographName</c>.</summary>
    Micrograph = 2,

    /// <summary>rot, tilt, psi.</summary>
    Angles = 4,

    /// <summary>Origin x, y (Å).</summary>
    Origins = 8,

    /// <summary>Defocus U, V and angle.</summary>
    Defocus = 16,

    /// <summary>Phase shift.</summary>
    PhaseShift = 32,

    /// <summary>CTF B-factor and scale.</summary>
    CtfEnvelope = 64,

    /// <summary>Class number.</summary>
    ClassNumber = 128,

    /// <summary>Random subset (half set).</summary>
    RandomSubset = 256,
}
