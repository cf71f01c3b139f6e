using CryoSharp.ClassAveraging;
using CryoSharp.Numerics;

namespace CryoSharp.Detection;

/// <summary>
/// The autocorrelations a micrograph of well-separated copies of a 2D target x under uniformly random in-plane
/// rotations has without noise, in the layouts of <see cref="MicrographAutocorrelations"/>: with c = γ/L²,
/// a¹ = c·Σx, a²[ℓ] = c·E_θ Σᵢ x_θ[i]x_θ[i+ℓ] and a³[ℓ₁, ℓ₂] = c·E_θ Σᵢ x_θ[i]x_θ[i+ℓ₁]x_θ[i+ℓ₂], sums over the
/// L × L box. x lives in a Fourier–Bessel basis, so each pixel of x_θ is a trigonometric polynomial in θ of degree
/// at most k_max (the basis' highest angular frequency) and a product of three is one of degree 3k_max: the mean over
/// <see cref="Rotations"/> ≥ 3k_max + 1 equally spaced angles is the mean over uniform θ exactly, not a quadrature.
/// The parameters are the coefficients as reals (Re a₀,q; then Re and Im of aₖ,q for k &gt; 0). <see cref="Backpropagate"/>
/// is the adjoint of the derivative: the gradient of any function of the model from its gradient in the model.
/// Work per evaluation: about K·(Σ over lag pairs of the overlap) multiply–adds, ≈ 2·10⁵·K at L = 9.
/// </summary>
public sealed class RotationAveragedAutocorrelations
{
    private readonly double[][] synthesis; // per rotation: L² × P, the image x_θ = A_θ p
    private readonly int l;
    private readonly int pixels;
    private readonly ThirdOrderLags thirdLags;
    private readonly int n3;
    private readonly int span;
    private readonly ThreadLocal<double[][]> scratch;

    /// <summary>The model for targets in <paramref name="basis"/>.</summary>
    /// <param name="basis">The basis (its box is L).</param>
    /// <param name="rotations">Angles averaged over (default 3k_max + 1, the fewest that are exact).</param>
    public RotationAveragedAutocorrelations(FourierBesselBasis basis, int? rotations = null)
    {
        Basis = basis ?? throw new ArgumentNullException(nameof(basis));
        int exact = (3 * basis.MaxFrequency) + 1;
        Rotations = rotations ?? exact;
        if (Rotations < 1)
        {
            throw new InvalidParameterException("rotations", Rotations, "must be at least 1");
        }

        l = basis.Box;
        pixels = l * l;
        thirdLags = new ThirdOrderLags(l);
        n3 = thirdLags.Count;
        span = (2 * l) - 1;
        scratch = new ThreadLocal<double[][]>(() => [new double[pixels], new double[pixels], new double[pixels], new double[pixels], new double[span * span], new double[n3 * n3]]);
        Parameters = 0;
        for (int c = 0; c < basis.Count; c++)
        {
            Parameters += basis.Frequencies[c] == 0 ? 1 : 2;
        }

        synthesis = new double[Rotations][];
        var unit = new ComplexF[basis.Count];
        var image = new float[pixels];
        for (int k = 0; k < Rotations; k++)
        {
            var a = new double[pixels * Parameters];
            double angle = 2 * Math.PI * k / Rotations;
            for (int c = 0, j = 0; c < basis.Count; c++)
            {
                for (int part = 0; part < (basis.Frequencies[c] == 0 ? 1 : 2); part++, j++)
                {
                    Array.Clear(unit);
                    unit[c] = part == 0 ? new ComplexF(1, 0) : new ComplexF(0, 1);
                    basis.Rotate(unit, angle);
                    basis.Evaluate(unit, 1, image, ComputeContext.SingleThreaded);
                    for (int i = 0; i < pixels; i++)
                    {
                        a[(i * Parameters) + j] = image[i];
                    }
                }
            }

            synthesis[k] = a;
        }
    }

    /// <summary>The basis.</summary>
    public FourierBesselBasis Basis { get; }

    /// <summary>K, the equally spaced angles averaged over.</summary>
    public int Rotations { get; }

    /// <summary>Real parameters per target.</summary>
    public int Parameters { get; }

    /// <summary>The real parameters of <paramref name="coefficients"/>.</summary>
    public double[] Pack(ReadOnlySpan<ComplexF> coefficients)
    {
        var p = new double[Parameters];
        for (int c = 0, j = 0; c < Basis.Count; c++)
        {
            p[j++] = coefficients[c].Re;
            if (Basis.Frequencies[c] != 0)
            {
                p[j++] = coefficients[c].Im;
            }
        }

        return p;
    }

