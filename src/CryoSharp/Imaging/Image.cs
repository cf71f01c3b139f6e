using CryoSharp.Numerics;

namespace CryoSharp.Imaging;

/// <summary>A 2D real-space image (Nx × Ny samples, pixel size in Å).</summary>
public sealed class Image : RealGrid
{
    /// <summary>Creates an image over <paramref name="data"/> (not copied), or of zeros.</summary>
    public Image(int nx, int ny, double pixelSizeA, float[]? data = null)
        : base(new GridShape(nx, ny), pixelSizeA, data)
    {
    }

    /// <summary>The sample at column x, row y.</summary>
    public float this[int x, int y]
    {
        get => Data[(y * Nx) + x];
        set => Data[(y * Nx) + x] = value;
    }

    /// <summary>A deep copy.</summary>
    public Image Clone() => new(Nx, Ny, PixelSizeA, (float[])Data.Clone());
}
