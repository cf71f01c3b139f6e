using System.Diagnostics;
using CryoSharp.Distributed;
using CryoSharp.Numerics;

namespace CryoSharp.Moments;

/// <summary>
/// The oracle estimator, with the true shifts known: x̂ = (1/N)Σⱼ R_{sⱼ}⁻¹yⱼ, the best any method can do (its error
/// is σ·√(L/N)/‖x‖ on average), and ρ̂ the histogram of the shifts.
/// </summary>
public sealed class OracleAlignment : IMraEstimator
{
    /// <summary>Creates the estimator.</summary>
    public OracleAlignment(ComputeContext? context = null)
    {
        Context = context ?? ComputeContext.Default;
    }

    /// <summary>The threads of the pass.</summary>
    public ComputeContext Context { get; }

    /// <summary>Averages the aligned observations (σ is not needed).</summary>
    public MraSolution Estimate(IMraObservations observations, double sigma)
    {
        var estimate = Solve(observations, Context);
        return new MraSolution(estimate, 0, estimate.Seconds);
    }

    /// <summary>Averages the aligned observations.</summary>
    public static MraEstimate Solve(IMraObservations source, ComputeContext? context = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (!source.HasShifts)
        {
            throw new CryoSharpException("The oracle needs the true shifts, and these observations have none.");
        }

        var clock = Stopwatch.StartNew();
        int l = source.Length;
        var total = ChunkedPass.Run(source, true, context ?? ComputeContext.Default, () => 0, (observations, shifts, n, _) =>
        {
            var sums = new double[2 * l];
            for (int j = 0; j < n; j++)
            {
                int s = shifts[j];
                var y = observations.AsSpan(j * l, l);

                // (R_s⁻¹ y)[t] = y[t + s]
                for (int t = 0; t < l; t++)
                {
                    sums[t] += y[(t + s) % l];
                }

                sums[l + s] += 1;
            }

            return new VectorSum(sums);
        }, () => new VectorSum(2 * l)).Values;

        double count = source.Count;
        return new MraEstimate([.. total.Take(l).Select(v => v / count)], [.. total.Skip(l).Select(v => v / count)],
            clock.Elapsed.TotalSeconds, 1, 0);
    }
}
