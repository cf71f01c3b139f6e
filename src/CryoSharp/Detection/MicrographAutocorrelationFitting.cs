using System.Diagnostics;
using System.Numerics.Tensors;
using CryoSharp.ClassAveraging;
using CryoSharp.Imaging;
using CryoSharp.Numerics;
using CryoSharp.Numerics.Optimization;

namespace CryoSharp.Detection;

/// <summary>
/// A 2D target and the density γ recovered from the autocorrelations of a micrograph, with no picking (Bendory, Lan,
/// Marshall, Rukshin and Singer, multi-target detection with rotations): one streaming pass gives a¹, a² and a³
/// (<see cref="MicrographAutocorrelations"/>), and the target's Fourier–Bessel coefficients, γ and (when not given)
/// σ² are fitted to them by weighted least squares. The model is <see cref="RotationAveragedAutocorrelations"/> plus
/// the noise terms σ² at a²[0] and σ²·a¹·(δ[ℓ₁] + δ[ℓ₂] + δ[ℓ₁−ℓ₂]) at a³; the objective is
/// w₁r₁² + w₂‖r₂‖² + w₃‖r₃‖², each wₖ one over twice the number of distinct entries of its order times
/// <see cref="MicrographAutocorrelationFitOptions.OrderWeights"/> (a³ leads by default), divided by its value at x = 0. Each seeded random start is fitted by L-BFGS with frequency marching (band limits 0.2, 0.3, … cycles per
/// pixel, then the full band); then its mirror image is fitted too and the better kept, because smooth targets carry
/// little handedness in a³ and starts often settle near the truth's reflection. The best start is finished by
/// Levenberg–Marquardt. Autocorrelations do not change when the target moves in its box or turns, so the estimate is
/// centred on its centre of mass (as the truth is when scored) and known up to rotation. The problem is badly
/// conditioned, and with equal weights the fit reaches objectives far below the truth's: the misfit of a¹ and a² is
/// smooth in the lag and the target absorbs it, which is why a³ leads by default.
/// </summary>
public static class MicrographAutocorrelationFitting
{
    /// <summary>The pass over <paramref name="micrograph"/>, then the fit.</summary>
    public static MicrographAutocorrelationEstimate Estimate(IMicrograph micrograph, MicrographAutocorrelationFitOptions options)
    {
        ArgumentNullException.ThrowIfNull(micrograph);
        ArgumentNullException.ThrowIfNull(options);
        var autocorrelations = MicrographAutocorrelations.Compute(micrograph, options.TargetSize, options.Context, options.PassProgress);
        return Fit(autocorrelations, micrograph.PixelSizeA, options);
    }

    /// <summary>
    /// The fit's objective (relative to its value at x = 0) for a given target, density and noise level: at the truth it
    /// tells how much of the misfit the data leave, whatever the optimiser does.
    /// </summary>
    /// <param name="raw">The autocorrelations as measured.</param>
    /// <param name="basis">The basis of <paramref name="coefficients"/>.</param>
    /// <param name="coefficients">The target.</param>
    /// <param name="gamma">Its density.</param>
    /// <param name="sigma">The noise level.</param>
    /// <param name="orderWeights">As <see cref="MicrographAutocorrelationFitOptions.OrderWeights"/> (default: its default).</param>
    public static double Objective(MicrographAutocorrelations raw, FourierBesselBasis basis, ReadOnlySpan<ComplexF> coefficients, double gamma, double sigma,
        double[]? orderWeights = null)
    {
        ArgumentNullException.ThrowIfNull(raw);
        ArgumentNullException.ThrowIfNull(basis);
        var model = new RotationAveragedAutocorrelations(basis);
        var data = raw.Debias(sigma);
        var (w1, w2, w3, f0) = Weights(data, orderWeights ?? [.. MicrographAutocorrelationFitOptions.DefaultOrderWeights]);
        var theta = new double[model.Parameters + 1];
        model.Pack(coefficients).CopyTo(theta, 0);
        theta[model.Parameters] = gamma;
        return new FitProblem(model, data, false, w1, w2, w3, f0).Value(theta, new double[theta.Length]);
    }

