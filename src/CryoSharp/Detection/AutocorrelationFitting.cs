using System.Diagnostics;
using CryoSharp.Numerics;
using CryoSharp.Numerics.Optimization;

namespace CryoSharp.Detection;

/// <summary>
/// Recovers x and γ from the autocorrelations of a well-separated MTD measurement (Bendory, Boumal, Leeb, Levin and
/// Singer, "Multi-target detection with application to cryo-electron microscopy", Inverse Problems 2019). For
/// 0 ≤ ℓ &lt; L the noise-free autocorrelations are (γ/L)·Σᵢ x[i], (γ/L)·Σᵢ x[i]x[i+ℓ] and
/// (γ/L)·Σᵢ x[i]x[i+ℓ₁]x[i+ℓ₂]; the fit minimises w₁r₁² + w₂‖r₂‖² + w₃‖r₃‖² with the weights 1/2, 1/(2L) and
/// 1/(L(L+1)) (inverse numbers of distinct entries) by L-BFGS over (x, γ) from seeded random starts, keeping the
/// best. When σ is unknown the raw autocorrelations are fitted with σ² as one more unknown: it adds σ² to a²[0] and
/// σ²·a¹·(δ[ℓ₁] + δ[ℓ₂] + δ[ℓ₁−ℓ₂]) to a³.
/// </summary>
public sealed class AutocorrelationFitting : IMtdEstimator
{
    /// <summary>Creates the estimator.</summary>
    public AutocorrelationFitting(AutocorrelationFitOptions options)
    {
        Options = options ?? throw new ArgumentNullException(nameof(options));
    }

    /// <summary>The settings.</summary>
    public AutocorrelationFitOptions Options { get; }

    /// <summary>One streaming pass for the autocorrelations, then the fit.</summary>
    public MtdSolution Estimate(IMtdMeasurement measurement)
    {
        var autocorrelations = MtdAutocorrelations.Compute(measurement, Options.Length, Options.Context);
        var estimate = Solve(autocorrelations, Options.Sigma, Options.Restarts, Options.Seeds);
        return new MtdSolution(estimate, autocorrelations.Seconds, estimate.Seconds, autocorrelations.SamplesPerSecond);
    }

