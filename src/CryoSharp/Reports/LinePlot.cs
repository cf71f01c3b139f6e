using System.Globalization;
using ScottPlot;
using ScottPlot.TickGenerators;

namespace CryoSharp.Reports;

/// <summary>
/// A line plot (curves with optional markers, a legend, dashed reference lines such as FSC = 0.143, linear or
/// logarithmic axes) drawn by ScottPlot with the library's own font, written as SVG or PNG. Logarithmic axes plot
/// log₁₀ of the values with decade labels 10ⁿ and minor ticks at 2…9 × 10ⁿ (ScottPlot has no log axis type).
/// </summary>
public sealed class LinePlot
{
    private readonly List<(string Name, double[] X, double[] Y, bool Markers, bool PointsOnly)> series = [];
    private readonly List<(double Y, string Label)> references = [];
    private readonly List<(double X, string Label)> markersAtX = [];

    /// <summary>Title above the plot.</summary>
    public string Title { get; init; } = "";

    /// <summary>Label of the x axis, with its unit.</summary>
    public string XLabel { get; init; } = "";

    /// <summary>Label of the y axis, with its unit.</summary>
    public string YLabel { get; init; } = "";

    /// <summary>Width of the picture in pixels.</summary>
    public int Width { get; init; } = 640;

    /// <summary>Height of the picture in pixels.</summary>
    public int Height { get; init; } = 400;

    /// <summary>Fixed y range (in data units), or null to fit the data.</summary>
    public (double Min, double Max)? YRange { get; init; }

    /// <summary>Fixed x range (in data units), or null to fit the data.</summary>
    public (double Min, double Max)? XRange { get; init; }

    /// <summary>Logarithmic y axis (positive values only).</summary>
    public bool LogY { get; init; }

    /// <summary>Logarithmic x axis (positive values only), for error-against-N curves.</summary>
    public bool LogX { get; init; }

    /// <summary>Labels of the x ticks (on a linear axis), or null for plain numbers.</summary>
    public Func<double, string>? XTickLabels { get; init; }