    private static (double W1, double W2, double W3, double F0) Weights(MicrographAutocorrelations data, double[] scale)
    {
        if (scale.Length != 3 || scale.Any(w => !(w > 0) || double.IsInfinity(w)))
        {
            throw new InvalidParameterException("order weights", string.Join(", ", scale), "must be three positive numbers");
        }

        // Distinct entries: ((2L−1)² + 1)/2 of a², (used + n)/2 of a³ (both counted over the full arrays).
        int span = (2 * data.TargetSize) - 1;
        double w1 = 0.5 * scale[0], w2 = scale[1] / ((span * span) + 1), w3 = scale[2] / (data.Lags.UsedEntries + data.Lags.Count);
        double f0 = (w1 * data.First * data.First) + (w2 * TensorPrimitives.SumOfSquares<double>(data.Second)) + (w3 * TensorPrimitives.SumOfSquares<double>(data.Third));
        if (!(f0 > 0))
        {
            throw new CryoSharpException("The micrograph's autocorrelations are all zero; is there a signal in it?");
        }

        return (w1, w2, w3, f0);
    }

    /// <summary>Fits the target to autocorrelations measured already (raw, not debiased).</summary>
    public static MicrographAutocorrelationEstimate Fit(MicrographAutocorrelations raw, double pixelSizeA, MicrographAutocorrelationFitOptions options)
    {
        ArgumentNullException.ThrowIfNull(raw);
        ArgumentNullException.ThrowIfNull(options);
        if (raw.Sigma != 0)
        {
            throw new ArgumentException("Pass the raw autocorrelations; the fit removes the noise terms itself.", nameof(raw));
        }

        if (raw.TargetSize != options.TargetSize)
        {
            throw new InvalidParameterException("target size", options.TargetSize, $"differs from the autocorrelations' ({raw.TargetSize})");
        }

        if (options.Restarts < 1)
        {
            throw new InvalidParameterException("restarts", options.Restarts, "must be at least 1");
        }

        var clock = Stopwatch.StartNew();
        var basis = new FourierBesselBasis(options.TargetSize, bandLimit: options.BandLimit);
        if (options.Start is { } given0 && given0.Length != basis.Count)
        {
            throw new InvalidParameterException("start", $"{given0.Length} coefficients", $"must have the basis' {basis.Count}");
        }

        var model = new RotationAveragedAutocorrelations(basis);
        bool fitSigma = options.Sigma is null;
        var data = options.Sigma is { } s ? raw.Debias(s) : raw;
        int l = raw.TargetSize;
        var (w1, w2, w3, f0) = Weights(data, options.OrderWeights);

        int p = model.Parameters, count = p + 1 + (fitSigma ? 1 : 0);
        // Each parameter's radial frequency (cycles per pixel), in the order of Pack.
        var frequencies = new double[model.Parameters];
        for (int c = 0, j = 0; c < basis.Count; c++)
        {
            double f = basis.RadialZeros[c] / (2 * Math.PI * basis.RadiusPx);
            frequencies[j++] = f;
            if (basis.Frequencies[c] != 0)
            {
                frequencies[j++] = f;
            }
        }

        int given = options.Start is null ? 0 : 1;
        var results = new StartResult?[options.Restarts + given];
        int finished = 0;
        Parallel.For(0, results.Length, options.Context.ParallelOptions, r =>
        {
            var problem = new FitProblem(model, data, fitSigma, w1, w2, w3, f0);
            var start = Start(model, data, raw, fitSigma, options.Seeds.Spawn("start", r - given).CreateStream(), count);
            if (r < given)
            {
                model.Pack(options.Start).CopyTo(start, 0);
                start[p] = options.StartGamma;
            }

            StartResult result;
            int iterations = 0;
            var lbfgs = new LbfgsOptions { MaxIterations = options.MaxIterations, GradientTolerance = 0, FunctionTolerance = 0 };
            foreach (double limit in Marching(options.BandLimit, r < given))
            {
                // The coefficients above this stage's frequency stay where they are (zero, from a random start).
                var free = new bool[count];
                for (int j = 0; j < count; j++)
                {
                    free[j] = j >= p || frequencies[j] <= limit + 1e-9;
                    start[j] = free[j] || r < given ? start[j] : 0;
                }

                problem.Free = free;
                var descent = Lbfgs.Minimize(problem.Value, start, lbfgs with { MaxIterations = Math.Min(300, options.MaxIterations) });
                descent.Minimizer.CopyTo(start, 0);
                iterations += descent.Iterations;
            }

            // Smooth targets carry little handedness in a³, and a start often settles near the mirror image of the
            // truth, in a valley that descends only slowly: the reflection is fitted as well, and the better kept.
            problem.Free = null;
            var kept = Lbfgs.Minimize(problem.Value, start, lbfgs);
            var mirrored = model.Unpack(start.AsSpan(0, p));
            basis.Reflect(mirrored);
            model.Pack(mirrored).CopyTo(start, 0);
            var reflected = Lbfgs.Minimize(problem.Value, start, lbfgs);
            var better = reflected.Value < kept.Value ? reflected : kept;
            iterations += kept.Iterations + reflected.Iterations;
            result = new StartResult(better.Minimizer, better.Value, iterations);
            results[r] = result.Parameters[p] > 0 && (!fitSigma || result.Parameters[p + 1] >= 0) ? result : null;
            options.Progress?.Invoke(Interlocked.Increment(ref finished));
        });

        StartResult? best = null;
        foreach (var result in results)
        {
            if (result is not null && double.IsFinite(result.Value) && (best is null || result.Value < best.Value))
            {
                best = result;
            }
        }

        if (best is null)
        {
            throw new CryoSharpException("The autocorrelation fit found no solution with a positive density; is there a signal in the micrograph?");
        }

        // Quasi-Newton steps crawl along the valleys of this badly conditioned problem; Gauss–Newton steps finish the best start.
        var polished = new FitProblem(model, data, fitSigma, w1, w2, w3, f0).Minimize(best.Parameters, [.. Enumerable.Repeat(true, count)], options.PolishIterations);
        best = polished with { Iterations = best.Iterations + polished.Iterations };
        var coefficients = model.Unpack(best.Parameters.AsSpan(0, p));
        var estimate = new Image(l, l, pixelSizeA);
        basis.Evaluate(coefficients, 1, estimate.Data);
        if (options.Centre)
        {
            ImageCentring.Centre(estimate);
            basis.FitLeastSquares(estimate.Data, coefficients);
            basis.Evaluate(coefficients, 1, estimate.Data);
        }

        double sigma = options.Sigma ?? Math.Sqrt(Math.Max(best.Parameters[p + 1], 0));
        // A start that ends with γ ≤ 0 or σ² < 0 (or not finite) is not a solution; the rest are listed in start order.
        var objectives = results.Where(x => x is not null && double.IsFinite(x.Value)).Select(x => x!.Value).ToArray();
        return new MicrographAutocorrelationEstimate(estimate, coefficients, basis, best.Parameters[p], sigma, best.Value, objectives, results.Length - objectives.Length, best.Iterations,
            model.Rotations, raw.Seconds, clock.Elapsed.TotalSeconds, raw.PixelsPerSecond);
    }

