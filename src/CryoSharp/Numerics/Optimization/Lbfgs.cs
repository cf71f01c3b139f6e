namespace CryoSharp.Numerics.Optimization;

/// <summary>An objective f: ℝⁿ → ℝ that also writes its gradient; returns f(x).</summary>
public delegate double Objective(ReadOnlySpan<double> x, Span<double> gradient);

/// <summary>
/// Limited-memory BFGS (Nocedal and Wright, Numerical Optimization, algorithm 7.5) with a line search that
/// satisfies the strong Wolfe conditions (bracketing and cubic zoom, algorithms 3.5–3.6). Stops when the gradient's
/// largest entry falls below <see cref="LbfgsOptions.GradientTolerance"/> (relative to max(1, |f|)), when f stops
/// decreasing by more than <see cref="LbfgsOptions.FunctionTolerance"/> relative, or after the iteration limit.
/// </summary>
public static class Lbfgs
{
    /// <summary>Minimises <paramref name="objective"/> from <paramref name="start"/>.</summary>
    public static LbfgsResult Minimize(Objective objective, ReadOnlySpan<double> start, LbfgsOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(objective);
        var o = options ?? new LbfgsOptions();
        int n = start.Length, m = o.Memory;
        var x = start.ToArray();
        var g = new double[n];
        double f = objective(x, g);
        int evaluations = 1;
        CheckFinite(f, "at the start");

        var s = new double[m][];
        var y = new double[m][];
        var rho = new double[m];
        var alpha = new double[m];
        for (int i = 0; i < m; i++)
        {
            s[i] = new double[n];
            y[i] = new double[n];
        }

        var d = new double[n];
        var xNew = new double[n];
        var gNew = new double[n];
        int stored = 0, head = 0, iteration = 0;
        string reason = "iteration limit";
        for (; iteration < o.MaxIterations; iteration++)
        {
            if (MaxAbs(g) <= o.GradientTolerance * Math.Max(1, Math.Abs(f)))
            {
                reason = "gradient tolerance";
                break;
            }

            // Two-loop recursion: d = −H·g.
            g.CopyTo(d, 0);
            for (int k = 0; k < stored; k++)
            {
                int i = (head - 1 - k + m) % m;
                alpha[i] = rho[i] * Dot(s[i], d);
                Axpy(-alpha[i], y[i], d);
            }

            double gamma = stored > 0 ? Dot(s[(head - 1 + m) % m], y[(head - 1 + m) % m]) / Dot(y[(head - 1 + m) % m], y[(head - 1 + m) % m]) : 1 / Math.Max(1, Norm(g));
            Scale(d, gamma);
            for (int k = stored - 1; k >= 0; k--)
            {
                int i = (head - 1 - k + m) % m;
                double beta = rho[i] * Dot(y[i], d);
                Axpy(alpha[i] - beta, s[i], d);
            }

            Scale(d, -1);
            double slope = Dot(g, d);
            if (slope >= 0)
            {
                // Not a descent direction (curvature information went stale): restart from steepest descent.
                stored = 0;
                g.CopyTo(d, 0);
                Scale(d, -1 / Math.Max(1, Norm(g)));
                slope = Dot(g, d);
            }

            var (step, fNew, count) = LineSearch(objective, x, f, g, d, slope, xNew, gNew);
            evaluations += count;
            if (step == 0)
            {
                reason = "line search made no progress";
                break;
            }

            var sNext = s[head];
            var yNext = y[head];
            for (int i = 0; i < n; i++)
            {
                sNext[i] = xNew[i] - x[i];
                yNext[i] = gNew[i] - g[i];
            }

            double sy = Dot(sNext, yNext);
            if (sy > 1e-12 * Norm(sNext) * Norm(yNext))
            {
                rho[head] = 1 / sy;
                head = (head + 1) % m;
                stored = Math.Min(stored + 1, m);
            }

            double decrease = f - fNew;
            xNew.CopyTo(x, 0);
            gNew.CopyTo(g, 0);
            f = fNew;
            if (decrease <= o.FunctionTolerance * Math.Max(1, Math.Abs(f)))
            {
                reason = "function tolerance";
                iteration++;
                break;
            }
        }

        return new LbfgsResult(x, f, iteration, evaluations, reason);
    }

