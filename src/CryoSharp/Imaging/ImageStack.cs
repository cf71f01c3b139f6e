using CryoSharp.Numerics;
using CryoSharp.Numerics.Fft;

namespace CryoSharp.Imaging;

/// <summary>
/// <see cref="Count"/> images of one shape in one contiguous buffer, image i at offset i·Nx·Ny. For stacks too
/// large for memory, read images on demand with <see cref="IO.MrcReader"/> instead.
/// </summary>
public sealed class ImageStack
{
    /// <summary>Creates a stack over <paramref name="data"/> (not copied), or of zeros.</summary>
    public ImageStack(int nx, int ny, int count, double pixelSizeA, float[]? data = null)
    {
        if (count < 0)
        {
            throw new InvalidParameterException("image count", count, "must not be negative");
        }

        InvalidParameterException.ThrowIfNotPositive("pixel size (Å)", pixelSizeA);

        ImageShape = new GridShape(nx, ny);
        long length = (long)ImageShape.Length * count;
        data ??= new float[length];
        if (data.Length != length)
        {
            throw new ArgumentException($"Data holds {data.Length} samples; {count} images of {nx}×{ny} need {length}.");
        }

        Count = count;
        PixelSizeA = pixelSizeA;
        Data = data;
    }

    /// <summary>The shape of one image.</summary>
    public GridShape ImageShape { get; }

    /// <summary>Number of images.</summary>
    public int Count { get; }

    /// <summary>Pixel size in Å.</summary>
    public double PixelSizeA { get; }

    /// <summary>All samples, image after image.</summary>
    public float[] Data { get; }

    /// <summary>Image i as a span (a view, not a copy).</summary>
    public Span<float> this[int i] => Data.AsSpan(i * ImageShape.Length, ImageShape.Length);

    /// <summary>A copy of image i.</summary>
    public Image GetImage(int i) => new(ImageShape.Nx, ImageShape.Ny, PixelSizeA, this[i].ToArray());

    /// <summary>Half-complex transforms of all images (batched FFTW plans, all threads), image after image.</summary>
    public ComplexF[] ToFourier()
    {
        var result = new ComplexF[(long)ImageShape.HalfComplexLength * Count];
        Fft.ForwardMany(Data, ImageShape, Count, result);
        return result;
    }
}
