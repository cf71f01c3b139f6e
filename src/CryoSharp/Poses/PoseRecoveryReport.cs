using System.Globalization;
using CryoSharp.Geometry;
using CryoSharp.Reports;

namespace CryoSharp.Poses;

/// <summary>
/// The HTML report of a pose recovery: the settings and results, the loss over the epochs, and — when the truth is
/// known — d_p against the true d_q, the error distribution, and the true and recovered viewing directions.
/// </summary>
public static class PoseRecoveryReport
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    /// <summary>Writes the report to <paramref name="path"/> (atomically).</summary>
    /// <param name="path">The HTML file.</param>
    /// <param name="rows">Settings and results, as name and value.</param>
    /// <param name="result">The fit.</param>
    /// <param name="pairs">The fitted pairs.</param>
    /// <param name="truth">The true orientations, or null.</param>
    /// <param name="score">The score against them, or null.</param>
    public static void Write(string path, IEnumerable<(string Name, string Value)> rows, PoseRecoveryResult result, PairSet pairs,
        IReadOnlyList<UnitQuaternion>? truth, PoseRecoveryScore? score)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(pairs);
        var report = new HtmlReport("Pose recovery from pairwise distances");
        report.Table(rows);
        var epochs = Enumerable.Range(1, result.LossCurve.Length).Select(e => (double)e).ToArray();
        report.Plot(new LinePlot { Title = "Loss", XLabel = "epoch", YLabel = "mean (d_p − d_q)² (rad²)", LogY = true }
            .Add("best start", epochs, result.LossCurve).Render(),
            string.Create(C, $"Mean squared residual over each epoch's pairs; final loss over all pairs {result.Loss:G4} rad² (start {result.BestRestart + 1} of {result.RestartLosses.Length}: {string.Join(", ", result.RestartLosses.Select(l => l.ToString("G3", C)))})."));
        if (truth is null || score is null)
        {
            report.Paragraph("The particles carry no true angles, so the recovery is not scored.");
            report.Picture(ViewDistributionMap.RenderPng(result.Orientations.Select(q => q.ToEuler()).ToArray()), "Recovered viewing directions (in the fit's own frame).");
            report.Save(path);
            return;
        }

        // d_p against d_q on at most 4,000 pairs spread over the set.
        var exact = PoseRecoveryScore.TrueDistances(truth, pairs);
        int shown = Math.Min(4000, pairs.Count);
        var xs = new double[shown];
        var ys = new double[shown];
        for (int s = 0; s < shown; s++)
        {
            int p = (int)((long)s * pairs.Count / shown);
            xs[s] = exact[p] * 180 / Math.PI;
            ys[s] = pairs.Distances[p] * 180 / Math.PI;
        }

        report.Plot(new LinePlot { Title = "Distance against rotation angle", XLabel = "true d_q (°)", YLabel = "d_p (°)", XRange = (0, 180) }
            .AddPoints("pairs", xs, ys).Add("d_p = d_q", [0.0, 180.0], [0.0, 180.0]).Render(),
            string.Create(C, $"{shown} of the {pairs.Count} fitted pairs; correlation {score.DistanceCorrelation:0.000}, RMS difference {score.DistanceRmsErrorRad * 180 / Math.PI:0.0}°. The median true angle to each particle's first pair is {score.NeighbourMedianAngleRad * 180 / Math.PI:0.0}°."));

        var sorted = score.TwoSided.ErrorsRad.Select(e => e * 180 / Math.PI).Order().ToArray();
        var fraction = Enumerable.Range(1, sorted.Length).Select(k => (double)k / sorted.Length).ToArray();
        var oneSided = score.OneSided.ErrorsRad.Select(e => e * 180 / Math.PI).Order().ToArray();
        report.Plot(new LinePlot { Title = "Angle errors", XLabel = "error (°)", YLabel = "fraction of particles", XRange = (0, 180), YRange = (0, 1) }
            .Add("after A·R·B (two-sided)", sorted, fraction).Add("after map rotation only", oneSided, fraction).Render(),
            string.Create(C, $"Cumulative distribution of the geodesic errors. Two-sided: mean {score.TwoSided.MeanErrorRad * 180 / Math.PI:0.0}°, median {score.TwoSided.MedianErrorRad * 180 / Math.PI:0.0}°{(score.TwoSided.Inverted ? ", inverted" : "")}{(score.TwoSided.Reflected ? ", mirrored" : "")}; one-sided: mean {score.OneSided.MeanErrorRad * 180 / Math.PI:0.0}°. A fit to pairwise angles determines the orientations only up to R → A·R·B; a reconstruction absorbs only B."));

        var aligned = result.Orientations.Select(q => EulerAngles.FromMatrix(score.TwoSided.Apply(q.ToMatrix()))).ToArray();
        report.Picture(ViewDistributionMap.RenderPng(truth.Select(q => q.ToEuler()).ToArray()), "True viewing directions.");
        report.Picture(ViewDistributionMap.RenderPng(aligned),
            string.Create(C, $"Recovered viewing directions after the two-sided alignment. Mean angle between random pairs: recovered {score.MeanPairAngleRecoveredRad * 180 / Math.PI:0.0}°, true {score.MeanPairAngleTrueRad * 180 / Math.PI:0.0}° (uniform: 126.5°); a smaller recovered value means the orientations clumped."));
        report.Save(path);
    }
}
