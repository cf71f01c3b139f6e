using CryoSharp.Imaging;
using CryoSharp.Numerics;
using CryoSharp.Numerics.Fft;
using CryoSharp.Projection;

namespace CryoSharp.Classification;

/// <summary>
/// The spectrum of a 2D reference, zero-padded twice and pre-corrected for linear interpolation (RELION's 2D
/// <c>Projector</c>), read at rotated frequencies: the spectrum of the image rotated in-plane by ψ (the sense of
/// <see cref="InPlaneRotation"/>: the reference at (rot, tilt, 0) rotated by ψ is the projection at ψ) is
/// F(R(ψ)ᵀk), read by bilinear interpolation, with Friedel symmetry for the unstored half.
/// </summary>
public sealed class PaddedImageSpectrum
{
    /// <summary>Padding factor (RELION's <c>--pad 2</c>).</summary>
    public const int Padding = 2;

    private readonly ComplexF[] spectrum;
    private readonly int padded;
    private readonly int half;

    /// <summary>The padded spectrum of a square <paramref name="image"/> (Box² samples, centre at Box/2).</summary>
    public PaddedImageSpectrum(ReadOnlySpan<float> image, int box, ComputeContext? context = null)
    {
        if (image.Length != box * box)
        {
            throw new ArgumentException($"A {box}² image has {box * box} pixels, not {image.Length}.", nameof(image));
        }

        Box = box;
        padded = Padding * box;
        half = (padded / 2) + 1;
        var shape = GridShape.Square(padded);
        var grid = new float[shape.Length];
        var factor = GriddingCorrection.FactorByRadiusSquared(box, padded);
        int c = box / 2, pc = padded / 2;
        for (int y = 0; y < box; y++)
        {
            int dy = y - c;
            for (int x = 0; x < box; x++)
            {
                int dx = x - c;
                grid[((pc + dy) * padded) + pc + dx] = image[(y * box) + x] * factor[(dx * dx) + (dy * dy)];
            }
        }

        spectrum = new ComplexF[shape.HalfComplexLength];
        Fft.Forward(grid, shape, spectrum, context: context);
    }

    /// <summary>Box of the reference, in pixels.</summary>
    public int Box { get; }

    /// <summary>The padded half-complex spectrum (2·Box rows of Box + 1 values).</summary>
    internal ReadOnlySpan<ComplexF> PaddedSpectrum => spectrum;

    /// <summary>
    /// Writes the spectrum of the reference rotated by <paramref name="psiRad"/> at the frequencies of
    /// <paramref name="pixels"/>, packed and interleaved (re, im), in the units of the unpadded image's spectrum.
    /// </summary>
    public void SampleRotated(double psiRad, FourierPixelSet pixels, Span<float> packed)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        var (s, c) = Math.SinCos(psiRad);
        var kx = pixels.Kx;
        var ky = pixels.Ky;
        for (int i = 0; i < pixels.Count; i++)
        {
            // R(ψ)ᵀk, in padded frequency units.
            double qx = Padding * ((c * kx[i]) - (s * ky[i]));
            double qy = Padding * ((s * kx[i]) + (c * ky[i]));
            var v = Interpolate(qx, qy);
            packed[2 * i] = v.Re;
            packed[(2 * i) + 1] = v.Im;
        }
    }

    private ComplexF Interpolate(double qx, double qy)
    {
        bool conjugate = qx < 0;
        if (conjugate)
        {
            qx = -qx;
            qy = -qy;
        }

        int x0 = (int)Math.Floor(qx), y0 = (int)Math.Floor(qy);
        double fx = qx - x0, fy = qy - y0;
        double re = 0, im = 0;
        for (int j = 0; j < 2; j++)
        {
            double wy = j == 0 ? 1 - fy : fy;
            for (int i = 0; i < 2; i++)
            {
                double w = (i == 0 ? 1 - fx : fx) * wy;
                if (w == 0)
                {
                    continue;
                }

                var v = At(x0 + i, y0 + j);
                re += w * v.Re;
                im += w * v.Im;
            }
        }

        return new ComplexF((float)re, (float)(conjugate ? -im : im));
    }

    /// <summary>The padded spectrum at signed frequency (x ≥ 0, y); zero outside the padded Nyquist range.</summary>
    private ComplexF At(int x, int y)
    {
        if (x >= half || y >= padded / 2 || y < -(padded / 2))
        {
            return default;
        }

        return spectrum[(FourierIndex.IndexOf(y, padded) * half) + x];
    }
}
