using CryoSharp.Numerics;

namespace CryoSharp.ClassAveraging;

/// <summary>
/// The rotationally invariant distance between two images given by steerable coefficients (cₖ,l, rotation by α
/// multiplying cₖ by e^{−ikα}): d²(i, j) = min over α and reflection of ‖cᵢ − R_α Fcⱼ‖², F the identity or the
/// reflection (conjugation), with the optimal α. With Sₖ = Σₗ cᵢ,ₖ,ₗ conj(F cⱼ,ₖ,ₗ) the correlation is
/// g(α) = Re(S₀ + 2Σ_{k≥1} Sₖ e^{ikα}) and d² = ‖cᵢ‖² + ‖cⱼ‖² − 2 max g. g is evaluated on a grid of M ≥ 4(k_max + 1)
/// angles (a table of e^{ikα}; M·k_max multiply–adds, the cost of a small FFT without its call) and its maximum
/// refined by Newton steps on the trigonometric polynomial, so the angle is exact to rounding, not to the grid.
/// </summary>
public sealed class RotationalAlignment
{
    private readonly int[] frequencies;
    private readonly int maxFrequency;
    private readonly int grid;
    private readonly double[] cosTable;
    private readonly double[] sinTable;

    /// <summary>An aligner for coefficients of the given angular <paramref name="frequencies"/> (ordered by k).</summary>
    public RotationalAlignment(int[] frequencies)
    {
        ArgumentNullException.ThrowIfNull(frequencies);
        this.frequencies = frequencies;
        maxFrequency = frequencies.Length == 0 ? 0 : frequencies.Max();
        grid = 16;
        while (grid < 4 * (maxFrequency + 1))
        {
            grid *= 2;
        }

        cosTable = new double[grid * (maxFrequency + 1)];
        sinTable = new double[grid * (maxFrequency + 1)];
        for (int m = 0; m < grid; m++)
        {
            for (int k = 0; k <= maxFrequency; k++)
            {
                var (s, c) = Math.SinCos(2 * Math.PI * m * k / grid);
                cosTable[(m * (maxFrequency + 1)) + k] = c;
                sinTable[(m * (maxFrequency + 1)) + k] = s;
            }
        }
    }

    /// <summary>Angles on the search grid.</summary>
    public int GridSize => grid;

    /// <summary>‖c‖² with the steerable weights (1 at k = 0, 2 above): the image's squared norm.</summary>
    public double SquaredNorm(ReadOnlySpan<ComplexF> c)
    {
        double sum = 0;
        for (int o = 0; o < c.Length; o++)
        {
            sum += (frequencies[o] == 0 ? 1 : 2) * (double)c[o].MagnitudeSquared;
        }

        return sum;
    }

    /// <summary>
    /// The best alignment of image j onto image i: the rotation angle α (radians, in (−π, π]) and whether j is
    /// reflected first, so that cᵢ ≈ R_α F cⱼ, and the squared distance that leaves.
    /// </summary>
    public PairAlignment Align(ReadOnlySpan<ComplexF> ci, ReadOnlySpan<ComplexF> cj, double normI, double normJ, Span<double> scratch)
    {
        int kk = maxFrequency + 1;
        var plainRe = scratch[..kk];
        var plainIm = scratch.Slice(kk, kk);
        var mirrorRe = scratch.Slice(2 * kk, kk);
        var mirrorIm = scratch.Slice(3 * kk, kk);
        plainRe.Clear();
        plainIm.Clear();
        mirrorRe.Clear();
        mirrorIm.Clear();
        for (int o = 0; o < ci.Length; o++)
        {
            int k = frequencies[o];
            double ar = ci[o].Re, ai = ci[o].Im, br = cj[o].Re, bi = cj[o].Im;
            double w = k == 0 ? 1 : 2;

            // cᵢ·conj(cⱼ) and cᵢ·cⱼ
            plainRe[k] += w * ((ar * br) + (ai * bi));
            plainIm[k] += w * ((ai * br) - (ar * bi));
            mirrorRe[k] += w * ((ar * br) - (ai * bi));
            mirrorIm[k] += w * ((ai * br) + (ar * bi));
        }

        var (plainAngle, plainValue) = Maximise(plainRe, plainIm);
        var (mirrorAngle, mirrorValue) = Maximise(mirrorRe, mirrorIm);
        bool reflected = mirrorValue > plainValue;
        double best = reflected ? mirrorValue : plainValue;
        return new PairAlignment(Math.Max(normI + normJ - (2 * best), 0), reflected ? mirrorAngle : plainAngle, reflected);
    }

    /// <summary>Scratch doubles <see cref="Align"/> needs.</summary>
    public int ScratchLength => 4 * (maxFrequency + 1);

    /// <summary>The maximum of g(α) = Σₖ Re(Sₖ e^{ikα}) (weights already in S): grid, then Newton.</summary>
    public (double Angle, double Value) Maximise(ReadOnlySpan<double> re, ReadOnlySpan<double> im)
    {
        int kk = maxFrequency + 1, bestM = 0;
        double bestValue = double.NegativeInfinity;
        for (int m = 0; m < grid; m++)
        {
            var c = cosTable.AsSpan(m * kk, kk);
            var s = sinTable.AsSpan(m * kk, kk);
            double value = 0;
            for (int k = 0; k < kk; k++)
            {
                value += (re[k] * c[k]) - (im[k] * s[k]);
            }

            if (value > bestValue)
            {
                (bestValue, bestM) = (value, m);
            }
        }

        double alpha = 2 * Math.PI * bestM / grid, step = 2 * Math.PI / grid;
        for (int iteration = 0; iteration < 4; iteration++)
        {
            double d1 = 0, d2 = 0;
            for (int k = 1; k < kk; k++)
            {
                var (s, c) = Math.SinCos(k * alpha);
                double v = (re[k] * c) - (im[k] * s), dv = -(re[k] * s) - (im[k] * c);
                d1 += k * dv;
                d2 -= k * k * v;
            }

            if (!(d2 < 0))
            {
                break;
            }

            // Stay within the grid cell the maximum was found in.
            alpha -= Math.Clamp(d1 / d2, -step, step);
        }

        double value2 = 0;
        for (int k = 0; k < kk; k++)
        {
            var (s, c) = Math.SinCos(k * alpha);
            value2 += (re[k] * c) - (im[k] * s);
        }

        if (value2 < bestValue)
        {
            (alpha, value2) = (2 * Math.PI * bestM / grid, bestValue);
        }

        alpha = Math.IEEERemainder(alpha, 2 * Math.PI);
        return (alpha, value2);
    }
}

/// <summary>How image j aligns onto image i.</summary>
/// <param name="SquaredDistance">min ‖cᵢ − R_α F cⱼ‖², in squared pixel-value units summed over the disc.</param>
/// <param name="AngleRad">α, radians: j's content rotated by α (after the reflection, if any) matches i.</param>
/// <param name="Reflected">Whether j is reflected (y → −y) first.</param>
public readonly record struct PairAlignment(double SquaredDistance, double AngleRad, bool Reflected);
