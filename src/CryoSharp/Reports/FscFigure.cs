using CryoSharp.Reconstruction;

namespace CryoSharp.Reports;

/// <summary>The figure of a Fourier shell correlation: FSC against spatial frequency (1/Å), with the 0.143 and 0.5 lines.</summary>
public static class FscFigure
{
    /// <summary>An FSC plot of <paramref name="curve"/> named <paramref name="name"/>; further curves may be added.</summary>
    public static LinePlot Create(FscCurve curve, string name)
    {
        ArgumentNullException.ThrowIfNull(curve);
        var plot = new LinePlot
        {
            Title = $"Fourier shell correlation: {curve.DescribeResolution(0.143)} at 0.143, {curve.DescribeResolution(0.5)} at 0.5",
            XLabel = "spatial frequency (1/Å); resolution = 1/frequency",
            YLabel = "FSC",
            YRange = (-0.1, 1.05),
            XTickLabels = ResolutionLabel,
        };
        plot.Add(name, [.. Enumerable.Range(0, curve.Values.Length).Select(curve.Frequency)], curve.Values);
        plot.AddReferenceLine(0.143, "FSC = 0.143").AddReferenceLine(0.5, "FSC = 0.5");
        if (curve.Crosses(0.143))
        {
            plot.AddVerticalLine(1 / curve.Resolution(0.143), $"{curve.DescribeResolution(0.143)} at 0.143");
        }

        return plot;
    }

    /// <summary>
    /// The FSC figure of a masked FSC as RELION's postprocessing shows it: the unmasked, masked, phase-randomised
    /// and corrected curves.
    /// </summary>
    public static LinePlot Create(MaskedFsc masked)
    {
        ArgumentNullException.ThrowIfNull(masked);
        var plot = Create(masked.Corrected, "corrected (masked, phase randomisation subtracted)");
        double[] f = [.. Enumerable.Range(0, masked.Unmasked.Values.Length).Select(masked.Unmasked.Frequency)];
        return plot.Add("unmasked", f, masked.Unmasked.Values)
            .Add("masked", f, masked.Masked.Values)
            .Add($"phase-randomised beyond shell {masked.RandomizedFromShell}", f, masked.PhaseRandomized.Values);
    }

    /// <summary>A frequency tick labelled with its resolution as well: "0.1 (10 Å)".</summary>
    private static string ResolutionLabel(double frequency) => frequency > 0
        ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{LinePlot.FormatTick(frequency)}\n{1 / frequency:0.#} Å")
        : "0";
}
