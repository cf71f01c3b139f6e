using CryoSharp.Geometry;
using ScottPlot;

namespace CryoSharp.Reports;

/// <summary>
/// A view density given as weights on a set of directions (a quadrature's), drawn on the Lambert equal-area map of
/// the sphere (azimuth across, cos tilt up, as <see cref="ViewDistributionMap"/>): a filled disc per direction with
/// area proportional to its weight, and, when a reference density is given on the same directions (the truth), an
/// open circle for it, so agreement shows as discs that fill their circles.
/// </summary>
public static class ViewWeightsFigure
{
    /// <summary>The figure as SVG.</summary>
    public static string RenderSvg(IReadOnlyList<Vector3d> directions, IReadOnlyList<double> weights, IReadOnlyList<double>? reference, string title,
        int width = 720, int height = 400)
    {
        ArgumentNullException.ThrowIfNull(directions);
        ArgumentNullException.ThrowIfNull(weights);
        PlotFont.EnsureRegistered();
        using var plot = new Plot();
        plot.Font.Set(PlotFont.Family);
        double largest = weights.Max();
        if (reference is not null)
        {
            largest = Math.Max(largest, reference.Max());
        }

        largest = Math.Max(largest, 1e-300);
        for (int i = 0; i < directions.Count; i++)
        {
            var d = directions[i];
            double x = Math.Atan2(d.Y, d.X) * 180 / Math.PI, y = d.Z;
            if (weights[i] > 0)
            {
                var m = plot.Add.Marker(x, y, MarkerShape.FilledCircle, (float)(2 + (26 * Math.Sqrt(weights[i] / largest))), Colors.SteelBlue.WithAlpha(0.75));
                m.LegendText = i == 0 ? "fitted weight (disc area)" : "";
            }

            if (reference is not null && reference[i] > 0)
            {
                var m = plot.Add.Marker(x, y, MarkerShape.OpenCircle, (float)(2 + (26 * Math.Sqrt(reference[i] / largest))), Colors.OrangeRed);
                m.LegendText = i == 0 ? "truth (circle area)" : "";
            }
        }

        plot.Title(title);
        plot.XLabel("rot (°)");
        plot.YLabel("tilt (°)");
        double[] tilts = [0, 30, 60, 90, 120, 150, 180];
        plot.Axes.Left.SetTicks([.. tilts.Select(t => Math.Cos(t * Math.PI / 180))], [.. tilts.Select(t => $"{t:0}")]);
        plot.Axes.Bottom.SetTicks([-180, -90, 0, 90, 180], ["−180", "−90", "0", "90", "180"]);
        plot.Axes.SetLimits(-190, 190, -1.08, 1.08);
        if (reference is not null)
        {
            plot.ShowLegend(Alignment.LowerRight);
        }

        return plot.GetSvgXml(width, height);
    }
}
