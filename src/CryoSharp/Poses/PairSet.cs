using CryoSharp.Numerics;

namespace CryoSharp.Poses;

/// <summary>
/// The pairs (i, j) pose recovery fits, with their distances d_p: drawn once (per particle, its nearest neighbours,
/// random partners, or both) and scored once, so that an expensive distance is paid for once however many epochs the
/// optimiser runs. Memory: 12 bytes a pair.
/// </summary>
public sealed class PairSet
{
    /// <summary>A set of given pairs.</summary>
    public PairSet(int particles, int[] first, int[] second, float[] distances)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        ArgumentNullException.ThrowIfNull(distances);
        if (second.Length != first.Length || distances.Length != first.Length)
        {
            throw new ArgumentException("Need as many second particles and distances as first ones.");
        }

        Particles = particles;
        First = first;
        Second = second;
        Distances = distances;
    }

    /// <summary>Particles the pairs index.</summary>
    public int Particles { get; }

    /// <summary>The first particle of each pair.</summary>
    public int[] First { get; }

    /// <summary>The second particle of each pair.</summary>
    public int[] Second { get; }

    /// <summary>The distance d_p of each pair (radians when the distance is).</summary>
    public float[] Distances { get; }

    /// <summary>Pairs.</summary>
    public int Count => First.Length;

    /// <summary>
    /// Draws <paramref name="perParticle"/> pairs for every particle and scores them. kNN pairs are each particle with its
    /// nearest neighbours under <paramref name="distance"/>; random pairs are each particle with others drawn uniformly;
    /// mixed takes half of each.
    /// </summary>
    /// <param name="distance">The distance to score (and, for kNN pairs, to find neighbours by).</param>
    /// <param name="sampling">Which pairs.</param>
    /// <param name="perParticle">Pairs per particle.</param>
    /// <param name="seeds">Seeds of the random partners.</param>
    /// <param name="context">Threads.</param>
    /// <param name="neighbours">Precomputed nearest neighbours (nearest first), or null to find them here.</param>
    public static PairSet Sample(PairDistance distance, PairSampling sampling, int perParticle, SeedSequence seeds, ComputeContext? context = null, int[][]? neighbours = null)
    {
        ArgumentNullException.ThrowIfNull(distance);
        ArgumentNullException.ThrowIfNull(seeds);
        InvalidParameterException.ThrowIfNotPositive("pairs per particle", perParticle);
        int n = distance.Count;
        if (n < 2)
        {
            throw new InvalidParameterException("particles", n, "pose recovery needs at least two");
        }

        int knn = sampling switch
        {
            PairSampling.Knn => Math.Min(perParticle, n - 1),
            PairSampling.Mixed => Math.Min(Math.Max(1, perParticle / 2), n - 1),
            _ => 0,
        };
        int random = sampling == PairSampling.Knn ? 0 : perParticle - (sampling == PairSampling.Mixed ? knn : 0);
        neighbours = knn > 0 ? neighbours ?? distance.Neighbours(knn, context) : null;
        long total = (long)n * (knn + random);
        if (total > int.MaxValue)
        {
            throw new InvalidParameterException("pairs per particle", perParticle, $"gives {total} pairs, more than one set can hold");
        }

        var first = new int[total];
        var second = new int[total];
        int p = 0;
        for (int i = 0; i < n; i++)
        {
            var rng = seeds.Spawn("partners", i).CreateStream();
            if (neighbours is not null)
            {
                var near = neighbours[i];
                for (int r = 0; r < knn && r < near.Length; r++)
                {
                    (first[p], second[p]) = (i, near[r]);
                    p++;
                }
            }

            for (int r = 0; r < random; r++)
            {
                (first[p], second[p]) = (i, (i + 1 + rng.NextInt(n - 1)) % n);
                p++;
            }
        }

        Array.Resize(ref first, p);
        Array.Resize(ref second, p);
        var distances = new float[p];
        distance.Compute(first, second, distances, context);
        return new PairSet(n, first, second, distances);
    }
}
