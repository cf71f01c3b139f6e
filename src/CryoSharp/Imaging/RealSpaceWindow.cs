using CryoSharp.Numerics;

namespace CryoSharp.Imaging;

/// <summary>
/// Real-space cropping and padding about the centre: the sample at index n/2 of the input lands on index n′/2
/// of the output, so the centre of rotation is kept (RELION's <c>window</c>). Pixel size is unchanged.
/// </summary>
public static class RealSpaceWindow
{
    /// <summary>Crops or pads every axis of the grid's rank to <paramref name="newBox"/>, padding with <paramref name="fill"/>.</summary>
    public static RealGrid Window(RealGrid grid, int newBox, float fill = 0f)
    {
        ArgumentNullException.ThrowIfNull(grid);
        if (newBox < 1)
        {
            throw new InvalidParameterException("new box", newBox, "must be at least 1");
        }

        var shape = grid.Shape.Rank == 3 ? GridShape.Cube(newBox) : GridShape.Square(newBox);
        var result = RealGrid.Create(shape, grid.PixelSizeA);
        Window(grid.Data, grid.Shape, result.Data, shape, fill);
        return result;
    }

    /// <summary>Copies the centred overlap of two grids; samples of the destination outside it get <paramref name="fill"/>.</summary>
    public static void Window(ReadOnlySpan<float> source, GridShape sourceShape, Span<float> destination,
        GridShape destinationShape, float fill = 0f)
    {
        destination[..destinationShape.Length].Fill(fill);
        int dx = (sourceShape.Nx / 2) - (destinationShape.Nx / 2);
        int dy = (sourceShape.Ny / 2) - (destinationShape.Ny / 2);
        int dz = (sourceShape.Nz / 2) - (destinationShape.Nz / 2);
        int x0 = Math.Max(0, -dx), x1 = Math.Min(destinationShape.Nx, sourceShape.Nx - dx);
        if (x1 <= x0)
        {
            return;
        }

        for (int z = 0; z < destinationShape.Nz; z++)
        {
            int sz = z + dz;
            if (sz < 0 || sz >= sourceShape.Nz)
            {
                continue;
            }

            for (int y = 0; y < destinationShape.Ny; y++)
            {
                int sy = y + dy;
                if (sy < 0 || sy >= sourceShape.Ny)
                {
                    continue;
                }

                source.Slice(sourceShape.Index(x0 + dx, sy, sz), x1 - x0)
                    .CopyTo(destination.Slice(destinationShape.Index(x0, y, z), x1 - x0));
            }
        }
    }
}
