namespace CryoSharp.Particles;

/// <summary>Particles whose images are held in one array in memory (image after image).</summary>
public sealed class InMemoryParticleSource : IParticleSource
{
    private readonly float[] images;
    private readonly ParticleRecord[] records;

    /// <summary>Wraps <paramref name="images"/> (Box² samples per particle, not copied) and their records.</summary>
    public InMemoryParticleSource(float[] images, int box, double pixelSizeA, IReadOnlyList<ParticleRecord> records, string description = "images in memory")
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(records);
        InvalidParameterException.ThrowIfNotPositive("pixel size (Å)", pixelSizeA);
        if (box < 1 || images.LongLength != (long)box * box * records.Count)
        {
            throw new ArgumentException($"{images.LongLength} samples are not {records.Count} images of {box} × {box}.", nameof(images));
        }

        this.images = images;
        this.records = [.. records];
        Box = box;
        PixelSizeA = pixelSizeA;
        Description = description;
    }

    /// <inheritdoc/>
    public int Count => records.Length;

    /// <inheritdoc/>
    public int Box { get; }

    /// <inheritdoc/>
    public double PixelSizeA { get; }

    /// <inheritdoc/>
    public IReadOnlyList<ParticleRecord> Records => records;

    /// <inheritdoc/>
    public string Description { get; }

    /// <summary>The images, image after image.</summary>
    public ReadOnlyMemory<float> Images => images;

    /// <inheritdoc/>
    public void ReadImages(int start, int count, Span<float> destination)
    {
        ParticleSource.CheckRange(this, start, count, destination);
        long length = (long)Box * Box;
        images.AsSpan((int)(start * length), (int)(count * length)).CopyTo(destination);
    }
}
