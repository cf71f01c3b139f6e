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
            Title = "Fourier shell correlation",
            XLabel = "spatial frequency (1/Å)",
            YLabel = "FSC",
            YRange = (-0.1, 1.05),
        };
        plot.Add(name, [.. Enumerable.Range(0, curve.Values.Length).Select(curve.Frequency)], curve.Values);
        plot.AddReferenceLine(0.143, "FSC = 0.143").AddReferenceLine(0.5, "FSC = 0.5");
        return plot;
    }
}