    /// <summary>A random start: γ in [0.05, 0.45], σ² from the drop of a² off lag 0, the target's energy from a²[0].</summary>
    private static double[] Start(RotationAveragedAutocorrelations model, MicrographAutocorrelations data, MicrographAutocorrelations raw, bool fitSigma,
        RandomStream random, int count)
    {
        int p = model.Parameters, l = raw.TargetSize;
        var start = new double[count];
        double gamma = 0.05 + (0.4 * random.NextDouble());
        double s2 = 0;
        if (fitSigma)
        {
            // Off lag 0 there is no noise: the largest neighbouring lag bounds the signal part of a²[0] from below.
            double neighbour = Math.Max(raw.Second[raw.SecondIndex(0, 1)], raw.Second[raw.SecondIndex(1, 0)]);
            s2 = Math.Max(raw.Second[raw.SecondIndex(0, 0)] - Math.Max(neighbour, 0), 0);
        }

        double signal = Math.Max(data.Second[data.SecondIndex(0, 0)] - s2, 1e-12 * Math.Abs(raw.Second[raw.SecondIndex(0, 0)]));
        for (int j = 0; j < p; j++)
        {
            start[j] = random.NextGaussian();
        }

        var basis = model.Basis;
        var image = new float[l * l];
        basis.Evaluate(model.Unpack(start.AsSpan(0, p)), 1, image);
        double norm2 = 0;
        foreach (float v in image)
        {
            norm2 += (double)v * v;
        }

        // a²[0] = (γ/L²)‖x‖².
        double scale = Math.Sqrt(signal * l * l / gamma / Math.Max(norm2, 1e-300));
        for (int j = 0; j < p; j++)
        {
            start[j] *= scale;
        }

        start[p] = gamma;
        if (fitSigma)
        {
            start[p + 1] = s2;
        }

        return start;
    }

