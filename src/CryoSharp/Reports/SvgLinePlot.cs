using System.Globalization;
using System.Text;

namespace CryoSharp.Reports;

/// <summary>
/// A line plot written as SVG, with no dependency: axes with "nice" ticks, axis labels, a title, a legend, any
/// number of series and optional horizontal reference lines (such as FSC = 0.143).
/// </summary>
public sealed class SvgLinePlot
{
    private static readonly string[] Palette =
        ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

    private readonly List<(string Name, double[] X, double[] Y, string Color, bool Markers)> series = [];
    private readonly List<(double Y, string Label)> references = [];

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

    /// <summary>Fixed y range, or null to fit the data.</summary>
    public (double Min, double Max)? YRange { get; init; }

    /// <summary>Fixed x range, or null to fit the data.</summary>
    public (double Min, double Max)? XRange { get; init; }

    /// <summary>Logarithmic y axis (positive values only).</summary>
    public bool LogY { get; init; }

    /// <summary>Logarithmic x axis (positive values only; decade ticks), for error-against-N curves.</summary>
    public bool LogX { get; init; }

    /// <summary>Adds a series; non-finite points break the line.</summary>
    public SvgLinePlot Add(string name, IReadOnlyList<double> x, IReadOnlyList<double> y, bool markers = false)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Count != y.Count)
        {
            throw new ArgumentException($"Series {name}: {x.Count} x values but {y.Count} y values.");
        }

        series.Add((name ?? "", [.. x], [.. y], Palette[series.Count % Palette.Length], markers));
        return this;
    }

    /// <summary>Adds a dashed horizontal line at <paramref name="y"/> with a label.</summary>
    public SvgLinePlot AddReferenceLine(double y, string label)
    {
        references.Add((y, label ?? ""));
        return this;
    }

    /// <summary>Writes the SVG file atomically.</summary>
    public void Save(string path) => IO.AtomicFile.WriteAllText(path, Render());

    /// <summary>The SVG document.</summary>
    public string Render()
    {
        const double left = 70, right = 20, top = 40, bottom = 55;
        double plotW = Width - left - right, plotH = Height - top - bottom;
        var (x0, x1) = XRange ?? Extent(series.SelectMany(s => s.X), LogX);
        var (y0, y1) = YRange ?? Extent(series.SelectMany(s => s.Y).Concat(references.Select(r => r.Y)), LogY);
        double Ty(double v) => LogY ? Math.Log10(v) : v;
        double ly0 = Ty(y0), ly1 = Ty(y1);
        double Tx(double v) => LogX ? Math.Log10(v) : v;
        double lx0 = Tx(x0), lx1 = Tx(x1);
        double Px(double x) => left + ((Tx(x) - lx0) / (lx1 - lx0) * plotW);
        double Py(double y) => top + plotH - ((Ty(y) - ly0) / (ly1 - ly0) * plotH);

        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" font-family=\"sans-serif\" font-size=\"12\">\n");
        svg.Append(CultureInfo.InvariantCulture, $"<rect width=\"{Width}\" height=\"{Height}\" fill=\"white\"/>\n");
        if (Title.Length > 0)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width / 2.0:0.#}\" y=\"22\" text-anchor=\"middle\" font-size=\"15\" font-weight=\"bold\">{Escape(Title)}</text>\n");
        }

        foreach (double t in Ticks(x0, x1, LogX))
        {
            double px = Px(t);
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{px:0.##}\" y1=\"{top}\" x2=\"{px:0.##}\" y2=\"{top + plotH}\" stroke=\"#e6e6e6\"/>\n");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{px:0.##}\" y=\"{top + plotH + 16}\" text-anchor=\"middle\">{FormatTick(t)}</text>\n");
        }

        foreach (double t in Ticks(y0, y1, LogY))
        {
            double py = Py(t);
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{left}\" y1=\"{py:0.##}\" x2=\"{left + plotW}\" y2=\"{py:0.##}\" stroke=\"#e6e6e6\"/>\n");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{left - 6}\" y=\"{py + 4:0.##}\" text-anchor=\"end\">{FormatTick(t)}</text>\n");
        }

        svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{left}\" y=\"{top}\" width=\"{plotW}\" height=\"{plotH}\" fill=\"none\" stroke=\"black\"/>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{left + (plotW / 2):0.#}\" y=\"{Height - 14}\" text-anchor=\"middle\">{Escape(XLabel)}</text>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text transform=\"translate(16 {top + (plotH / 2):0.#}) rotate(-90)\" text-anchor=\"middle\">{Escape(YLabel)}</text>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<clipPath id=\"plot\"><rect x=\"{left}\" y=\"{top}\" width=\"{plotW}\" height=\"{plotH}\"/></clipPath>\n");

        foreach (var (y, label) in references)
        {
            double py = Py(y);
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{left}\" y1=\"{py:0.##}\" x2=\"{left + plotW}\" y2=\"{py:0.##}\" stroke=\"#555\" stroke-dasharray=\"5 4\"/>\n");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{left + plotW - 4}\" y=\"{py - 4:0.##}\" text-anchor=\"end\" fill=\"#555\">{Escape(label)}</text>\n");
        }

        foreach (var (name, xs, ys, color, markers) in series)
        {
            var path = new StringBuilder();
            bool pen = false;
            for (int i = 0; i < xs.Length; i++)
            {
                bool ok = double.IsFinite(xs[i]) && double.IsFinite(ys[i]) && (!LogY || ys[i] > 0) && (!LogX || xs[i] > 0);
                if (!ok)
                {
                    pen = false;
                    continue;
                }

                path.Append(CultureInfo.InvariantCulture, $"{(pen ? "L" : "M")}{Px(xs[i]):0.##},{Py(ys[i]):0.##} ");
                pen = true;
                if (markers)
                {
                    svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{Px(xs[i]):0.##}\" cy=\"{Py(ys[i]):0.##}\" r=\"3\" fill=\"{color}\" clip-path=\"url(#plot)\"/>\n");
                }
            }

            svg.Append(CultureInfo.InvariantCulture, $"<path d=\"{path.ToString().TrimEnd()}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\" clip-path=\"url(#plot)\"><title>{Escape(name)}</title></path>\n");
        }

        var named = series.Where(s => s.Name.Length > 0).ToList();
        if (named.Count > 0)
        {
            // The legend goes to whichever right-hand corner the data leaves emptier.
            double lw = 30 + (7 * named.Max(s => s.Name.Length)), lh = (18 * named.Count) + 6, lx = left + plotW - lw - 8;
            int upper = 0, lower = 0;
            foreach (var (_, xs, ys, _, _) in series)
            {
                for (int i = 0; i < xs.Length; i++)
                {
                    if (double.IsFinite(xs[i]) && double.IsFinite(ys[i]) && Px(xs[i]) >= lx)
                    {
                        if (Py(ys[i]) <= top + lh + 16)
                        {
                            upper++;
                        }
                        else if (Py(ys[i]) >= top + plotH - lh - 16)
                        {
                            lower++;
                        }
                    }
                }
            }

            double ly = upper > lower ? top + plotH - lh - 8 : top + 8;
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{lx:0.#}\" y=\"{ly:0.#}\" width=\"{lw:0.#}\" height=\"{lh}\" fill=\"white\" fill-opacity=\"0.85\" stroke=\"#ccc\"/>\n");
            for (int i = 0; i < named.Count; i++)
            {
                double y = ly + 15 + (18 * i);
                svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{lx + 6:0.#}\" y1=\"{y - 4:0.#}\" x2=\"{lx + 24:0.#}\" y2=\"{y - 4:0.#}\" stroke=\"{named[i].Color}\" stroke-width=\"2\"/>\n");
                svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{lx + 28:0.#}\" y=\"{y:0.#}\">{Escape(named[i].Name)}</text>\n");
            }
        }

        svg.Append("</svg>\n");
        return svg.ToString();
    }

    /// <summary>"Nice" tick positions (steps of 1, 2 or 5 × 10ⁿ; decades on a log axis) within [lo, hi].</summary>
    public static double[] Ticks(double lo, double hi, bool log)
    {
        if (log)
        {
            var decades = new List<double>();
            for (int e = (int)Math.Ceiling(Math.Log10(lo) - 1e-9); e <= Math.Floor(Math.Log10(hi) + 1e-9); e++)
            {
                decades.Add(Math.Pow(10, e));
            }

            return [.. decades];
        }

        double span = hi - lo;
        double raw = span / 6;
        double magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double step = (raw / magnitude) switch
        {
            < 1.5 => magnitude,
            < 3.5 => 2 * magnitude,
            < 7.5 => 5 * magnitude,
            _ => 10 * magnitude,
        };
        var ticks = new List<double>();
        for (double t = Math.Ceiling(lo / step - 1e-9) * step; t <= hi + (step * 1e-9); t += step)
        {
            ticks.Add(Math.Abs(t) < step * 1e-9 ? 0 : t);
        }

        return [.. ticks];
    }

    private static (double, double) Extent(IEnumerable<double> values, bool log)
    {
        double lo = double.PositiveInfinity, hi = double.NegativeInfinity;
        foreach (double v in values)
        {
            if (double.IsFinite(v) && (!log || v > 0))
            {
                lo = Math.Min(lo, v);
                hi = Math.Max(hi, v);
            }
        }

        if (double.IsInfinity(lo))
        {
            return log ? (1, 10) : (0, 1);
        }

        if (log)
        {
            return (Math.Pow(10, Math.Floor(Math.Log10(lo))), Math.Pow(10, Math.Ceiling(Math.Log10(hi) + (hi == lo ? 1 : 0))));
        }

        if (hi == lo)
        {
            return (lo - 1, hi + 1);
        }

        double pad = (hi - lo) * 0.04;
        return (lo - pad, hi + pad);
    }

    /// <summary>A tick label: plain for moderate values, 10ⁿ for powers of ten (decade ticks of a log axis), else 1.5E+6.</summary>
    internal static string FormatTick(double t)
    {
        bool extreme = Math.Abs(t) >= 1e4 || (t != 0 && Math.Abs(t) < 1e-3);
        if (!extreme)
        {
            return t.ToString("0.####", CultureInfo.InvariantCulture);
        }

        double exponent = Math.Log10(Math.Abs(t));
        if (t > 0 && Math.Abs(exponent - Math.Round(exponent)) < 1e-9)
        {
            const string superscripts = "⁰¹²³⁴⁵⁶⁷⁸⁹";
            int e = (int)Math.Round(exponent);
            var digits = Math.Abs(e).ToString(CultureInfo.InvariantCulture).Select(c => superscripts[c - '0']);
            return "10" + (e < 0 ? "⁻" : "") + string.Concat(digits);
        }

        return t.ToString("0.##E+0", CultureInfo.InvariantCulture);
    }

    private static string Escape(string text) => System.Security.SecurityElement.Escape(text) ?? "";
}
