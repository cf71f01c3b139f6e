using CryoSharp.Numerics;

namespace CryoSharp.Imaging;

/// <summary>
/// Sub-pixel translation as a phase ramp: translating an image by (dx, dy) pixels multiplies its spectrum by
/// e^{−2πi(kx·dx + ky·dy)/n}. Exact for band-limited images; periodic at the box edge.
/// </summary>
public static class FourierShift
{
    /// <summary>Translates the image whose half-complex spectrum (square box) this is by (dx, dy) pixels, in place.</summary>
    public static void Apply(Span<ComplexF> spectrum, int box, double dxPx, double dyPx)
    {
        if (dxPx == 0 && dyPx == 0)
        {
            return;
        }

        int hx = (box / 2) + 1;
        if (spectrum.Length < hx * box)
        {
            throw new ArgumentException($"Spectrum holds {spectrum.Length} values; box {box} needs {hx * box}.");
        }

        // e^{−2πi kx·dx/n} by recurrence along each row, re-seeded per row to keep rounding small.
        double ax = -2 * Math.PI * dxPx / box, ay = -2 * Math.PI * dyPx / box;
        var (sx, cx) = Math.SinCos(ax);
        for (int y = 0; y < box; y++)
        {
            var (sy, cy) = Math.SinCos(ay * FourierIndex.Frequency(y, box));
            double re = cy, im = sy;
            var row = spectrum.Slice(y * hx, hx);
            for (int x = 0; x < hx; x++)
            {
                var v = row[x];
                row[x] = new ComplexF((float)((v.Re * re) - (v.Im * im)), (float)((v.Re * im) + (v.Im * re)));
                double nr = (re * cx) - (im * sx);
                im = (re * sx) + (im * cx);
                re = nr;
            }
        }
    }

    /// <summary>Translates a real square image by (dx, dy) pixels (through its spectrum).</summary>
    public static void Apply(Image image, double dxPx, double dyPx)
    {
        ArgumentNullException.ThrowIfNull(image);
        var spectrum = image.ToFourier();
        Apply(spectrum.Data, image.Nx, dxPx, dyPx);
        Numerics.Fft.Fft.Inverse(spectrum.Data, image.Shape, image.Data);
    }
}
