namespace CryoSharp.Numerics;

/// <summary>How alike two images (or maps) are: correlation, best scale and relative difference, in double.</summary>
/// <param name="Correlation">Pearson correlation coefficient.</param>
/// <param name="Scale">The s minimising ‖s·a − b‖: b ≈ s·a.</param>
/// <param name="RelativeRmsDifference">‖s·a − b‖ / ‖b‖ with the best s.</param>
public readonly record struct ImageComparison(double Correlation, double Scale, double RelativeRmsDifference)
{
    /// <summary>Compares <paramref name="a"/> with <paramref name="b"/> (equal lengths).</summary>
    public static ImageComparison Of(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length || a.IsEmpty)
        {
            throw new ArgumentException($"Cannot compare {a.Length} samples with {b.Length}.");
        }

        double ma = 0, mb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            ma += a[i];
            mb += b[i];
        }

        ma /= a.Length;
        mb /= b.Length;
        double sab = 0, saa = 0, sbb = 0, ab = 0, aa = 0, bb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double da = a[i] - ma, db = b[i] - mb;
            sab += da * db;
            saa += da * da;
            sbb += db * db;
            ab += (double)a[i] * b[i];
            aa += (double)a[i] * a[i];
            bb += (double)b[i] * b[i];
        }

        double correlation = saa > 0 && sbb > 0 ? sab / Math.Sqrt(saa * sbb) : double.NaN;
        double scale = aa > 0 ? ab / aa : double.NaN;
        double residual = Math.Max(0, bb - (2 * scale * ab) + (scale * scale * aa));
        return new ImageComparison(correlation, scale, bb > 0 ? Math.Sqrt(residual / bb) : double.NaN);
    }
}
