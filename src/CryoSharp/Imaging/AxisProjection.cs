namespace CryoSharp.Imaging;

/// <summary>Projections of a volume along its grid axes (sums of voxels), for quick looks at a map.</summary>
public static class AxisProjection
{
    /// <summary>
    /// The sum of a cubic volume along axis <paramref name="axis"/> (0 = x, 1 = y, 2 = z): its projection along that
    /// axis, an image in the plane of the other two (in their order), at the volume's pixel size.
    /// </summary>
    public static Image Sum(Volume volume, int axis)
    {
        ArgumentNullException.ThrowIfNull(volume);
        if (axis is < 0 or > 2)
        {
            throw new ArgumentOutOfRangeException(nameof(axis), axis, "The axis is 0 (x), 1 (y) or 2 (z).");
        }

        int n = volume.Nx;
        var image = new Image(n, n, volume.PixelSizeA);
        for (int z = 0; z < n; z++)
        {
            for (int y = 0; y < n; y++)
            {
                for (int x = 0; x < n; x++)
                {
                    float v = volume[x, y, z];
                    int index = axis switch
                    {
                        0 => (z * n) + y,
                        1 => (z * n) + x,
                        _ => (y * n) + x,
                    };
                    image.Data[index] += v;
                }
            }
        }

        return image;
    }
}
