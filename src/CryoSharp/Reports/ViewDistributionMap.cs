using CryoSharp.Geometry;

namespace CryoSharp.Reports;

/// <summary>
/// A picture of where viewing directions point: a histogram on the Lambert cylindrical equal-area map of the
/// sphere (azimuth = rot across, cos(tilt) down), so that uniform views give a flat grey and preferred views a
/// bright spot. Axis labels are drawn in.
/// </summary>
public static class ViewDistributionMap
{
    /// <summary>Renders the directions of <paramref name="angles"/> (RELION Euler angles).</summary>
    public static Raster Render(IEnumerable<EulerAngles> angles, int width = 360, int height = 180)
    {
        ArgumentNullException.ThrowIfNull(angles);
        var list = angles as IReadOnlyCollection<EulerAngles> ?? [.. angles];

        // Bins sized so a uniform distribution puts about five views in each (2:1 cells of the equal-area map).
        int bw = Math.Clamp((int)Math.Sqrt(2.0 * list.Count / 5), 8, width / 4), bh = Math.Max(4, bw / 2);
        var counts = new double[bw * bh];
        int total = 0;
        foreach (var a in list)
        {
            var d = a.ViewingDirection();
            double phi = Math.Atan2(d.Y, d.X);
            int bx = Math.Clamp((int)((phi + Math.PI) / (2 * Math.PI) * bw), 0, bw - 1);
            int by = Math.Clamp((int)((1 - d.Z) / 2 * bh), 0, bh - 1);
            counts[(by * bw) + bx]++;
            total++;
        }

        const int left = 40, top = 10, bottom = 28;
        var raster = new Raster(width + left + 10, height + top + bottom, 1, 255);
        double expected = Math.Max(1, (double)total / counts.Length);

        // Grey level: counts relative to a uniform distribution, on a log scale (one bin = mean density is mid-grey).
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                double c = counts[(y * bh / height * bw) + (x * bw / width)];
                double level = c == 0 ? 0 : Math.Clamp(0.5 + (Math.Log2(c / expected) / 8), 0.05, 1);
                raster.Set(left + x, top + y, (byte)(255 - (level * 255)));
            }
        }

        raster.DrawText("TILT 0", 0, top, 0);
        raster.DrawText("90", 18, top + (height / 2) - 3, 0);
        raster.DrawText("180", 12, top + height - 7, 0);
        raster.DrawText("ROT -180", left, top + height + 6, 0);
        raster.DrawText("0", left + (width / 2) - 3, top + height + 6, 0);
        raster.DrawText("180", left + width - 17, top + height + 6, 0);
        raster.DrawText("DARK = MORE VIEWS", left + (width / 2) - 50, top + height + 17, 90);
        return raster;
    }
}