    /// <summary>
    /// The band limits of frequency marching below the full band: a random start is fitted at low frequencies first,
    /// where the objective has fewer minima, and each stage starts the next; a given start goes straight to the full band.
    /// </summary>
    private static IEnumerable<double> Marching(double bandLimit, bool given)
    {
        for (double f = 0.2; !given && f < bandLimit - 1e-9; f += 0.1)
        {
            yield return f;
        }
    }

    /// <summary>One start's result: the parameters (coefficients, γ, then σ²), the objective and the iterations.</summary>
    private sealed record StartResult(double[] Parameters, double Value, int Iterations);

    /// <summary>
    /// The fit as weighted least squares, r = (√w₁r₁, √w₂r₂, √w₃r₃)/√f₀ over the full arrays, minimised by
    /// Levenberg–Marquardt (the Jacobian from <see cref="RotationAveragedAutocorrelations.Jacobian"/>, damping
    /// scaled by the diagonal of JᵀJ). The problem is badly conditioned — high radial frequencies move the
    /// autocorrelations little — and quasi-Newton steps crawl along its valleys; Gauss–Newton steps do not.
    /// </summary>
    private sealed class FitProblem(RotationAveragedAutocorrelations model, MicrographAutocorrelations data, bool fitSigma, double w1, double w2, double w3, double f0)
    {
        private readonly int p = model.Parameters;
        private readonly int zero = data.SecondIndex(0, 0);
        private readonly double[] m2 = new double[data.Second.Length];
        private readonly double[] m3 = new double[data.Third.Length];
        private readonly double[] deltas = Deltas(data.Lags.Count);
        private readonly double[] g2 = new double[data.Second.Length];
        private readonly double[] g3 = new double[data.Third.Length];
        private readonly double[] valueResidual = new double[1 + data.Second.Length + data.Third.Length];
        private double first; // a¹ of the model at the θ of the last Residuals

        private int Rows => 1 + m2.Length + m3.Length;

        /// <summary>Levenberg–Marquardt from <paramref name="start"/> over the <paramref name="free"/> parameters.</summary>
        public StartResult Minimize(double[] start, bool[] free, int maxIterations)
        {
            int count = start.Length, rows = Rows;
            var theta = (double[])start.Clone();
            var trial = new double[count];
            var residual = new double[rows];
            var jacobian = new double[count * rows];
            var d1 = new double[p];
            var d2 = new double[p * m2.Length];
            var d3 = new double[p * m3.Length];
            var index = Enumerable.Range(0, count).Where(j => free[j]).ToArray();
            int n = index.Length;
            var normal = new double[n * n];
            var gradient = new double[n];
            var system = new double[n * n];
            var step = new double[n];
            double f = Residuals(theta, residual), lambda = 1e-3;
            int iteration = 0, stalled = 0;
            for (; iteration < maxIterations && stalled < 3; iteration++)
            {
                FillJacobian(theta, jacobian, d1, d2, d3);
                for (int a = 0; a < n; a++)
                {
                    var ca = jacobian.AsSpan(index[a] * rows, rows);
                    gradient[a] = TensorPrimitives.Dot<double>(ca, residual);
                    for (int b = 0; b <= a; b++)
                    {
                        double v = TensorPrimitives.Dot<double>(ca, jacobian.AsSpan(index[b] * rows, rows));
                        normal[(a * n) + b] = v;
                        normal[(b * n) + a] = v;
                    }
                }

                bool accepted = false;
                for (int attempt = 0; attempt < 30 && !accepted; attempt++)
                {
                    normal.CopyTo(system, 0);
                    for (int a = 0; a < n; a++)
                    {
                        system[(a * n) + a] += lambda * Math.Max(normal[(a * n) + a], 1e-300);
                        step[a] = -gradient[a];
                    }

                    if (!CholeskySolve(system, step, n))
                    {
                        lambda *= 4;
                        continue;
                    }

                    theta.CopyTo(trial, 0);
                    for (int a = 0; a < n; a++)
                    {
                        trial[index[a]] += step[a];
                    }

                    double fTrial = trial[p] > 0 ? Residuals(trial, residual) : double.PositiveInfinity;
                    if (fTrial < f)
                    {
                        stalled = f - fTrial <= 1e-9 * f ? stalled + 1 : 0;
                        trial.CopyTo(theta, 0);
                        f = fTrial;
                        lambda = Math.Max(lambda / 3, 1e-12);
                        accepted = true;
                    }
                    else
                    {
                        lambda *= 4;
                    }
                }

                if (!accepted)
                {
                    Residuals(theta, residual);
                    break;
                }
            }

            return new StartResult(theta, f, iteration);
        }