    /// <summary>Adds a series; non-finite points (and non-positive ones on a log axis) break the line.</summary>
    public LinePlot Add(string name, IReadOnlyList<double> x, IReadOnlyList<double> y, bool markers = false)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Count != y.Count)
        {
            throw new ArgumentException($"Series '{name}' has {x.Count} x values and {y.Count} y values.");
        }

        series.Add((name ?? "", [.. x], [.. y], markers, false));
        return this;
    }

    /// <summary>Adds a cloud of unconnected points (a scatter plot), drawn small so that thousands stay readable.</summary>
    public LinePlot AddPoints(string name, IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        Add(name, x, y, markers: true);
        series[^1] = series[^1] with { PointsOnly = true };
        return this;
    }

    /// <summary>Adds a series against its indices 0, 1, …, n − 1 (a 1D signal against its sample number).</summary>
    public LinePlot Add(string name, IReadOnlyList<double> y, bool markers = false)
    {
        ArgumentNullException.ThrowIfNull(y);
        return Add(name, [.. Enumerable.Range(0, y.Count).Select(i => (double)i)], y, markers);
    }

    /// <summary>Adds a dashed horizontal line at <paramref name="y"/> with a label.</summary>
    public LinePlot AddReferenceLine(double y, string label)
    {
        references.Add((y, label ?? ""));
        return this;
    }

    /// <summary>Adds a dotted vertical line at <paramref name="x"/> with a label (such as the resolution at a threshold).</summary>
    public LinePlot AddVerticalLine(double x, string label)
    {
        markersAtX.Add((x, label ?? ""));
        return this;
    }

    /// <summary>Writes the figure atomically: PNG for a .png path, SVG otherwise.</summary>
    public void Save(string path)
    {
        if (Path.GetExtension(path).Equals(".png", StringComparison.OrdinalIgnoreCase))
        {
            IO.AtomicFile.WriteAllBytes(path, RenderPng());
        }
        else
        {
            IO.AtomicFile.WriteAllText(path, Render());
        }
    }

    /// <summary>The figure as an SVG document.</summary>
    public string Render()
    {
        using var plot = Build();
        return plot.GetSvgXml(Width, Height);
    }

    /// <summary>The figure as PNG bytes.</summary>
    public byte[] RenderPng()
    {
        using var plot = Build();
        return plot.GetImageBytes(Width, Height, ImageFormat.Png);
    }

    /// <summary>A tick label: plain for moderate values, 10ⁿ for powers of ten (decade ticks of a log axis), else 1.5E+6.</summary>
    public static string FormatTick(double t)
    {
        bool extreme = Math.Abs(t) >= 1e4 || (t != 0 && Math.Abs(t) < 1e-3);
        if (!extreme)
        {
            return t.ToString("0.####", CultureInfo.InvariantCulture);
        }

        double exponent = Math.Log10(Math.Abs(t));
        if (t > 0 && Math.Abs(exponent - Math.Round(exponent)) < 1e-9)
        {
            return "10" + Superscript((int)Math.Round(exponent));
        }

        return t.ToString("0.##E+0", CultureInfo.InvariantCulture);
    }

    private Plot Build()
    {
        PlotFont.EnsureRegistered();
        var plot = new Plot();
        plot.Font.Set(PlotFont.Family);
        plot.Title(Title);
        plot.XLabel(XLabel);
        plot.YLabel(YLabel);
        foreach (var (name, xs, ys, markers, pointsOnly) in series)
        {
            var (px, py) = Points(xs, ys);
            var scatter = plot.Add.ScatterLine(px, py);
            scatter.LegendText = name;
            scatter.LineWidth = pointsOnly ? 0 : 2;
            scatter.MarkerSize = pointsOnly ? 2 : markers ? 6 : 0;
            scatter.MarkerShape = markers ? MarkerShape.FilledCircle : MarkerShape.None;
        }

        foreach (var (y, label) in references)
        {
            var line = plot.Add.HorizontalLine(LogY ? Math.Log10(y) : y, 1.5f, Colors.Gray, LinePattern.Dashed);
            line.LegendText = label;
        }

        foreach (var (x, label) in markersAtX)
        {
            var line = plot.Add.VerticalLine(LogX ? Math.Log10(x) : x, 1.5f, Colors.Black, LinePattern.Dotted);
            line.LegendText = label;
        }

        if (LogX)
        {
            plot.Axes.Bottom.TickGenerator = LogTicks();
        }
        else if (XTickLabels is { } labels)
        {
            plot.Axes.Bottom.TickGenerator = new NumericAutomatic { LabelFormatter = labels, TargetTickCount = 6 };
        }

        if (LogY)
        {
            plot.Axes.Left.TickGenerator = LogTicks();
        }

        if (XRange is { } xr)
        {
            plot.Axes.SetLimitsX(LogX ? Math.Log10(xr.Min) : xr.Min, LogX ? Math.Log10(xr.Max) : xr.Max);
        }

        if (YRange is { } yr)
        {
            plot.Axes.SetLimitsY(LogY ? Math.Log10(yr.Min) : yr.Min, LogY ? Math.Log10(yr.Max) : yr.Max);
        }

        if (series.Any(s => s.Name.Length > 0) || references.Any(r => r.Label.Length > 0) || markersAtX.Any(m => m.Label.Length > 0))
        {
            plot.ShowLegend(LegendCorner());
        }

        return plot;
    }

    /// <summary>The points as plotted: log₁₀ on log axes; gaps (NaN) where a value cannot be shown.</summary>
    private (double[] X, double[] Y) Points(double[] xs, double[] ys)
    {
        var px = new double[xs.Length];
        var py = new double[ys.Length];
        for (int i = 0; i < xs.Length; i++)
        {
            bool ok = double.IsFinite(xs[i]) && double.IsFinite(ys[i]) && (!LogX || xs[i] > 0) && (!LogY || ys[i] > 0);
            px[i] = ok ? (LogX ? Math.Log10(xs[i]) : xs[i]) : double.NaN;
            py[i] = ok ? (LogY ? Math.Log10(ys[i]) : ys[i]) : double.NaN;
        }

        return (px, py);
    }

    /// <summary>The right-hand corner the data leave emptier, for the legend.</summary>
    private Alignment LegendCorner()
    {
        var all = series.SelectMany(s => Points(s.X, s.Y) is var (px, py) ? px.Zip(py) : []).Where(p => double.IsFinite(p.First) && double.IsFinite(p.Second)).ToList();
        if (all.Count == 0)
        {
            return Alignment.UpperRight;
        }

        double x0 = all.Min(p => p.First), x1 = all.Max(p => p.First), y0 = all.Min(p => p.Second), y1 = all.Max(p => p.Second);
        double xs = x0 + (0.6 * (x1 - x0)), upperY = y0 + (0.7 * (y1 - y0)), lowerY = y0 + (0.3 * (y1 - y0));
        int upper = all.Count(p => p.First >= xs && p.Second >= upperY), lower = all.Count(p => p.First >= xs && p.Second <= lowerY);
        return upper > lower ? Alignment.LowerRight : Alignment.UpperRight;
    }

    private static NumericAutomatic LogTicks() => new()
    {
        MinorTickGenerator = new LogMinorTickGenerator(),
        IntegerTicksOnly = true,
        LabelFormatter = v => Math.Abs(Math.Round(v)) <= 2 ? FormatTick(Math.Pow(10, Math.Round(v))) : "10" + Superscript((int)Math.Round(v)),
    };

    private static string Superscript(int n)
    {
        const string digits = "⁰¹²³⁴⁵⁶⁷⁸⁹";
        var text = n.ToString(CultureInfo.InvariantCulture);
        var result = new System.Text.StringBuilder();
        foreach (char c in text)
        {
            result.Append(c == '-' ? '⁻' : digits[c - '0']);
        }

        return result.ToString();
    }
}
