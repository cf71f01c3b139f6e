namespace CryoSharp.Particles;

/// <summary>
/// Particle images with their records, read in chunks: a STAR file with its stacks, a simulation, an array in memory,
/// or a transform of another source. Every source is thread-safe and deterministic: the images of particles
/// [start, start + count) are the same whoever reads them, in whichever chunks and order. All images are square,
/// of one box and one pixel size (a source with mixed pixel sizes is refused when it is opened).
/// </summary>
public interface IParticleSource
{
    /// <summary>Number of particles.</summary>
    int Count { get; }

    /// <summary>Box size of the images in pixels.</summary>
    int Box { get; }

    /// <summary>Pixel size of the images in Å.</summary>
    double PixelSizeA { get; }

    /// <summary>The particles' records, in source order (record i describes image i).</summary>
    IReadOnlyList<ParticleRecord> Records { get; }

    /// <summary>What the data are, for messages and reports (a file name, "simulation", …).</summary>
    string Description { get; }

    /// <summary>
    /// Writes the images of particles [<paramref name="start"/>, start + <paramref name="count"/>) into
    /// <paramref name="destination"/>, image after image, Box² samples each (x fastest, centre at Box/2).
    /// </summary>
    void ReadImages(int start, int count, Span<float> destination);
}