    /// <summary>Fits x (length <see cref="MtdAutocorrelations.Lags"/>), γ and, when <paramref name="sigma"/> is null, σ.</summary>
    /// <param name="raw">The autocorrelations as measured (not debiased).</param>
    /// <param name="sigma">The noise level, or null to estimate it.</param>
    /// <param name="restarts">Random starts.</param>
    /// <param name="seeds">Where the random starts come from.</param>
    public static MtdEstimate Solve(MtdAutocorrelations raw, double? sigma, int restarts, SeedSequence seeds)
    {
        ArgumentNullException.ThrowIfNull(raw);
        if (raw.Sigma != 0)
        {
            throw new ArgumentException("Pass the raw autocorrelations; the fit removes the noise terms itself.", nameof(raw));
        }

        if (restarts < 1)
        {
            throw new InvalidParameterException("restarts", restarts, "must be at least 1");
        }

        var clock = Stopwatch.StartNew();
        int l = raw.Lags;
        bool fitSigma = sigma is null;
        var data = sigma is { } s ? raw.Debias(s) : raw;
        double w1 = 0.5, w2 = 1.0 / (2 * l), w3 = 1.0 / (l * (l + 1));
        var m2 = new double[l];
        var m3 = new double[l * l];
        var r2 = new double[l];
        var r3 = new double[l * l];

        // Parameters: x[0..L), γ, then σ² when fitted.
        double Objective(ReadOnlySpan<double> p, Span<double> g)
        {
            var x = p[..l];
            double gamma = p[l], s2 = fitSigma ? p[l + 1] : 0, c = gamma / l;
            double sum = 0;
            for (int i = 0; i < l; i++)
            {
                sum += x[i];
            }

            double m1 = c * sum;
            for (int a = 0; a < l; a++)
            {
                double v = 0;
                for (int i = 0; i + a < l; i++)
                {
                    v += x[i] * x[i + a];
                }

                m2[a] = c * v;
                for (int b = 0; b < l; b++)
                {
                    int top = l - Math.Max(a, b);
                    double w = 0;
                    for (int i = 0; i < top; i++)
                    {
                        w += x[i] * x[i + a] * x[i + b];
                    }

                    m3[(a * l) + b] = c * w;
                }
            }

            // Residuals (with the noise terms when σ² is a parameter).
            double r1 = m1 - data.First, f = w1 * r1 * r1;
            for (int a = 0; a < l; a++)
            {
                r2[a] = m2[a] + (a == 0 ? s2 : 0) - data.Second[a];
                f += w2 * r2[a] * r2[a];
            }

            double noiseSum = 0; // Σ r3·deltas, for the σ² terms
            for (int a = 0; a < l; a++)
            {
                for (int b = 0; b < l; b++)
                {
                    int deltas = (a == 0 ? 1 : 0) + (b == 0 ? 1 : 0) + (a == b ? 1 : 0);
                    double r = m3[(a * l) + b] + (s2 * m1 * deltas) - data.Third[(a * l) + b];
                    r3[(a * l) + b] = r;
                    f += w3 * r * r;
                    noiseSum += r * deltas;
                }
            }

            // Gradients. ∂m1/∂x = c; ∂m2[a]/∂x[k] = c(x[k+a] + x[k−a]);
            // ∂m3[a,b]/∂x[k] = c(x[k+a]x[k+b] + x[k−a]x[k−a+b] + x[k−b]x[k−b+a]) (indices inside 0..L−1).
            g.Clear();
            var gx = g[..l];
            double d1 = (2 * w1 * r1) + (2 * w3 * s2 * noiseSum); // ∂f/∂m1, through a¹ and the σ² terms
            for (int k = 0; k < l; k++)
            {
                double v = d1 * c;
                for (int a = 0; a < l; a++)
                {
                    double dm = (k + a < l ? x[k + a] : 0) + (k - a >= 0 ? x[k - a] : 0);
                    v += 2 * w2 * r2[a] * c * dm;
                }

                for (int a = 0; a < l; a++)
                {
                    for (int b = 0; b < l; b++)
                    {
                        double dm = 0;
                        if (k + a < l && k + b < l)
                        {
                            dm += x[k + a] * x[k + b];
                        }

                        if (k - a >= 0 && k - a + b < l)
                        {
                            dm += x[k - a] * x[k - a + b];
                        }

                        if (k - b >= 0 && k - b + a < l)
                        {
                            dm += x[k - b] * x[k - b + a];
                        }

                        v += 2 * w3 * r3[(a * l) + b] * c * dm;
                    }
                }

                gx[k] = v;
            }

            // ∂/∂γ: every model term is linear in γ.
            double dGamma = d1 * m1 / gamma;
            for (int a = 0; a < l; a++)
            {
                dGamma += 2 * w2 * r2[a] * m2[a] / gamma;
                for (int b = 0; b < l; b++)
                {
                    dGamma += 2 * w3 * r3[(a * l) + b] * m3[(a * l) + b] / gamma;
                }
            }

            g[l] = dGamma;
            if (fitSigma)
            {
                g[l + 1] = (2 * w2 * r2[0]) + (2 * w3 * m1 * noiseSum);
            }

            return f;
        }

        var random = seeds.CreateStream();
        LbfgsResult? best = null;
        int count = l + 1 + (fitSigma ? 1 : 0);
        var start = new double[count];
        var options = new LbfgsOptions { MaxIterations = 5000, GradientTolerance = 1e-14, FunctionTolerance = 1e-16 };
        for (int r = 0; r < restarts; r++)
        {
            double gamma0 = 0.05 + (0.4 * random.NextDouble());
            double s0 = fitSigma ? Math.Max(0.5 * raw.Second[0], 1e-6) : 0;

            // a²[0] − σ² = (γ/L)‖x‖² sets the scale of the start.
            double energy = Math.Max(data.Second[0] - s0, 1e-6) * l / gamma0;
            double scale = Math.Sqrt(energy / l);
            for (int i = 0; i < l; i++)
            {
                start[i] = scale * random.NextGaussian();
            }

            start[l] = gamma0;
            if (fitSigma)
            {
                start[l + 1] = s0;
            }

            var result = Lbfgs.Minimize(Objective, start, options);
            if (result.Minimizer[l] > 0 && (best is null || result.Value < best.Value))
            {
                best = result;
            }
        }

        if (best is null)
        {
            throw new CryoSharpException("The autocorrelation fit found no solution with a positive density; is there a signal in the data?");
        }

        var p = best.Minimizer;
        double sigmaHat = sigma ?? Math.Sqrt(Math.Max(p[l + 1], 0));
        return new MtdEstimate(p[..l], p[l], sigmaHat, clock.Elapsed.TotalSeconds, best.Iterations, best.Value);
    }
}