    /// <summary>The coefficients of the real parameters <paramref name="p"/>.</summary>
    public ComplexF[] Unpack(ReadOnlySpan<double> p)
    {
        var a = new ComplexF[Basis.Count];
        for (int c = 0, j = 0; c < Basis.Count; c++)
        {
            float re = (float)p[j++];
            a[c] = Basis.Frequencies[c] == 0 ? new ComplexF(re, 0) : new ComplexF(re, (float)p[j++]);
        }

        return a;
    }

    /// <summary>
    /// The noise-free model: returns a¹ and fills <paramref name="second"/> ((2L−1)²) and <paramref name="third"/> (n², the lags of <see cref="ThirdOrderLags"/>).
    /// </summary>
    public double Evaluate(ReadOnlySpan<double> p, double gamma, Span<double> second, Span<double> third)
    {
        CheckLengths(p, second, third);
        second.Clear();
        third.Clear();
        var buffers = scratch.Value!;
        double[] x = buffers[0], z = buffers[1];
        double first = 0;
        for (int k = 0; k < Rotations; k++)
        {
            Synthesize(k, p, x);
            for (int i = 0; i < pixels; i++)
            {
                first += x[i];
            }

            for (int dy = 0; dy < l; dy++)
            {
                for (int dx = dy == 0 ? 0 : -(l - 1); dx < l; dx++)
                {
                    second[SecondIndex(dy, dx)] += SecondTerm(x, dy, dx);
                }
            }

            for (int q1 = 0; q1 < n3; q1++)
            {
                int dy1 = thirdLags.Dy[q1], dx1 = thirdLags.Dx[q1];
                Pair(x, dy1, dx1, z);
                for (int q2 = q1; q2 < n3; q2++)
                {
                    if (!thirdLags.IsUsed(q1, q2))
                    {
                        continue;
                    }

                    int dy2 = thirdLags.Dy[q2], dx2 = thirdLags.Dx[q2];
                    var (rows, x0, x1) = Overlap(dy1, dx1, dy2, dx2);
                    double s = 0;
                    for (int iy = 0; iy < rows; iy++)
                    {
                        int zi = iy * l, xi = ((iy + dy2) * l) + dx2;
                        for (int ix = x0; ix < x1; ix++)
                        {
                            s += z[zi + ix] * x[xi + ix];
                        }
                    }

                    third[(q1 * n3) + q2] += s;
                }
            }
        }

        double scale = gamma / pixels / Rotations;
        ScaleAndMirror(second, third, scale);
        return first * scale;
    }

