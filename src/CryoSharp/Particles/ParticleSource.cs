using CryoSharp.Numerics;

namespace CryoSharp.Particles;

/// <summary>What every particle source offers beyond reading: transforms that return a new source, and caching.</summary>
public static class ParticleSource
{
    /// <summary>The images' shape.</summary>
    public static GridShape ImageShape(this IParticleSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return GridShape.Square(source.Box);
    }

    /// <summary>
    /// Reads every image once into memory and returns that copy as a source, so that later passes do not read or
    /// compute the images again. Memory: Count × Box² × 4 bytes.
    /// </summary>
    public static InMemoryParticleSource Cache(this IParticleSource source, int chunkSize = 256)
    {
        ArgumentNullException.ThrowIfNull(source);
        long length = (long)source.Box * source.Box;
        if (length * source.Count > Array.MaxLength)
        {
            throw new InvalidParameterException("cache", source.Count, $"{source.Count} images of {source.Box}² do not fit in one array; process them streamed instead");
        }

        var images = new float[length * source.Count];
        for (int start = 0; start < source.Count; start += chunkSize)
        {
            int n = Math.Min(chunkSize, source.Count - start);
            source.ReadImages(start, n, images.AsSpan((int)(start * length), (int)(n * length)));
        }

        return new InMemoryParticleSource(images, source.Box, source.PixelSizeA, source.Records, source.Description + ", cached");
    }

    /// <summary>Background-normalised images (RELION's --norm) with a background radius in Å.</summary>
    public static IParticleSource Normalized(this IParticleSource source, double backgroundRadiusA, ComputeContext? context = null) =>
        new NormalizedParticleSource(source, backgroundRadiusA, context);

    /// <summary>Phase-flipped images.</summary>
    public static IParticleSource PhaseFlipped(this IParticleSource source, ComputeContext? context = null) =>
        new CtfCorrectedParticleSource(source, CtfCorrection.Flip, context: context);

    /// <summary>Wiener-filtered images with constant 1/SSNR <paramref name="wienerConstant"/>.</summary>
    public static IParticleSource WienerFiltered(this IParticleSource source, double wienerConstant, ComputeContext? context = null) =>
        new CtfCorrectedParticleSource(source, CtfCorrection.Wiener, wienerConstant, context);

    /// <summary>Images Fourier-resampled to <paramref name="box"/> pixels (same field of view).</summary>
    public static IParticleSource FourierCropped(this IParticleSource source, int box, ComputeContext? context = null) =>
        new FourierCroppedParticleSource(source, box, context);

    /// <summary>Images windowed in real space to <paramref name="box"/> pixels.</summary>
    public static IParticleSource Cropped(this IParticleSource source, int box, ComputeContext? context = null) =>
        new CroppedParticleSource(source, box, context);

    /// <summary>Images under a soft circular mask of radius <paramref name="radiusA"/> Å.</summary>
    public static IParticleSource Masked(this IParticleSource source, double radiusA, double edgeWidthA = 6, ComputeContext? context = null) =>
        new MaskedParticleSource(source, radiusA, edgeWidthA, context);

    /// <summary>Checks a read's range and destination; throws <see cref="ArgumentException"/> when they do not fit.</summary>
    public static void CheckRange(IParticleSource source, int start, int count, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (start < 0 || count < 0 || start > source.Count - count)
        {
            throw new ArgumentOutOfRangeException(nameof(start), $"Particles [{start}, {start + count}) are not within the {source.Count} of {source.Description}.");
        }

        if (destination.Length < (long)count * source.Box * source.Box)
        {
            throw new ArgumentException($"The destination holds {destination.Length} samples; {count} images of {source.Box}² need {(long)count * source.Box * source.Box}.", nameof(destination));
        }
    }
}
