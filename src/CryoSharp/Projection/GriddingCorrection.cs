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
    public static void Divide(Span<float> volume, int box, int paddedBox)
    {
        if (volume.Length != box * box * box)
        {
            throw new ArgumentException($"A volume of side {box} has {box * box * box} voxels, not {volume.Length}.");
        }

        int c = box / 2;
        for (int z = 0; z < box; z++)
        {
            for (int y = 0; y < box; y++)
            {
                double r2 = ((double)(z - c) * (z - c)) + ((double)(y - c) * (y - c));
                var row = volume.Slice(((z * box) + y) * box, box);
                for (int x = 0; x < box; x++)
                {
                    double r = Math.Sqrt(r2 + ((double)(x - c) * (x - c)));
                    if (r > 0)
                    {
                        double t = Math.PI * r / paddedBox;
                        double sinc = Math.Sin(t) / t;
                        row[x] = (float)(row[x] / (sinc * sinc));
                    }
                }
            }
        }
    }
}