        /// <summary>Which parameters move in <see cref="Value"/> (null: all).</summary>
        public bool[]? Free { get; set; }

        /// <summary>The objective ‖r‖² and its gradient (by <see cref="RotationAveragedAutocorrelations.Backpropagate"/>), for L-BFGS.</summary>
        public double Value(ReadOnlySpan<double> theta, Span<double> g)
        {
            double gamma = theta[p], s2 = fitSigma ? theta[p + 1] : 0, scale = 1 / Math.Sqrt(f0);
            double a1 = Math.Sqrt(w1) * scale, a2 = Math.Sqrt(w2) * scale, a3 = Math.Sqrt(w3) * scale;
            double f = Residuals(theta, valueResidual), m1 = first;
            var residual = valueResidual;

            // The weighted residual is a·r with a = √(w/f₀), so ∂(‖·‖²)/∂model = 2a·(a·r).
            double r1 = residual[0] / a1;
            for (int i = 0; i < m2.Length; i++)
            {
                g2[i] = 2 * a2 * residual[1 + i];
            }

            double noiseSum = 0; // Σ r₃·(δ[ℓ₁] + δ[ℓ₂] + δ[ℓ₁−ℓ₂]), for ∂/∂m1 and ∂/∂σ²
            int o = 1 + m2.Length;
            for (int i = 0; i < m3.Length; i++)
            {
                noiseSum += residual[o + i] / a3 * deltas[i];
                g3[i] = 2 * a3 * residual[o + i];
            }

            double dm1 = ((2 * w1 * r1) + (2 * w3 * s2 * noiseSum)) / f0;
            g.Clear();
            model.Backpropagate(theta[..p], gamma, dm1, g2, g3, g[..p]);
            double dGamma = dm1 * m1;
            for (int i = 0; i < m2.Length; i++)
            {
                dGamma += g2[i] * m2[i];
            }

            for (int i = 0; i < m3.Length; i++)
            {
                dGamma += g3[i] * m3[i];
            }

            g[p] = dGamma / gamma;
            if (fitSigma)
            {
                g[p + 1] = ((2 * w2 * residual[1 + zero] / a2) + (2 * w3 * m1 * noiseSum)) / f0;
            }

            if (Free is { } free)
            {
                for (int j = 0; j < g.Length; j++)
                {
                    g[j] = free[j] ? g[j] : 0;
                }
            }

            return f;
        }

        /// <summary>Fills the weighted residuals at <paramref name="theta"/>; returns their squared norm.</summary>
        private double Residuals(ReadOnlySpan<double> theta, double[] residual)
        {
            double gamma = theta[p], s2 = fitSigma ? theta[p + 1] : 0, scale = 1 / Math.Sqrt(f0);
            double m1 = model.Evaluate(theta[..p], gamma, m2, m3);
            first = m1;
            double a1 = Math.Sqrt(w1) * scale, a2 = Math.Sqrt(w2) * scale, a3 = Math.Sqrt(w3) * scale;
            residual[0] = a1 * (m1 - data.First);
            for (int i = 0; i < m2.Length; i++)
            {
                residual[1 + i] = a2 * (m2[i] + (i == zero ? s2 : 0) - data.Second[i]);
            }

            int o = 1 + m2.Length;
            for (int i = 0; i < m3.Length; i++)
            {
                residual[o + i] = a3 * (m3[i] + (s2 * m1 * deltas[i]) - data.Third[i]);
            }

            return TensorPrimitives.Dot<double>(residual, residual);
        }