    /// <summary>
    /// Adds to <paramref name="gradient"/> Σ (∂F/∂model)·(∂model/∂p) at fixed γ, for a function F of the model whose
    /// derivatives are <paramref name="dFirst"/>, <paramref name="dSecond"/> and <paramref name="dThird"/> (every
    /// entry of the full arrays counted as its own variable, as a sum over the arrays treats them).
    /// </summary>
    public void Backpropagate(ReadOnlySpan<double> p, double gamma, double dFirst, ReadOnlySpan<double> dSecond, ReadOnlySpan<double> dThird, Span<double> gradient)
    {
        CheckLengths(p, dSecond, dThird);
        if (gradient.Length != Parameters)
        {
            throw new ArgumentException($"The gradient has {gradient.Length} entries, not {Parameters}.", nameof(gradient));
        }

        double scale = gamma / pixels / Rotations;

        // The model's entries are shared by symmetry: fold each pair into one weight.
        var buffers = scratch.Value!;
        double[] x = buffers[0], z = buffers[1], u = buffers[2], g = buffers[3], h2 = buffers[4], h3 = buffers[5];
        for (int i = 0; i < h2.Length; i++)
        {
            h2[i] = (dSecond[i] + dSecond[h2.Length - 1 - i]) * scale;
        }

        for (int q1 = 0; q1 < n3; q1++)
        {
            h3[(q1 * n3) + q1] = dThird[(q1 * n3) + q1] * scale;
            for (int q2 = q1 + 1; q2 < n3; q2++)
            {
                h3[(q1 * n3) + q2] = thirdLags.IsUsed(q1, q2) ? (dThird[(q1 * n3) + q2] + dThird[(q2 * n3) + q1]) * scale : 0;
            }
        }

        for (int k = 0; k < Rotations; k++)
        {
            Synthesize(k, p, x);
            for (int i = 0; i < pixels; i++)
            {
                g[i] = dFirst * scale;
            }

            // a²: ∂/∂x[j] of Σᵢ x[i]x[i+ℓ] is x[j+ℓ] + x[j−ℓ] (ℓ = 0 counted once: 2x[j]).
            for (int dy = 0; dy < l; dy++)
            {
                for (int dx = dy == 0 ? 0 : -(l - 1); dx < l; dx++)
                {
                    double h = h2[SecondIndex(dy, dx)] * (dy == 0 && dx == 0 ? 0.5 : 1);
                    int x0 = Math.Max(0, -dx), x1 = Math.Min(l, l - dx);
                    for (int iy = 0; iy + dy < l; iy++)
                    {
                        for (int ix = x0; ix < x1; ix++)
                        {
                            int i = (iy * l) + ix, j = ((iy + dy) * l) + ix + dx;
                            g[i] += h * x[j];
                            g[j] += h * x[i];
                        }
                    }
                }
            }

            // a³: for ℓ₁ fixed, z[i] = x[i]x[i+ℓ₁] and u[i] = Σ_{ℓ₂} h[ℓ₁, ℓ₂] x[i+ℓ₂]; then
            // g[i] += u[i]x[i+ℓ₁], g[i+ℓ₁] += u[i]x[i] and g[i+ℓ₂] += h z[i].
            for (int q1 = 0; q1 < n3; q1++)
            {
                int dy1 = thirdLags.Dy[q1], dx1 = thirdLags.Dx[q1];
                Pair(x, dy1, dx1, z);
                Array.Clear(u);
                for (int q2 = q1; q2 < n3; q2++)
                {
                    double h = h3[(q1 * n3) + q2];
                    if (h == 0)
                    {
                        continue;
                    }

                    int dy2 = thirdLags.Dy[q2], dx2 = thirdLags.Dx[q2];
                    var (rows, x0, x1) = Overlap(dy1, dx1, dy2, dx2);
                    for (int iy = 0; iy < rows; iy++)
                    {
                        int zi = iy * l, xi = ((iy + dy2) * l) + dx2;
                        for (int ix = x0; ix < x1; ix++)
                        {
                            u[zi + ix] += h * x[xi + ix];
                            g[xi + ix] += h * z[zi + ix];
                        }
                    }
                }

                for (int iy = 0; iy + dy1 < l; iy++)
                {
                    for (int ix = Math.Max(0, -dx1); ix < l - Math.Max(0, dx1); ix++)
                    {
                        int i = (iy * l) + ix, j = ((iy + dy1) * l) + ix + dx1;
                        g[i] += u[i] * x[j];
                        g[j] += u[i] * x[i];
                    }
                }
            }

            // Through x_θ = A_θ p.
            var a = synthesis[k];
            for (int i = 0; i < pixels; i++)
            {
                double gi = g[i];
                if (gi == 0)
                {
                    continue;
                }

                var row = a.AsSpan(i * Parameters, Parameters);
                for (int j = 0; j < Parameters; j++)
                {
                    gradient[j] += gi * row[j];
                }
            }
        }
    }

    /// <summary>
    /// The derivatives of the model in <paramref name="p"/> at fixed γ: fills <paramref name="first"/>[j],
    /// <paramref name="second"/>[j·(2L−1)² + i] and <paramref name="third"/>[j·n² + i] (full arrays, symmetric entries
    /// both filled). Forward mode, one direction per parameter: about 2P times the work of <see cref="Evaluate"/>.
    /// </summary>
    public void Jacobian(ReadOnlySpan<double> p, double gamma, Span<double> first, Span<double> second, Span<double> third)
    {
        int count = Parameters, s2 = span * span, s3 = n3 * n3;
        if (p.Length != count || first.Length != count || second.Length != count * s2 || third.Length != count * s3)
        {
            throw new ArgumentException($"Expected {count} parameters and Jacobians of {count} × (1, {s2}, {s3}) entries.");
        }

        first.Clear();
        second.Clear();
        third.Clear();
        var buffers = scratch.Value!;
        double[] x = buffers[0], z = buffers[1], dx = buffers[2], dz = buffers[3];
        for (int k = 0; k < Rotations; k++)
        {
            Synthesize(k, p, x);
            var a = synthesis[k];
            for (int j = 0; j < count; j++)
            {
                for (int i = 0; i < pixels; i++)
                {
                    dx[i] = a[(i * count) + j];
                    first[j] += dx[i];
                }

                var d2 = second.Slice(j * s2, s2);
                for (int dy = 0; dy < l; dy++)
                {
                    for (int ddx = dy == 0 ? 0 : -(l - 1); ddx < l; ddx++)
                    {
                        d2[SecondIndex(dy, ddx)] += SecondTerm(dx, x, dy, ddx) + SecondTerm(x, dx, dy, ddx);
                    }
                }

                var d3 = third.Slice(j * s3, s3);
                for (int q1 = 0; q1 < n3; q1++)
                {
                    int dy1 = thirdLags.Dy[q1], dx1 = thirdLags.Dx[q1];
                    Array.Clear(z);
                    Array.Clear(dz);
                    for (int iy = 0; iy + dy1 < l; iy++)
                    {
                        for (int ix = Math.Max(0, -dx1); ix < l - Math.Max(0, dx1); ix++)
                        {
                            int i = (iy * l) + ix, t = ((iy + dy1) * l) + ix + dx1;
                            z[i] = x[i] * x[t];
                            dz[i] = (dx[i] * x[t]) + (x[i] * dx[t]);
                        }
                    }

                    for (int q2 = q1; q2 < n3; q2++)
                    {
                        if (!thirdLags.IsUsed(q1, q2))
                        {
                            continue;
                        }

                        int dy2 = thirdLags.Dy[q2], dx2 = thirdLags.Dx[q2];
                        var (rows, x0, x1) = Overlap(dy1, dx1, dy2, dx2);
                        double v = 0;
                        for (int iy = 0; iy < rows; iy++)
                        {
                            int zi = iy * l, xi = ((iy + dy2) * l) + dx2;
                            for (int ix = x0; ix < x1; ix++)
                            {
                                v += (dz[zi + ix] * x[xi + ix]) + (z[zi + ix] * dx[xi + ix]);
                            }
                        }

                        d3[(q1 * n3) + q2] += v;
                    }
                }
            }
        }

        double scale = gamma / pixels / Rotations;
        for (int j = 0; j < count; j++)
        {
            first[j] *= scale;
            ScaleAndMirror(second.Slice(j * s2, s2), third.Slice(j * s3, s3), scale);
        }
    }

