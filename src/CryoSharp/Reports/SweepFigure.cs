using System.Globalization;
namespace CryoSharp.Reports;

/// <summary>
/// The figure of an error sweep: one curve per method (and per σ, or per quantity), error against N on log–log
/// axes, or against σ when the sweep has one N and several σ.
/// </summary>
public static class SweepFigure
{
    /// <summary>Writes the SVG.</summary>
    /// <param name="path">Output file.</param>
    /// <param name="title">Plot title.</param>
    /// <param name="methods">Methods in legend order.</param>
    /// <param name="counts">The N values swept.</param>
    /// <param name="sigmas">The σ values swept.</param>
    /// <param name="points">The sweep's points.</param>
    /// <param name="point">(method, N, σ) of a point.</param>
    /// <param name="curves">The quantities to draw, each with a legend suffix (empty for a single one).</param>
    public static void Save<T>(string path, string title, IReadOnlyList<string> methods, IReadOnlyList<double> counts, IReadOnlyList<double> sigmas,
        IReadOnlyList<T> points, Func<T, (string Method, double Count, double Sigma)> point, params (string Suffix, Func<T, double> Value)[] curves)
    {
        bool againstSigma = counts.Count == 1 && sigmas.Count > 1;
        var svg = new LinePlot
        {
            Title = title,
            XLabel = againstSigma ? "σ" : "N",
            YLabel = "relative error",
            LogX = !againstSigma,
            LogY = true,
        };
        foreach (var name in methods)
        {
            foreach (double sigma in againstSigma ? [sigmas[0]] : sigmas)
            {
                var selected = points.Where(p => point(p).Method == name && (againstSigma || point(p).Sigma == sigma)).ToList();
                string label = againstSigma || sigmas.Count == 1 ? name : string.Create(CultureInfo.InvariantCulture, $"{name}, σ = {sigma}");
                double[] x = [.. selected.Select(p => againstSigma ? point(p).Sigma : point(p).Count)];
                foreach (var (suffix, value) in curves)
                {
                    svg.Add(label + suffix, x, [.. selected.Select(value)], markers: true);
                }
            }
        }

        svg.Save(path);
    }
}
