using System.Globalization;
using CryoSharp.Geometry;
using CryoSharp.Imaging;
using CryoSharp.Reports;

namespace CryoSharp.Refinement;

/// <summary>
/// The report of an ab initio run: central slices and sums along the three axes of each class map, the distribution
/// of the viewing directions, and per iteration the resolution used, the minibatch, the temperature and how sharply
/// the minibatch's poses were determined.
/// </summary>
public static class AbInitioReport
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    /// <summary>One iteration in words.</summary>
    public static string Describe(AbInitioIterationStatistics s)
    {
        ArgumentNullException.ThrowIfNull(s);
        string priors = s.ClassPriors.Length > 1 ? ", classes " + string.Join(" / ", s.ClassPriors.Select(p => (100 * p).ToString("0", C) + " %")) : "";
        return string.Create(C, $"{s.ResolutionA:0.0} Å, HEALPix order {s.HealpixOrder}, {s.Minibatch} particles, σ² × {s.NoiseScale:0.00}, step {s.LearningRate:0.00}, max probability {s.MeanMaxProbability:0.000}{priors}, {s.Seconds:0.0} s");
    }

    /// <summary>Writes report.html.</summary>
    /// <param name="path">The file.</param>
    /// <param name="result">The run's maps and poses.</param>
    /// <param name="history">Every iteration's statistics, in order.</param>
    /// <param name="rows">Facts for the summary table (input, settings).</param>
    public static void Write(string path, AbInitioResult result, IReadOnlyList<AbInitioIterationStatistics> history, IEnumerable<(string Name, string Value)> rows)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(history);
        var views = Refine3DReport.MapViews(result.Maps);
        var a = result.Assignments;
        var angles = new List<EulerAngles>(a.Count);
        for (int i = 0; i < a.Count; i++)
        {
            angles.Add(EulerAngles.FromDegrees(a.RotDeg[i], a.TiltDeg[i], a.PsiDeg[i]));
        }

        var iterations = history.Select(h => (double)h.Iteration).ToArray();
        var schedule = new LinePlot { Title = "Schedule", XLabel = "iteration", YLabel = "Å / particles ÷ 10", Width = 640, Height = 320 }
            .Add("resolution used (Å)", iterations, history.Select(h => h.ResolutionA).ToArray())
            .Add("minibatch ÷ 10", iterations, history.Select(h => h.Minibatch / 10.0).ToArray())
            .Add("σ² factor × 10", iterations, history.Select(h => 10 * h.NoiseScale).ToArray())
            .Render();
        var sharpness = new LinePlot { Title = "How sharply the minibatch's poses are known", XLabel = "iteration", YLabel = "mean largest posterior probability", Width = 640, Height = 320 }
            .Add("max probability", iterations, history.Select(h => h.MeanMaxProbability).ToArray())
            .Render();
        var html = new HtmlReport("CryoSharp abinitio")
            .Table([
                .. rows,
                ("iterations", string.Create(C, $"{history.Count} ({history.Sum(h => h.Seconds):0.0} s)")),
                ("maps filtered to", string.Create(C, $"{result.ResolutionA:0.#} Å")),
                .. result.Maps.Length > 1
                    ? Enumerable.Range(0, result.Maps.Length).Select(c => (string.Create(C, $"class {c + 1}"), string.Create(C, $"{result.ClassCounts[c]} particles ({100.0 * result.ClassCounts[c] / Math.Max(1, a.Count):0.0} %)")))
                    : [],
            ])
            .Heading("Map")
            .Picture(PngEncoder.Encode(views.Render()), "Central slices and sums along x, y and z of each map (the hand is arbitrary: ab initio cannot tell a map from its mirror image).")
            .Heading("Viewing directions")
            .Picture(ViewDistributionMap.RenderPng(angles), "The particles' most probable viewing directions against the final map: particles per bin on an equal-area map.")
            .Heading("Iterations")
            .Plot(schedule, "Resolution, minibatch size and noise temperature per iteration (the annealing schedule).")
            .Plot(sharpness, "The mean largest posterior probability of the minibatch's particles: it rises as the map takes shape.")
            .Table(history.Where(h => h.Iteration == 1 || h.Iteration % 10 == 0 || h.Iteration == history.Count)
                .Select(h => (string.Create(C, $"iteration {h.Iteration}"), Describe(h))));
        html.Save(path);
    }
}