    /// <summary>
    /// Scales the computed half of each array (a²: dy ≥ 0, dx ≥ 0 at dy = 0; a³: q₂ ≥ q₁) by <paramref name="scale"/>
    /// and copies it onto the other half by symmetry.
    /// </summary>
    private void ScaleAndMirror(Span<double> second, Span<double> third, double scale)
    {
        for (int dy = 0; dy < l; dy++)
        {
            for (int dx = dy == 0 ? 0 : -(l - 1); dx < l; dx++)
            {
                double v = second[SecondIndex(dy, dx)] * scale;
                second[SecondIndex(dy, dx)] = v;
                second[SecondIndex(-dy, -dx)] = v;
            }
        }

        for (int q1 = 0; q1 < n3; q1++)
        {
            for (int q2 = q1; q2 < n3; q2++)
            {
                double v = third[(q1 * n3) + q2] * scale;
                third[(q1 * n3) + q2] = v;
                third[(q2 * n3) + q1] = v;
            }
        }
    }

    /// <summary>Rows and the column range [x0, x1) of the pixels i with i, i + ℓ₁ and i + ℓ₂ all in the box.</summary>
    private (int Rows, int X0, int X1) Overlap(int dy1, int dx1, int dy2, int dx2) =>
        (l - Math.Max(dy1, dy2), Math.Max(0, -Math.Min(dx1, dx2)), l - Math.Max(0, Math.Max(dx1, dx2)));

    private int SecondIndex(int dy, int dx) => ((dy + l - 1) * span) + dx + l - 1;

    private void Synthesize(int k, ReadOnlySpan<double> p, double[] x)
    {
        var a = synthesis[k];
        for (int i = 0; i < pixels; i++)
        {
            var row = a.AsSpan(i * Parameters, Parameters);
            double s = 0;
            for (int j = 0; j < Parameters; j++)
            {
                s += row[j] * p[j];
            }

            x[i] = s;
        }
    }

    private double SecondTerm(double[] x, int dy, int dx) => SecondTerm(x, x, dy, dx);

    /// <summary>Σᵢ u[i]·v[i+ℓ] over the box.</summary>
    private double SecondTerm(double[] u, double[] x, int dy, int dx)
    {
        int x0 = Math.Max(0, -dx), x1 = Math.Min(l, l - dx);
        double s = 0;
        for (int iy = 0; iy + dy < l; iy++)
        {
            for (int ix = x0; ix < x1; ix++)
            {
                s += u[(iy * l) + ix] * x[((iy + dy) * l) + ix + dx];
            }
        }

        return s;
    }

    /// <summary>z[i] = x[i]·x[i+ℓ₁] where i + ℓ₁ lies in the box, else 0.</summary>
    private void Pair(double[] x, int dy1, int dx1, double[] z)
    {
        Array.Clear(z);
        for (int iy = 0; iy + dy1 < l; iy++)
        {
            for (int ix = Math.Max(0, -dx1); ix < l - Math.Max(0, dx1); ix++)
            {
                z[(iy * l) + ix] = x[(iy * l) + ix] * x[((iy + dy1) * l) + ix + dx1];
            }
        }
    }

    private void CheckLengths(ReadOnlySpan<double> p, ReadOnlySpan<double> second, ReadOnlySpan<double> third)
    {
        if (p.Length != Parameters || second.Length != span * span || third.Length != n3 * n3)
        {
            throw new ArgumentException($"Expected {Parameters} parameters, {span * span} second-order and {n3 * n3} third-order entries.");
        }
    }
}