    private static (double Step, double Value, int Evaluations) LineSearch(Objective objective, double[] x, double f0, double[] g0,
        double[] d, double slope0, double[] xNew, double[] gNew)
    {
        const double c1 = 1e-4, c2 = 0.9;
        int evaluations = 0;
        double Evaluate(double t)
        {
            for (int i = 0; i < x.Length; i++)
            {
                xNew[i] = x[i] + (t * d[i]);
            }

            evaluations++;
            double value = objective(xNew, gNew);
            return double.IsFinite(value) ? value : double.PositiveInfinity;
        }

        double previousStep = 0, previousValue = f0, previousSlope = slope0, step = 1;
        for (int i = 0; i < 30; i++)
        {
            double value = Evaluate(step);
            if (value > f0 + (c1 * step * slope0) || (i > 0 && value >= previousValue))
            {
                return Zoom(previousStep, previousValue, previousSlope, step, value);
            }

            double slope = Dot(gNew, d);
            if (Math.Abs(slope) <= -c2 * slope0)
            {
                return (step, value, evaluations);
            }

            if (slope >= 0)
            {
                return Zoom(step, value, slope, previousStep, previousValue);
            }

            (previousStep, previousValue, previousSlope) = (step, value, slope);
            step *= 2;
        }

        return (0, f0, evaluations);

        (double, double, int) Zoom(double lo, double fLo, double slopeLo, double hi, double fHi)
        {
            for (int i = 0; i < 30; i++)
            {
                // Minimiser of the quadratic through (lo, fLo, slopeLo) and (hi, fHi), kept inside the bracket.
                double width = hi - lo;
                double denominator = 2 * (fHi - fLo - (slopeLo * width));
                double t = denominator > 0 ? lo - (slopeLo * width * width / denominator) : lo + (0.5 * width);
                double low = Math.Min(lo, hi), high = Math.Max(lo, hi), margin = 0.1 * (high - low);
                t = Math.Clamp(t, low + margin, high - margin);
                double value = Evaluate(t);
                if (value > f0 + (c1 * t * slope0) || value >= fLo)
                {
                    (hi, fHi) = (t, value);
                }
                else
                {
                    double slope = Dot(gNew, d);
                    if (Math.Abs(slope) <= -c2 * slope0)
                    {
                        return (t, value, evaluations);
                    }

                    if (slope * (hi - lo) >= 0)
                    {
                        (hi, fHi) = (lo, fLo);
                    }

                    (lo, fLo, slopeLo) = (t, value, slope);
                }

                if (Math.Abs(hi - lo) < 1e-16)
                {
                    break;
                }
            }

            // Accept the best point found if it decreased f at all.
            if (lo > 0 && fLo < f0)
            {
                Evaluate(lo);
                return (lo, fLo, evaluations);
            }

            return (0, f0, evaluations);
        }
    }

    private static void CheckFinite(double f, string where)
    {
        if (!double.IsFinite(f))
        {
            throw new CryoSharpException($"The objective is not finite {where}.");
        }
    }

    private static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b) => System.Numerics.Tensors.TensorPrimitives.Dot(a, b);

    private static double Norm(ReadOnlySpan<double> a) => Math.Sqrt(Dot(a, a));

    private static double MaxAbs(ReadOnlySpan<double> a) => System.Numerics.Tensors.TensorPrimitives.MaxMagnitude(a) is var v && double.IsNaN(v) ? double.PositiveInfinity : Math.Abs(v);

    private static void Axpy(double a, ReadOnlySpan<double> x, Span<double> y)
    {
        for (int i = 0; i < y.Length; i++)
        {
            y[i] += a * x[i];
        }
    }

    private static void Scale(Span<double> x, double a)
    {
        for (int i = 0; i < x.Length; i++)
        {
            x[i] *= a;
        }
    }
}

/// <summary>Settings of <see cref="Lbfgs"/>.</summary>
public sealed record LbfgsOptions
{
    /// <summary>Number of correction pairs kept.</summary>
    public int Memory { get; init; } = 10;

    /// <summary>Iteration limit.</summary>
    public int MaxIterations { get; init; } = 1000;

    /// <summary>Stop when max |∂f/∂xᵢ| ≤ this × max(1, |f|).</summary>
    public double GradientTolerance { get; init; } = 1e-8;

    /// <summary>Stop when an iteration lowers f by at most this × max(1, |f|).</summary>
    public double FunctionTolerance { get; init; } = 1e-14;
}

/// <summary>Outcome of <see cref="Lbfgs.Minimize"/>.</summary>
/// <param name="Minimizer">The final point.</param>
/// <param name="Value">f there.</param>
/// <param name="Iterations">Iterations made.</param>
/// <param name="Evaluations">Objective evaluations made.</param>
/// <param name="StopReason">Why it stopped.</param>
public sealed record LbfgsResult(double[] Minimizer, double Value, int Iterations, int Evaluations, string StopReason);
