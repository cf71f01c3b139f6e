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
    }

    /// <summary>Angles on the search grid.</summary>
    public int GridSize => grid;

    /// <summary>‖c‖² with the steerable weights (1 at k = 0, 2 above): the image's squared norm.</summary>
    public double SquaredNorm(ReadOnlySpan<ComplexF> c)
    {
        double sum = 0;
        for (int o = 0; o < c.Length; o++)
        {
            // In double: the distance is a difference of these norms and the correlation, and must not inherit float rounding.
            double re = c[o].Re, im = c[o].Im;
            sum += (frequencies[o] == 0 ? 1 : 2) * ((re * re) + (im * im));
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
        Correlate(ci, cj, plainRe, plainIm, mirrorRe, mirrorIm);
        var (plainAngle, plainValue) = Maximum(plainRe, plainIm, grid);
        var (mirrorAngle, mirrorValue) = Maximum(mirrorRe, mirrorIm, grid);
        bool reflected = mirrorValue > plainValue;
        double best = reflected ? mirrorValue : plainValue;
        return new PairAlignment(Math.Max(normI + normJ - (2 * best), 0), reflected ? mirrorAngle : plainAngle, reflected);
    }

    /// <summary>
    /// The best in-plane rotation of image j onto image i without reflection (a mirrored projection is another view,
    /// not the same one): the angle and the squared distance it leaves.
    /// </summary>
    public PairAlignment AlignRotationOnly(ReadOnlySpan<ComplexF> ci, ReadOnlySpan<ComplexF> cj, double normI, double normJ, Span<double> scratch)
    {
        int kk = maxFrequency + 1;
        var plainRe = scratch[..kk];
        var plainIm = scratch.Slice(kk, kk);
        Correlate(ci, cj, plainRe, plainIm, scratch.Slice(2 * kk, kk), scratch.Slice(3 * kk, kk));
        var (angle, value) = Maximum(plainRe, plainIm, grid);
        return new PairAlignment(Math.Max(normI + normJ - (2 * value), 0), angle, false);
    }

    /// <summary>Scratch doubles <see cref="Align"/> needs.</summary>
    public int ScratchLength => 4 * (maxFrequency + 1);

    /// <summary>
    /// The maximum of g(α) = Σₖ (re[k] cos kα − im[k] sin kα) over α: the best of <paramref name="gridSize"/> equally
    /// spaced angles, then Newton steps within its cell. Returns α in (−π, π] and g(α).
    /// </summary>
    internal static (double Angle, double Value) Maximum(ReadOnlySpan<double> re, ReadOnlySpan<double> im, int gridSize)
    {
        int best = 0;
        double bestValue = double.NegativeInfinity;
        for (int m = 0; m < gridSize; m++)
        {
            double value = Evaluate(re, im, 2 * Math.PI * m / gridSize).Value;
            if (value > bestValue)
            {
                (bestValue, best) = (value, m);
            }
        }

        return Refine(re, im, best, gridSize, bestValue);
    }

    /// <summary>
    /// The best alignments of images <paramref name="others"/> onto image <paramref name="i"/> (all coefficients in
    /// <paramref name="coefficients"/>, <paramref name="length"/> per image): the correlations of every pair, plain and
    /// mirrored, go through one batched real FFT of length M for their values on the grid, then Newton steps.
    /// </summary>
    public void AlignMany(ReadOnlySpan<ComplexF> coefficients, int length, int i, ReadOnlySpan<int> others, ReadOnlySpan<double> norms,
        Span<PairAlignment> results, AlignmentWorkspace workspace)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        int kk = maxFrequency + 1, half = (grid / 2) + 1, count = others.Length;
        workspace.Ensure(count, kk, half, grid);
        var ci = coefficients.Slice(i * length, length);
        var sums = workspace.Sums;
        var spectra = workspace.Spectra;
        for (int p = 0; p < count; p++)
        {
            var cj = coefficients.Slice(others[p] * length, length);
            var plainRe = sums.AsSpan(4 * p * kk, kk);
            var plainIm = sums.AsSpan(((4 * p) + 1) * kk, kk);
            var mirrorRe = sums.AsSpan(((4 * p) + 2) * kk, kk);
            var mirrorIm = sums.AsSpan(((4 * p) + 3) * kk, kk);
            Correlate(ci, cj, plainRe, plainIm, mirrorRe, mirrorIm);

            // The unscaled inverse real FFT gives X₀ + 2 Re Σ Xₖ e^{2πikm/M}: S₀ and Sₖ/2 make it g on the grid.
            var plain = spectra.AsSpan(2 * p * half, half);
            var mirror = spectra.AsSpan(((2 * p) + 1) * half, half);
            plain.Clear();
            mirror.Clear();
            for (int k = 0; k < kk; k++)
            {
                float w = k == 0 ? 1 : 0.5f;
                plain[k] = new ComplexF(w * (float)plainRe[k], w * (float)plainIm[k]);
                mirror[k] = new ComplexF(w * (float)mirrorRe[k], w * (float)mirrorIm[k]);
            }
        }

        Numerics.Fft.Fft.InverseMany(spectra.AsSpan(0, 2 * count * half), new GridShape(grid), 2 * count, workspace.Values.AsSpan(0, 2 * count * grid),
            Numerics.Fft.FftOrigin.Corner, Numerics.Fft.FftScaling.None, ComputeContext.SingleThreaded);
        for (int p = 0; p < count; p++)
        {
            PairAlignment best = default;
            for (int mirrored = 0; mirrored < 2; mirrored++)
            {
                var values = workspace.Values.AsSpan(((2 * p) + mirrored) * grid, grid);
                int at = System.Numerics.Tensors.TensorPrimitives.IndexOfMax(values);
                var re = sums.AsSpan(((4 * p) + (2 * mirrored)) * kk, kk);
                var im = sums.AsSpan(((4 * p) + (2 * mirrored) + 1) * kk, kk);
                var (angle, value) = Refine(re, im, at, grid, Evaluate(re, im, 2 * Math.PI * at / grid).Value);
                var candidate = new PairAlignment(Math.Max(norms[i] + norms[others[p]] - (2 * value), 0), angle, mirrored == 1);
                if (mirrored == 0 || candidate.SquaredDistance < best.SquaredDistance)
                {
                    best = candidate;
                }
            }

            results[p] = best;
        }
    }

    private void Correlate(ReadOnlySpan<ComplexF> ci, ReadOnlySpan<ComplexF> cj, Span<double> plainRe, Span<double> plainIm, Span<double> mirrorRe, Span<double> mirrorIm)
    {
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
    }

    /// <summary>g(α) = Σₖ (re[k] cos kα − im[k] sin kα) and its first two derivatives, by the recurrence e^{ikα} = e^{iα}·e^{i(k−1)α}.</summary>
    private static (double Value, double First, double Second) Evaluate(ReadOnlySpan<double> re, ReadOnlySpan<double> im, double alpha)
    {
        var (s1, c1) = Math.SinCos(alpha);
        double c = 1, s = 0, value = re[0], first = 0, second = 0;
        for (int k = 1; k < re.Length; k++)
        {
            (c, s) = ((c * c1) - (s * s1), (s * c1) + (c * s1));
            double v = (re[k] * c) - (im[k] * s), dv = -(re[k] * s) - (im[k] * c);
            value += v;
            first += k * dv;
            second -= k * k * v;
        }

        return (value, first, second);
    }

    /// <summary>Newton steps from point <paramref name="at"/> of a grid of <paramref name="grid"/> angles (value <paramref name="gridValue"/>), kept within its cell; never worse than the grid.</summary>
    private static (double Angle, double Value) Refine(ReadOnlySpan<double> re, ReadOnlySpan<double> im, int at, int grid, double gridValue)
    {
        double start = 2 * Math.PI * at / grid, step = 2 * Math.PI / grid, alpha = start;
        for (int iteration = 0; iteration < 10; iteration++)
        {
            var (_, d1, d2) = Evaluate(re, im, alpha);
            if (!(d2 < 0))
            {
                break;
            }

            double next = Math.Clamp(alpha - (d1 / d2), start - step, start + step);
            bool settled = Math.Abs(next - alpha) < 1e-13;
            alpha = next;
            if (settled)
            {
                break;
            }
        }

        double value = Evaluate(re, im, alpha).Value;
        if (value < gridValue)
        {
            (alpha, value) = (start, gridValue);
        }

        return (Math.IEEERemainder(alpha, 2 * Math.PI), value);
    }
}

/// <summary>Buffers of <see cref="RotationalAlignment.AlignMany"/> for one thread, grown as needed.</summary>
public sealed class AlignmentWorkspace
{
    internal double[] Sums { get; private set; } = [];

    internal ComplexF[] Spectra { get; private set; } = [];

    internal float[] Values { get; private set; } = [];

    internal void Ensure(int pairs, int frequencies, int half, int grid)
    {
        if (Sums.Length < 4 * pairs * frequencies)
        {
            Sums = new double[4 * pairs * frequencies];
        }

        if (Spectra.Length < 2 * pairs * half)
        {
            Spectra = new ComplexF[2 * pairs * half];
        }

        if (Values.Length < 2 * pairs * grid)
        {
            Values = new float[2 * pairs * grid];
        }
    }
}

/// <summary>How image j aligns onto image i.</summary>
/// <param name="SquaredDistance">min ‖cᵢ − R_α F cⱼ‖², in squared pixel-value units summed over the disc.</param>
/// <param name="AngleRad">α, radians: j's content rotated by α (after the reflection, if any) matches i.</param>
/// <param name="Reflected">Whether j is reflected (y → −y) first.</param>
public readonly record struct PairAlignment(double SquaredDistance, double AngleRad, bool Reflected);
