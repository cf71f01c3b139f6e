using CryoSharp.Imaging;
using CryoSharp.IO.Star;

namespace CryoSharp.Particles;

/// <summary>
/// What is known about one particle besides its pixels, in domain units: pose, CTF, optics group, half set, class,
/// and where its image came from. Sources hand these out beside the images; STAR files are read into them and written
/// from them at the edges only.
/// </summary>
public sealed record ParticleRecord
{
    /// <summary>Position of the particle in its source, from 0.</summary>
    public int Index { get; init; }

    /// <summary>Orientation and origin.</summary>
    public Pose Pose { get; init; }

    /// <summary>The particle's CTF (optics included), or null when the data have no CTF parameters.</summary>
    public CtfModel? Ctf { get; init; }

    /// <summary>The particle's optics group.</summary>
    public ParticleOptics Optics { get; init; } = new();

    /// <summary>Half set, 1 or 2 (0 when unassigned).</summary>
    public int Subset { get; init; }

    /// <summary>Class number, from 1 (0 when unassigned).</summary>
    public int ClassNumber { get; init; }

    /// <summary>
    /// The micrograph the particle was picked from (rlnMicrographName), or null when unknown: what RELION groups
    /// particles by for intensity-scale correction.
    /// </summary>
    public string? Micrograph { get; init; }

    /// <summary>Where the image is stored (index@stack), or null for images that exist only in memory.</summary>
    public ImageReference? Image { get; init; }

    /// <summary>The 1-based line of the STAR file the particle was read from, or −1.</summary>
    public int SourceLine { get; init; } = -1;

    /// <summary><see cref="SourceLine"/> for messages: null when the particle was not read from a STAR file.</summary>
    public int? StarLine => SourceLine > 0 ? SourceLine : null;
}