        /// <summary>Column j of the Jacobian of the residuals at j·rows (the model evaluated at θ by the last <see cref="Residuals"/>).</summary>
        private void FillJacobian(double[] theta, double[] jacobian, double[] d1, double[] d2, double[] d3)
        {
            int rows = Rows, o = 1 + m2.Length;
            double gamma = theta[p], s2 = fitSigma ? theta[p + 1] : 0, scale = 1 / Math.Sqrt(f0);
            double a1 = Math.Sqrt(w1) * scale, a2 = Math.Sqrt(w2) * scale, a3 = Math.Sqrt(w3) * scale;
            double m1 = first;
            model.Jacobian(theta.AsSpan(0, p), gamma, d1, d2, d3);
            for (int j = 0; j < p; j++)
            {
                var column = jacobian.AsSpan(j * rows, rows);
                column[0] = a1 * d1[j];
                for (int i = 0; i < m2.Length; i++)
                {
                    column[1 + i] = a2 * d2[(j * m2.Length) + i];
                }

                for (int i = 0; i < m3.Length; i++)
                {
                    column[o + i] = a3 * (d3[(j * m3.Length) + i] + (s2 * deltas[i] * d1[j]));
                }
            }

            // Every model term is linear in γ.
            var g = jacobian.AsSpan(p * rows, rows);
            g[0] = a1 * m1 / gamma;
            for (int i = 0; i < m2.Length; i++)
            {
                g[1 + i] = a2 * m2[i] / gamma;
            }

            for (int i = 0; i < m3.Length; i++)
            {
                g[o + i] = a3 * (m3[i] + (s2 * m1 * deltas[i])) / gamma;
            }

            if (fitSigma)
            {
                var s = jacobian.AsSpan((p + 1) * rows, rows);
                s.Clear();
                s[1 + zero] = a2;
                for (int i = 0; i < m3.Length; i++)
                {
                    s[o + i] = a3 * m1 * deltas[i];
                }
            }
        }

        /// <summary>δ[ℓ₁] + δ[ℓ₂] + δ[ℓ₁−ℓ₂] over the n × n lag pairs.</summary>
        private static double[] Deltas(int lags)
        {
            var d = new double[lags * lags];
            MicrographAutocorrelations.SubtractNoiseTerms(d, lags, -1);
            return d;
        }

        /// <summary>Solves A x = b in place (b → x) for symmetric positive definite A (destroyed); false if A is not.</summary>
        private static bool CholeskySolve(double[] a, double[] b, int n)
        {
            for (int j = 0; j < n; j++)
            {
                double d = a[(j * n) + j];
                for (int k = 0; k < j; k++)
                {
                    d -= a[(j * n) + k] * a[(j * n) + k];
                }

                if (!(d > 0))
                {
                    return false;
                }

                d = Math.Sqrt(d);
                a[(j * n) + j] = d;
                for (int i = j + 1; i < n; i++)
                {
                    double v = a[(i * n) + j];
                    for (int k = 0; k < j; k++)
                    {
                        v -= a[(i * n) + k] * a[(j * n) + k];
                    }

                    a[(i * n) + j] = v / d;
                }
            }

            for (int i = 0; i < n; i++)
            {
                double v = b[i];
                for (int k = 0; k < i; k++)
                {
                    v -= a[(i * n) + k] * b[k];
                }

                b[i] = v / a[(i * n) + i];
            }

            for (int i = n - 1; i >= 0; i--)
            {
                double v = b[i];
                for (int k = i + 1; k < n; k++)
                {
                    v -= a[(k * n) + i] * b[k];
                }

                b[i] = v / a[(i * n) + i];
            }

            return true;
        }
    }
}
