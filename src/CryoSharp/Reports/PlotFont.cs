using SkiaSharp;

namespace CryoSharp.Reports;

/// <summary>
/// The font of every figure: DejaVu Sans, carried inside the library. ScottPlot draws plots with no text at all when
/// it finds no font (a bare machine has none), so the library registers its own typeface with ScottPlot once, under
/// a family name of its own, and every plot asks for it by that name.
/// </summary>
internal static class PlotFont
{
    /// <summary>The family name plots use.</summary>
    public const string Family = "CryoSharp DejaVu Sans";

    private static readonly Lazy<SKTypeface> Typeface = new(Load);
    private static readonly object Gate = new();
    private static bool registered;

    /// <summary>Registers the typeface with ScottPlot (once; thread-safe).</summary>
    public static void EnsureRegistered()
    {
        lock (Gate)
        {
            if (!registered)
            {
                ScottPlot.Fonts.FontResolvers.Insert(0, new Resolver());
                registered = true;
            }
        }
    }

    private static SKTypeface Load()
    {
        using var stream = typeof(PlotFont).Assembly.GetManifestResourceStream("CryoSharp.Reports.Fonts.DejaVuSans.ttf")
            ?? throw new InvalidOperationException("The plot font is missing from the library.");
        return SKTypeface.FromStream(stream) ?? throw new InvalidOperationException("The plot font could not be read.");
    }

    /// <summary>Hands out the bundled typeface for its family name and nothing else.</summary>
    private sealed class Resolver : ScottPlot.IFontResolver
    {
        public SKTypeface? CreateTypeface(string fontName, ScottPlot.FontWeight weight, ScottPlot.FontSlant slant, ScottPlot.FontSpacing spacing) =>
            fontName == Family ? Typeface.Value : null;

        public SKTypeface? CreateTypeface(string fontName, bool bold, bool italic) =>
            fontName == Family ? Typeface.Value : null;
    }
}
