using CryoSharp.Geometry;
using ScottPlot;

namespace CryoSharp.Reports;

/// <summary>
/// A picture of where viewing directions point: a histogram on the Lambert cylindrical equal-area map of the sphere
/// (azimuth = rot across, cos(tilt) up, so equal areas hold equal numbers of uniform views), drawn as a heat map
/// with a colour scale of views per bin. Uniform views give an even colour, preferred views a bright spot.
/// </summary>
public static class ViewDistributionMap
{
    /// <summary>The counts per bin (rows from tilt 0 down to tilt 180°, columns from rot −180° to 180°).</summary>
    public static double[,] Histogram(IReadOnlyCollection<EulerAngles> angles) =>
        Histogram(angles ?? throw new ArgumentNullException(nameof(angles)), angles.Count);

    /// <summary>The counts per bin of <paramref name="count"/> angles read once from <paramref name="angles"/>.</summary>
    public static double[,] Histogram(IEnumerable<EulerAngles> angles, int count)
    {
        ArgumentNullException.ThrowIfNull(angles);

        // Bins sized so a uniform distribution puts about five views in each (2:1 cells of the equal-area map).
        int bw = Math.Clamp((int)Math.Sqrt(2.0 * count / 5), 8, 90), bh = Math.Max(4, bw / 2);
        var counts = new double[bh, bw];
        foreach (var a in angles)
        {
            var d = a.ViewingDirection();
            double phi = Math.Atan2(d.Y, d.X);
            int bx = Math.Clamp((int)((phi + Math.PI) / (2 * Math.PI) * bw), 0, bw - 1);
            int by = Math.Clamp((int)((1 - d.Z) / 2 * bh), 0, bh - 1);
            counts[by, bx]++;
        }

        return counts;
    }

    /// <summary>The map of the directions of <paramref name="angles"/> (RELION Euler angles) as PNG bytes.</summary>
    public static byte[] RenderPng(IEnumerable<EulerAngles> angles, int width = 640, int height = 360)
    {
        ArgumentNullException.ThrowIfNull(angles);
        // Counted, not copied: the angles of a simulation are made on demand and may be far too many to hold.
        int count = angles.TryGetNonEnumeratedCount(out int known) ? known : angles.Count();
        var counts = Histogram(angles, count);
        PlotFont.EnsureRegistered();
        using var plot = new Plot();
        plot.Font.Set(PlotFont.Family);
        var map = plot.Add.Heatmap(counts);
        map.Colormap = new ScottPlot.Colormaps.Viridis();
        map.Extent = new CoordinateRect(-180, 180, -1, 1);
        plot.Add.ColorBar(map).Label = "views per bin";
        plot.Title($"Viewing directions of {count} particles");
        plot.XLabel("rot (°)");
        plot.YLabel("tilt (°)");

        // The vertical axis is cos(tilt) (equal area); its ticks are labelled in degrees of tilt.
        double[] tilts = [0, 30, 60, 90, 120, 150, 180];
        plot.Axes.Left.SetTicks([.. tilts.Select(t => Math.Cos(t * Math.PI / 180))], [.. tilts.Select(t => $"{t:0}")]);
        plot.Axes.Bottom.SetTicks([-180, -90, 0, 90, 180], ["−180", "−90", "0", "90", "180"]);
        plot.Axes.SetLimits(-180, 180, -1, 1);
        return plot.GetImageBytes(width, height, ImageFormat.Png);
    }
}
