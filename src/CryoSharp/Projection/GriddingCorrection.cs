namespace CryoSharp.Projection;

/// <summary>
/// The correction for linear interpolation in a padded Fourier grid (RELION's <c>griddingCorrect</c>): trilinear
/// interpolation of a spectrum multiplies the real-space map by sinc²(r/M), with r the distance in voxels from
/// the centre n/2 and M the padded box; dividing the map by it beforehand (or afterwards, for back-projection)
/// cancels that apodisation.
/// </summary>
public static class GriddingCorrection
{
    /// <summary>Divides a cubic volume of side <paramref name="box"/> by sinc²(r/<paramref name="paddedBox"/>), in place.</summary>
    public static void Divide(Span<float> volume, int box, int paddedBox) => Apply(volume, box, paddedBox, divide: true);

    /// <summary>
    /// Multiplies a cubic volume by sinc²(r/<paramref name="paddedBox"/>), in place: the inverse of
    /// <see cref="Divide"/>, for a map that is to come out of a padded spectrum unchanged.
    /// </summary>
    public static void Multiply(Span<float> volume, int box, int paddedBox) => Apply(volume, box, paddedBox, divide: false);

    // The table holds 1/sinc²: dividing by sinc² multiplies by it, and the inverse divides by it.
    private static void Apply(Span<float> volume, int box, int paddedBox, bool divide)
    {
        if (volume.Length != box * box * box)
        {
            throw new ArgumentException($"A volume of side {box} has {box * box * box} voxels, not {volume.Length}.");
        }

        var factor = FactorByRadiusSquared(box, paddedBox);
        int c = box / 2;
        for (int z = 0; z < box; z++)
        {
            for (int y = 0; y < box; y++)
            {
                int r2 = ((z - c) * (z - c)) + ((y - c) * (y - c));
                var row = volume.Slice(((z * box) + y) * box, box);
                for (int x = 0; x < box; x++)
                {
                    float f = factor[r2 + ((x - c) * (x - c))];
                    row[x] = divide ? row[x] * f : row[x] / f;
                }
            }
        }
    }

    /// <summary>
    /// 1/sinc²(√r²/M) for every integer squared distance r² a voxel of the box can have: the correction looked up
    /// rather than computed with a square root and a sine per voxel.
    /// </summary>
    public static float[] FactorByRadiusSquared(int box, int paddedBox)
    {
        int c = box / 2, far = Math.Max(c, box - 1 - c);
        var factor = new float[(3 * far * far) + 1];
        factor[0] = 1;
        for (int r2 = 1; r2 < factor.Length; r2++)
        {
            double t = Math.PI * Math.Sqrt(r2) / paddedBox;
            double sinc = Math.Sin(t) / t;
            factor[r2] = (float)(1 / (sinc * sinc));
        }

        return factor;
    }
}
