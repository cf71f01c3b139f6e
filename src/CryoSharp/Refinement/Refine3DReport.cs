using System.Globalization;
using CryoSharp.Geometry;
using CryoSharp.Imaging;
using CryoSharp.Reconstruction;
using CryoSharp.Reports;

namespace CryoSharp.Refinement;

/// <summary>
/// The report of a 3D refinement: the resolution, the gold-standard FSC (and the masked, phase-randomisation-corrected
/// one with a mask), central slices and projections along the three axes of the map and the half maps, the
/// distribution of the viewing directions, and the resolution, angular step and changes of pose per iteration.
/// </summary>
public static class Refine3DReport
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    /// <summary>One iteration in words (the first, without poses before it, has no change to report).</summary>
    public static string Describe(Refine3DIterationStatistics h)
    {
        ArgumentNullException.ThrowIfNull(h);
        string change = double.IsNaN(h.ChangedOrientationsDeg) ? "first poses" : string.Create(C, $"Δorientation {h.ChangedOrientationsDeg:0.00}°, Δoffset {h.ChangedOffsetsPx:0.00} px");
        return string.Create(C, $"{h.ResolutionA:0.00} Å, step {h.AngularStepDeg:0.##}°{(h.Local ? " local" : "")}, radius {h.RadiusPx} px, {change}, {h.MeanSignificantSamples:0.#} significant samples, {h.Seconds:0.0} s");
    }

    /// <summary>Central slices and sums along x, y and z of each map, one row per map ("map", or "class N" with several).</summary>
    public static Montage MapViews(IReadOnlyList<Volume> maps)
    {
        ArgumentNullException.ThrowIfNull(maps);
        int box = maps[0].Nx;
        var views = new Montage { Columns = 6, Scale = Math.Max(1, (int)Math.Ceiling(128.0 / box)) };
        string[] axes = ["x", "y", "z"];
        for (int c = 0; c < maps.Count; c++)
        {
            string name = maps.Count == 1 ? "map" : string.Create(C, $"class {c + 1}");
            for (int axis = 0; axis < 3; axis++)
            {
                views.Add(maps[c].CentralSlice(axis).Data, box, box, $"{name} slice {axes[axis]}");
            }

            for (int axis = 0; axis < 3; axis++)
            {
                views.Add(AxisProjection.Sum(maps[c], axis).Data, box, box, $"{name} sum {axes[axis]}");
            }
        }

        return views;
    }

    /// <summary>Writes report.html.</summary>
    /// <param name="path">The file.</param>
    /// <param name="title">What was run ("refine3d").</param>
    /// <param name="maps">The final map of each class.</param>
    /// <param name="state">The final state (half maps, poses).</param>
    /// <param name="halfMapFsc">The gold-standard FSC of the first class.</param>
    /// <param name="masked">The masked FSC with its correction, or null.</param>
    /// <param name="history">Every iteration's statistics, in order.</param>
    /// <param name="rows">Extra facts for the summary table (input, settings).</param>
    public static void Write(string path, string title, IReadOnlyList<Volume> maps, Refine3DState state, FscCurve halfMapFsc, MaskedFsc? masked,
        IReadOnlyList<Refine3DIterationStatistics> history, IEnumerable<(string Name, string Value)> rows)
    {
        ArgumentNullException.ThrowIfNull(maps);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(halfMapFsc);
        ArgumentNullException.ThrowIfNull(history);
        var model = state.Model;
        string fscSvg = (masked is not null ? FscFigure.Create(masked) : FscFigure.Create(halfMapFsc, "half maps")).Render();
        var views = MapViews(maps);
        string[] axes = ["x", "y", "z"];

        var halves = new Montage { Columns = 6, Scale = views.Scale };
        for (int h = 0; h < 2; h++)
        {
            var half = new Volume(model.Box, model.Box, model.Box, model.PixelSizeA, model.HalfMaps[0][h]);
            for (int axis = 0; axis < 3; axis++)
            {
                halves.Add(half.CentralSlice(axis).Data, model.Box, model.Box, $"half {h + 1} {axes[axis]}");
            }
        }

        var iterations = history.Select(h => (double)h.Iteration).ToArray();
        var resolution = new LinePlot { Title = "Resolution per iteration", XLabel = "iteration", YLabel = "FSC 0.143 resolution (Å)", Width = 640, Height = 320 }
            .Add("half maps", iterations, history.Select(h => h.ResolutionA).ToArray(), markers: true).Render();
        var step = new LinePlot { Title = "Angular step and change of pose", XLabel = "iteration", YLabel = "degrees", Width = 640, Height = 320 }
            .Add("fine angular step", iterations, history.Select(h => h.AngularStepDeg).ToArray(), markers: true)
            .Add("mean change of orientation", iterations, history.Select(h => double.IsNaN(h.ChangedOrientationsDeg) ? 0 : h.ChangedOrientationsDeg).ToArray(), markers: true)
            .Render();
        var a = state.Assignments;
        var angles = new List<EulerAngles>(a.Count);
        for (int i = 0; i < a.Count; i++)
        {
            if (a.HasPose[i])
            {
                angles.Add(EulerAngles.FromDegrees(a.RotDeg[i], a.TiltDeg[i], a.PsiDeg[i]));
            }
        }

        var html = new HtmlReport($"CryoSharp {title}")
            .Table([
                .. rows,
                ("resolution (gold-standard FSC 0.143)", halfMapFsc.DescribeResolution(0.143)),
                ("resolution (FSC 0.5)", halfMapFsc.DescribeResolution(0.5)),
                .. masked is null ? Array.Empty<(string, string)>() : [("masked, corrected FSC 0.143", masked.Corrected.DescribeResolution(0.143))],
                ("iterations", string.Create(C, $"{history.Count} ({history.Sum(h => h.Seconds):0.0} s)")),
                ("final angular step", history.Count > 0 ? string.Create(C, $"{history[^1].AngularStepDeg:0.##}° (HEALPix order {history[^1].HealpixOrder}{(history[^1].Local ? ", local" : "")})") : "-"),
            ])
            .Heading("Gold-standard FSC")
            .Plot(fscSvg, "FSC between the independently refined half maps; the resolution is read where it crosses 0.143.")
            .Heading("Map")
            .Picture(PngEncoder.Encode(views.Render()), "Central slices and sums along x, y and z of the final map.")
            .Picture(PngEncoder.Encode(halves.Render()), "Central slices of the two half maps.")
            .Heading("Viewing directions")
            .Picture(ViewDistributionMap.RenderPng(angles), "The particles' most probable viewing directions: particles per bin on an equal-area map.")
            .Heading("Iterations")
            .Plot(resolution, "Gold-standard resolution after each iteration.")
            .Plot(step, "The fine angular step searched, and how far the particles' most probable orientations moved.")
            .Table(history.Select(h => (string.Create(C, $"iteration {h.Iteration}{(h.Final ? " (final)" : "")}"),
                Describe(h))));
        html.Save(path);
    }
}
