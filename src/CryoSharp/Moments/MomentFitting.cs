using System.Diagnostics;
using CryoSharp.Numerics;
using CryoSharp.Numerics.Optimization;

namespace CryoSharp.Moments;

/// <summary>
/// The method of moments for MRA with a non-uniform shift distribution (Abbe, Bendory, Leeb, Pereira, Sharon and
/// Singer, "Multireference alignment is easier with an aperiodic translation distribution", IEEE TIT 2019): fits x
/// and ρ to the first two moments, M¹ = Σ_s ρ[s]·R_s x and M² = Σ_s ρ[s]·(R_s x)(R_s x)ᵀ, by minimising
/// ‖M¹ − model‖²/‖M¹‖² + ‖M² − model‖²_F/‖M²‖²_F over x and ρ = softmax(α) (on the simplex by construction) with
/// L-BFGS from several seeded random starts, keeping the best. For an aperiodic ρ the second moment determines
/// (x, ρ) up to a common cyclic shift. Each evaluation costs O(L³).
/// </summary>
public sealed class MomentFitting : IMraEstimator
{
    /// <summary>Creates the estimator.</summary>
    public MomentFitting(MomentFittingOptions options)
    {
        Options = options ?? throw new ArgumentNullException(nameof(options));
    }

    /// <summary>The settings.</summary>
    public MomentFittingOptions Options { get; }

    /// <summary>One pass for the first two moments, then the fit of x and ρ.</summary>
    public MraSolution Estimate(IMraObservations observations, double sigma)
    {
        var invariants = MraInvariants.Compute(observations, sigma, bispectrum: false, secondMoment: true, context: Options.Context);
        var estimate = Solve(invariants, Options.Restarts, Options.Seeds);
        return new MraSolution(estimate, invariants.Seconds, estimate.Seconds);
    }

    /// <summary>The fitted signal and shift distribution.</summary>
    public static MraEstimate Solve(MraInvariants invariants, int restarts, SeedSequence seeds)
    {
        ArgumentNullException.ThrowIfNull(invariants);
        var m2 = invariants.SecondMoment ?? throw new ArgumentException("The invariants hold no second moment.", nameof(invariants));
        if (restarts < 1)
        {
            throw new InvalidParameterException("restarts", restarts, "must be at least 1");
        }

        var clock = Stopwatch.StartNew();
        int l = invariants.Length;
        var m1 = invariants.Mean;
        double w1 = 1 / Math.Max(m1.Sum(v => v * v), 1e-300), w2 = 1 / Math.Max(m2.Sum(v => v * v), 1e-300);

        // trace M² = ‖x‖², the scale of the random starts.
        double scale = 0;
        for (int t = 0; t < l; t++)
        {
            scale += m2[(t * l) + t];
        }

        scale = Math.Sqrt(Math.Max(scale, 1e-12) / l);

        var rho = new double[l];
        var model1 = new double[l];
        var residual2 = new double[l * l];
        var gradRho = new double[l];
        var shifted = new double[l * l]; // row s: R_s x

        double Objective(ReadOnlySpan<double> p, Span<double> gradient)
        {
            var x = p[..l];
            var alpha = p[l..];
            Softmax.Apply(alpha, rho);
            for (int s = 0; s < l; s++)
            {
                for (int t = 0; t < l; t++)
                {
                    shifted[(s * l) + t] = x[(t - s + l) % l];
                }
            }

            // Models and residuals.
            Array.Clear(model1);
            Array.Clear(residual2);
            for (int s = 0; s < l; s++)
            {
                var row = shifted.AsSpan(s * l, l);
                double r = rho[s];
                for (int t = 0; t < l; t++)
                {
                    model1[t] += r * row[t];
                    double rt = r * row[t];
                    var target = residual2.AsSpan(t * l, l);
                    for (int u = 0; u < l; u++)
                    {
                        target[u] += rt * row[u];
                    }
                }
            }

            double f1 = 0, f2 = 0;
            for (int t = 0; t < l; t++)
            {
                model1[t] -= m1[t];
                f1 += model1[t] * model1[t];
            }

            for (int i = 0; i < l * l; i++)
            {
                residual2[i] -= m2[i];
                f2 += residual2[i] * residual2[i];
            }

            // Gradients: ∂/∂x[a] = 2w₁Σ_s ρ_s r₁[a+s] + 4w₂Σ_s ρ_s Σ_u R₂[a+s, u]·x[u−s];
            // ∂/∂ρ_s = 2w₁⟨r₁, R_s x⟩ + 2w₂(R_s x)ᵀR₂(R_s x).
            gradient.Clear();
            var gx = gradient[..l];
            for (int s = 0; s < l; s++)
            {
                var row = shifted.AsSpan(s * l, l);
                double r = rho[s], first = 0, second = 0;
                for (int t = 0; t < l; t++)
                {
                    double rx = System.Numerics.Tensors.TensorPrimitives.Dot(residual2.AsSpan(t * l, l), row);
                    first += model1[t] * row[t];
                    second += row[t] * rx;

                    // t = a + s  →  a = t − s
                    int a = (t - s + l) % l;
                    gx[a] += r * ((2 * w1 * model1[t]) + (4 * w2 * rx));
                }

                gradRho[s] = (2 * w1 * first) + (2 * w2 * second);
            }

            // Through the softmax: ∂/∂α_s = ρ_s(g_s − Σρg).
            double mean = 0;
            for (int s = 0; s < l; s++)
            {
                mean += rho[s] * gradRho[s];
            }

            for (int s = 0; s < l; s++)
            {
                gradient[l + s] = rho[s] * (gradRho[s] - mean);
            }

            return (w1 * f1) + (w2 * f2);
        }

        var random = seeds.CreateStream();
        LbfgsResult? best = null;
        var start = new double[2 * l];
        var options = new LbfgsOptions { MaxIterations = 3000, GradientTolerance = 1e-12, FunctionTolerance = 1e-15 };
        for (int r = 0; r < restarts; r++)
        {
            for (int i = 0; i < l; i++)
            {
                start[i] = scale * random.NextGaussian();
                start[l + i] = 0.1 * random.NextGaussian();
            }

            var result = Lbfgs.Minimize(Objective, start, options);
            if (best is null || result.Value < best.Value)
            {
                best = result;
            }
        }

        var fitted = best!.Minimizer;
        var distribution = new double[l];
        Softmax.Apply(fitted.AsSpan(l), distribution);
        return new MraEstimate(fitted[..l], distribution, clock.Elapsed.TotalSeconds, best.Iterations, best.Value);
    }
}
