namespace CryoSharp.Classification;

/// <summary>
/// Translations searched about each particle's previous offset (RELION's <c>--offset_range</c>,
/// <c>--offset_step</c>): coarse offsets (a, b)·step with |(a, b)·step| ≤ range, and at oversampling order q each
/// coarse offset's 4^q children at the centres of its (2^q)² equal sub-squares. In pixels.
/// </summary>
public sealed class TranslationSampling
{
    private readonly (double X, double Y)[] coarse;
    private readonly (double X, double Y)[] fine;

    /// <summary>A sampling of offsets within <paramref name="rangePx"/> in steps of <paramref name="stepPx"/>.</summary>
    public TranslationSampling(double rangePx, double stepPx, int oversampling)
    {
        if (!(rangePx >= 0))
        {
            throw new InvalidParameterException("--offset-range", rangePx, "must be zero or positive (pixels)");
        }

        if (!(stepPx > 0))
        {
            throw new InvalidParameterException("--offset-step", stepPx, "must be positive (pixels)");
        }

        RangePx = rangePx;
        StepPx = stepPx;
        Oversampling = oversampling;
        int n = (int)Math.Floor((rangePx / stepPx) + 1e-9);
        var list = new List<(double, double)>();
        for (int b = -n; b <= n; b++)
        {
            for (int a = -n; a <= n; a++)
            {
                double x = a * stepPx, y = b * stepPx;
                if ((x * x) + (y * y) <= (rangePx * rangePx) + 1e-9)
                {
                    list.Add((x, y));
                }
            }
        }

        coarse = [.. list];
        int side = 1 << oversampling;
        ChildrenPerCoarse = side * side;
        fine = new (double, double)[coarse.Length * ChildrenPerCoarse];
        double sub = stepPx / side;
        for (int t = 0; t < coarse.Length; t++)
        {
            for (int j = 0; j < side; j++)
            {
                for (int i = 0; i < side; i++)
                {
                    fine[(t * ChildrenPerCoarse) + (j * side) + i] = oversampling == 0
                        ? coarse[t]
                        : (coarse[t].X - (stepPx / 2) + ((i + 0.5) * sub), coarse[t].Y - (stepPx / 2) + ((j + 0.5) * sub));
                }
            }
        }
    }

    /// <summary>Search range, in pixels.</summary>
    public double RangePx { get; }

    /// <summary>Coarse step, in pixels.</summary>
    public double StepPx { get; }

    /// <summary>Adaptive oversampling order.</summary>
    public int Oversampling { get; }

    /// <summary>Fine offsets per coarse offset.</summary>
    public int ChildrenPerCoarse { get; }

    /// <summary>The fine step, in pixels.</summary>
    public double FineStepPx => StepPx / (1 << Oversampling);

    /// <summary>Coarse offsets (x, y) in pixels.</summary>
    public ReadOnlySpan<(double X, double Y)> Coarse => coarse;

    /// <summary>Fine offsets: those of coarse offset t are [t·children, (t + 1)·children).</summary>
    public ReadOnlySpan<(double X, double Y)> Fine => fine;
}
