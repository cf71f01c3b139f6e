using CryoSharp.Numerics;

namespace CryoSharp.Imaging;

/// <summary>
/// Resampling by Fourier cropping or zero-padding: the box changes from n to n′ and the pixel size from p to
/// p·n/n′, keeping the same field of view, every frequency both grids can hold, and the real-space values
/// (a constant stays the same constant). Like RELION's <c>relion_image_handler --new_box</c> after
/// <c>--rescale_angpix</c>.
/// </summary>
public static class FourierResampling
{
    /// <summary>Resamples a square image or cubic volume to a box of <paramref name="newBox"/> samples per axis.</summary>
    public static RealGrid Resample(RealGrid grid, int newBox)
    {
        ArgumentNullException.ThrowIfNull(grid);
        if (!grid.Shape.IsSquareOrCubic)
        {
            throw new InvalidParameterException("grid shape", grid.Shape, "Fourier resampling needs a square image or a cubic volume");
        }

        if (newBox < 2)
        {
            throw new InvalidParameterException("new box", newBox, "must be at least 2");
        }

        int n = grid.Nx;
        var target = grid.Shape.Rank == 3 ? GridShape.Cube(newBox) : GridShape.Square(newBox);
        var source = grid.ToFourier();
        var spectrum = new FourierGrid(target, grid.PixelSizeA * n / newBox);
        CopyCommonFrequencies(source, spectrum);
        var result = spectrum.ToReal();

        // Forward sums n^d samples, inverse divides by n'^d: rescale so that values, not sums, are preserved.
        float scale = (float)((double)target.Length / grid.Shape.Length);
        System.Numerics.Tensors.TensorPrimitives.Multiply(result.Data, scale, result.Data);
        return result;
    }

    /// <summary>
    /// Resamples to the box whose pixel size is closest to <paramref name="pixelSizeA"/> (an even box, as
    /// RELION makes it); the exact resulting pixel size is in the result.
    /// </summary>
    public static RealGrid ToPixelSize(RealGrid grid, double pixelSizeA)
    {
        ArgumentNullException.ThrowIfNull(grid);
        InvalidParameterException.ThrowIfNotPositive("pixel size (Å)", pixelSizeA);

        int box = 2 * (int)Math.Round(grid.Nx * grid.PixelSizeA / pixelSizeA / 2, MidpointRounding.AwayFromZero);
        return Resample(grid, Math.Max(2, box));
    }

    /// <summary>Copies every frequency present in both spectra from <paramref name="from"/> into <paramref name="to"/>.</summary>
    public static void CopyCommonFrequencies(FourierGrid from, FourierGrid to)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        GridShape a = from.Shape, b = to.Shape;
        int hx = Math.Min(a.HalfNx, b.HalfNx);
        for (int z = 0; z < b.Nz; z++)
        {
            int kz = FourierIndex.Frequency(z, b.Nz);
            if (!FourierIndex.Contains(kz, a.Nz))
            {
                continue;
            }

            int sz = FourierIndex.IndexOf(kz, a.Nz);
            for (int y = 0; y < b.Ny; y++)
            {
                int ky = FourierIndex.Frequency(y, b.Ny);
                if (!FourierIndex.Contains(ky, a.Ny))
                {
                    continue;
                }

                int sy = FourierIndex.IndexOf(ky, a.Ny);
                from.Data.AsSpan(((sz * a.Ny) + sy) * a.HalfNx, hx).CopyTo(to.Data.AsSpan(((z * b.Ny) + y) * b.HalfNx, hx));
            }
        }
    }
}
