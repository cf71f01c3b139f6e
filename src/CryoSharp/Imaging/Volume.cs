using CryoSharp.Numerics;

namespace CryoSharp.Imaging;

/// <summary>A 3D real-space density map (Nx × Ny × Nz voxels, voxel size in Å).</summary>
public sealed class Volume : RealGrid
{
    /// <summary>Creates a volume over <paramref name="data"/> (not copied), or of zeros.</summary>
    public Volume(int nx, int ny, int nz, double pixelSizeA, float[]? data = null)
        : base(new GridShape(nx, ny, nz), pixelSizeA, data)
    {
    }

    /// <summary>Creates a cubic volume of side n.</summary>
    public static Volume Cube(int n, double pixelSizeA) => new(n, n, n, pixelSizeA);

    /// <summary>Samples along z.</summary>
    public int Nz => Shape.Nz;

    /// <summary>The voxel at (x, y, z).</summary>
    public float this[int x, int y, int z]
    {
        get => Data[Shape.Index(x, y, z)];
        set => Data[Shape.Index(x, y, z)] = value;
    }

    /// <summary>The section z = <paramref name="z"/> as a span of Nx·Ny samples.</summary>
    public Span<float> Section(int z) => Data.AsSpan(z * Nx * Ny, Nx * Ny);

    /// <summary>
    /// The central slice perpendicular to an axis (0 = x, 1 = y, 2 = z) through index n/2, as an image with
    /// the remaining axes in order (for x: y across, z down).
    /// </summary>
    public Image CentralSlice(int axis)
    {
        switch (axis)
        {
            case 2:
                return new Image(Nx, Ny, PixelSizeA, Section(Nz / 2).ToArray());
            case 1:
                {
                    var image = new Image(Nx, Nz, PixelSizeA);
                    for (int z = 0; z < Nz; z++)
                    {
                        Data.AsSpan(Shape.Index(0, Ny / 2, z), Nx).CopyTo(image.Data.AsSpan(z * Nx, Nx));
                    }

                    return image;
                }

            case 0:
                {
                    var image = new Image(Ny, Nz, PixelSizeA);
                    for (int z = 0; z < Nz; z++)
                    {
                        for (int y = 0; y < Ny; y++)
                        {
                            image.Data[(z * Ny) + y] = Data[Shape.Index(Nx / 2, y, z)];
                        }
                    }

                    return image;
                }

            default:
                throw new ArgumentOutOfRangeException(nameof(axis), axis, "Axis must be 0 (x), 1 (y) or 2 (z).");
        }
    }

    /// <summary>A deep copy.</summary>
    public Volume Clone() => new(Nx, Ny, Nz, PixelSizeA, (float[])Data.Clone());
}
