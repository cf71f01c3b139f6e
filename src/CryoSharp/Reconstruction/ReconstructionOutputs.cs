using System.Globalization;
using System.Text;
using CryoSharp.IO;
using CryoSharp.Reports;

namespace CryoSharp.Reconstruction;

/// <summary>
/// The files of a reconstruction, as <c>cryosharp reconstruct</c> writes them into a folder: <c>map.mrc</c>,
/// <c>half1.mrc</c>, <c>half2.mrc</c>, the gold-standard FSC as <c>fsc.csv</c> and <c>fsc.svg</c>, and
/// <c>report.html</c>.
/// </summary>
/// <param name="Map">The full map.</param>
/// <param name="Half1">Half map 1.</param>
/// <param name="Half2">Half map 2.</param>
/// <param name="FscCsv">The FSC per shell (shell, frequency in 1/Å, resolution in Å, FSC).</param>
/// <param name="FscPlot">The FSC figure.</param>
/// <param name="Report">The HTML report.</param>
public sealed record ReconstructionOutputs(string Map, string Half1, string Half2, string FscCsv, string FscPlot, string Report)
{
    /// <summary>The names of the files, in a folder.</summary>
    public static IReadOnlyList<string> Names { get; } = ["map.mrc", "half1.mrc", "half2.mrc", "fsc.csv", "fsc.svg", "report.html"];

    /// <summary>Writes every file of <paramref name="result"/> into the staging folder of <paramref name="set"/>.</summary>
    /// <param name="result">The reconstruction.</param>
    /// <param name="options">How it was made.</param>
    /// <param name="set">The output set the files are staged in (they appear together when it is committed).</param>
    /// <param name="views">The particles' orientations, for the report's map of viewing directions; null for none.</param>
    /// <returns>The files' final paths.</returns>
    public static ReconstructionOutputs Write(ReconstructionResult result, ReconstructionOptions options, OutputSet set,
        IReadOnlyCollection<Geometry.EulerAngles>? views = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(set);
        var files = new ReconstructionOutputs(set.Stage("map.mrc"), set.Stage("half1.mrc"), set.Stage("half2.mrc"), set.Stage("fsc.csv"),
            set.Stage("fsc.svg"), set.Stage("report.html"));
        MrcWriter.Write(files.Map, result.Map);
        MrcWriter.Write(files.Half1, result.Half1);
        MrcWriter.Write(files.Half2, result.Half2);
        var curve = result.HalfMapFsc;
        FscTable.Write(files.FscCsv, curve);
        string svg = (result.Masked is { } masked ? FscFigure.Create(masked) : FscFigure.Create(curve, "half maps")).Render();
        AtomicFile.WriteAllText(files.FscPlot, svg);
        var slices = new Montage { Columns = 3 };
        string[] axes = ["x", "y", "z"];
        foreach (var (name, v) in new[] { ("map", result.Map), ("half 1", result.Half1), ("half 2", result.Half2) })
        {
            for (int axis = 0; axis < 3; axis++)
            {
                slices.Add(v.CentralSlice(axis), $"{name} {axes[axis]}");
            }
        }

        var c = CultureInfo.InvariantCulture;
        var html = new HtmlReport("CryoSharp reconstruction")
            .Table([
                ("particles", string.Create(c, $"{result.Half1Count + result.Half2Count} ({result.Half1Count} in half 1, {result.Half2Count} in half 2)")),
                ("box, pixel size", string.Create(c, $"{result.Map.Nx} px, {result.Map.PixelSizeA:0.###} Å")),
                ("resolution (FSC 0.143)", curve.DescribeResolution(0.143)),
                ("resolution (FSC 0.5)", curve.DescribeResolution(0.5)),
                ("CTF correction", options.Ctf ? "Wiener" : "none"),
                ("regularisation", options.Regularisation is double constant ? string.Create(c, $"constant 1/SSNR = {constant}") : "per shell from the half-map FSC"),
                .. result.Warnings.Select(w => ("warning", w)),
            ])
            .Heading("Gold-standard FSC")
            .Plot(svg, "FSC between the half maps; the resolution is read where it crosses 0.143.")
            .Heading("Maps")
            .Picture(PngEncoder.Encode(slices.Render()), "Central slices (x, y, z) of the map and the half maps.");
        if (views is { Count: > 0 })
        {
            html.Heading("Viewing directions")
                .Picture(ViewDistributionMap.RenderPng(views), "Where the particles' viewing directions point: views per bin on an equal-area map.");
        }

        html.Save(files.Report);
        return new ReconstructionOutputs(set.Final("map.mrc"), set.Final("half1.mrc"), set.Final("half2.mrc"), set.Final("fsc.csv"),
            set.Final("fsc.svg"), set.Final("report.html"));
    }
}
