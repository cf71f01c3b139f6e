using CryoSharp.Numerics;

namespace CryoSharp.Poses;

/// <summary>
/// Puts a distance in radians without knowing any pose, by matching quantiles: for orientations drawn uniformly from
/// SO(3) the angle θ between two of them has the distribution F(θ) = (θ − sin θ)/π on [0, π], so a distance whose
/// value ranks at quantile r among random pairs is mapped to F⁻¹(r). The map is monotone, so nearest neighbours are
/// unchanged; it assumes the particles' views are spread (near-)uniformly, and it makes the distance's distribution
/// right, not each pair's value.
/// </summary>
public sealed class CalibratedPairDistance : PairDistance
{
    private const int TableSize = 4096;
    private readonly PairDistance inner;
    private readonly double[] sortedSample;
    private readonly double[] inverseTable;

    private CalibratedPairDistance(PairDistance inner, double[] sortedSample)
    {
        this.inner = inner;
        this.sortedSample = sortedSample;
        inverseTable = new double[TableSize + 1];
        for (int t = 0; t <= TableSize; t++)
        {
            inverseTable[t] = InverseAngleDistribution((double)t / TableSize);
        }
    }

    /// <summary>Calibrates <paramref name="inner"/> on the distances of <paramref name="pairs"/> random pairs.</summary>
    public static CalibratedPairDistance Fit(PairDistance inner, int pairs, SeedSequence seeds, ComputeContext? context = null)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(seeds);
        if (inner.Count < 2)
        {
            throw new InvalidParameterException("particles", inner.Count, "need at least two to calibrate a distance");
        }

        var random = seeds.CreateStream();
        var first = new int[pairs];
        var second = new int[pairs];
        for (int p = 0; p < pairs; p++)
        {
            first[p] = random.NextInt(inner.Count);
            second[p] = (first[p] + 1 + random.NextInt(inner.Count - 1)) % inner.Count;
        }

        var values = new float[pairs];
        inner.Compute(first, second, values, context);
        var sorted = Array.ConvertAll(values, v => (double)v);
        Array.Sort(sorted);
        return new CalibratedPairDistance(inner, sorted);
    }

    /// <summary>The distance before calibration.</summary>
    public PairDistance Inner => inner;

    /// <inheritdoc/>
    public override int Count => inner.Count;

    /// <inheritdoc/>
    public override string Name => inner.Name + ", quantile-calibrated";

    /// <summary>The angle (radians) a raw distance maps to.</summary>
    public double Calibrate(double raw)
    {
        // Rank by binary search, interpolated between neighbouring sample values, then F⁻¹ from the table.
        int n = sortedSample.Length;
        int at = Array.BinarySearch(sortedSample, raw);
        double rank;
        if (at >= 0)
        {
            rank = (at + 0.5) / n;
        }
        else
        {
            int above = ~at;
            if (above == 0)
            {
                rank = 0;
            }
            else if (above == n)
            {
                rank = 1;
            }
            else
            {
                double lo = sortedSample[above - 1], hi = sortedSample[above];
                double f = hi > lo ? (raw - lo) / (hi - lo) : 0.5;
                rank = (above - 0.5 + f) / n;
            }
        }

        double t = Math.Clamp(rank, 0, 1) * TableSize;
        int k = Math.Min(TableSize - 1, (int)t);
        return inverseTable[k] + ((t - k) * (inverseTable[k + 1] - inverseTable[k]));
    }

    /// <summary>F⁻¹(r) for F(θ) = (θ − sin θ)/π, by bisection (F is increasing on [0, π]).</summary>
    public static double InverseAngleDistribution(double r)
    {
        double lo = 0, hi = Math.PI, target = Math.Clamp(r, 0, 1) * Math.PI;
        for (int it = 0; it < 60; it++)
        {
            double mid = (lo + hi) / 2;
            if (mid - Math.Sin(mid) < target)
            {
                lo = mid;
            }
            else
            {
                hi = mid;
            }
        }

        return (lo + hi) / 2;
    }

    /// <inheritdoc/>
    public override void Compute(int[] first, int[] second, float[] distances, ComputeContext? context = null)
    {
        inner.Compute(first, second, distances, context);
        ArgumentNullException.ThrowIfNull(first);
        for (int p = 0; p < first.Length; p++)
        {
            distances[p] = (float)Calibrate(distances[p]);
        }
    }

    /// <inheritdoc/>
    public override int[][] Neighbours(int neighbours, ComputeContext? context = null) => inner.Neighbours(neighbours, context);

    /// <inheritdoc/>
    protected internal override int ScratchLength => inner.ScratchLength;

    /// <inheritdoc/>
    protected internal override double Distance(int i, int j, Span<double> scratch) => Calibrate(inner.Distance(i, j, scratch));
}
