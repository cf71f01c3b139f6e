using CryoSharp.Geometry;
using CryoSharp.Numerics;

namespace CryoSharp.Poses;

/// <summary>
/// How good recovered orientations are against the truth: the angle errors after the two-sided alignment (what a fit
/// to pairwise distances can determine) and after the one-sided one (what a reconstruction can absorb), how well the
/// fitted distances tracked the true angles, and how spread the recovered orientations are (kNN-only pairs let them
/// clump).
/// </summary>
/// <param name="TwoSided">Errors after the best A·T(R̂)·B.</param>
/// <param name="OneSided">Errors after the best map rotation and hand only.</param>
/// <param name="DistanceCorrelation">Pearson correlation of d_p with the true d_q over the fitted pairs.</param>
/// <param name="DistanceRmsErrorRad">Root mean square of d_p − d_q over the fitted pairs (radians).</param>
/// <param name="NeighbourMedianAngleRad">Median true angle of the fitted pairs' first (kNN) half, or of all pairs for random ones.</param>
/// <param name="MeanPairAngleRecoveredRad">Mean angle between random pairs of recovered orientations (uniform SO(3): π/2 + 2/π ≈ 126.5°).</param>
/// <param name="MeanPairAngleTrueRad">The same for the true orientations.</param>
public sealed record PoseRecoveryScore(PoseAlignment TwoSided, PoseAlignment OneSided, double DistanceCorrelation, double DistanceRmsErrorRad,
    double NeighbourMedianAngleRad, double MeanPairAngleRecoveredRad, double MeanPairAngleTrueRad)
{
    /// <summary>The mean angle between two orientations drawn uniformly from SO(3): π/2 + 2/π radians.</summary>
    public static double UniformMeanPairAngleRad => (Math.PI / 2) + (2 / Math.PI);

    /// <summary>Scores <paramref name="recovered"/> against <paramref name="truth"/> on the fitted <paramref name="pairs"/>.</summary>
    public static PoseRecoveryScore Compute(IReadOnlyList<UnitQuaternion> truth, IReadOnlyList<UnitQuaternion> recovered, PairSet pairs, SeedSequence seeds)
    {
        ArgumentNullException.ThrowIfNull(truth);
        ArgumentNullException.ThrowIfNull(recovered);
        ArgumentNullException.ThrowIfNull(pairs);
        ArgumentNullException.ThrowIfNull(seeds);
        var trueMatrices = truth.Select(q => q.ToMatrix()).ToArray();
        var recoveredMatrices = recovered.Select(q => q.ToMatrix()).ToArray();
        var twoSided = PoseAlignment.TwoSided(trueMatrices, recoveredMatrices, seeds.Spawn("alignment"));
        var oneSided = PoseAlignment.OneSided(trueMatrices, recoveredMatrices);

        var exact = TrueDistances(truth, pairs);
        double mp = 0, mq = 0;
        for (int p = 0; p < pairs.Count; p++)
        {
            mp += pairs.Distances[p];
            mq += exact[p];
        }

        mp /= pairs.Count;
        mq /= pairs.Count;
        double spq = 0, spp = 0, sqq = 0, squared = 0;
        for (int p = 0; p < pairs.Count; p++)
        {
            double a = pairs.Distances[p] - mp, b = exact[p] - mq, r = pairs.Distances[p] - exact[p];
            spq += a * b;
            spp += a * a;
            sqq += b * b;
            squared += r * r;
        }

        // The pairs are drawn particle by particle, the nearest first: the first of each particle's run is its nearest.
        var nearest = new List<double>();
        for (int p = 0; p < pairs.Count; p++)
        {
            if (p == 0 || pairs.First[p] != pairs.First[p - 1])
            {
                nearest.Add(exact[p]);
            }
        }

        nearest.Sort();
        var random = seeds.Spawn("spread").CreateStream();
        double recoveredSpread = 0, trueSpread = 0;
        const int SpreadPairs = 20000;
        for (int s = 0; s < SpreadPairs; s++)
        {
            int i = random.NextInt(truth.Count), j = random.NextInt(truth.Count);
            recoveredSpread += recovered[i].DistanceTo(recovered[j]);
            trueSpread += truth[i].DistanceTo(truth[j]);
        }

        double correlation = spp > 0 && sqq > 0 ? spq / Math.Sqrt(spp * sqq) : double.NaN;
        return new PoseRecoveryScore(twoSided, oneSided, correlation, Math.Sqrt(squared / pairs.Count), nearest[nearest.Count / 2],
            recoveredSpread / SpreadPairs, trueSpread / SpreadPairs);
    }

    /// <summary>The true angle of every pair (radians).</summary>
    public static double[] TrueDistances(IReadOnlyList<UnitQuaternion> truth, PairSet pairs)
    {
        ArgumentNullException.ThrowIfNull(truth);
        ArgumentNullException.ThrowIfNull(pairs);
        var d = new double[pairs.Count];
        for (int p = 0; p < d.Length; p++)
        {
            d[p] = truth[pairs.First[p]].DistanceTo(truth[pairs.Second[p]]);
        }

        return d;
    }
}
