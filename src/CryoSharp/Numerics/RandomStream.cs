using System.Numerics.Tensors;

namespace CryoSharp.Numerics;

/// <summary>
/// The library's one random generator: xoshiro256** (Blackman and Vigna 2018), seeded through SplitMix64 from a
/// 64-bit seed (<see cref="SeedSequence"/> hands them out). Uniform integers and doubles, standard normals (Box–Muller,
/// both values of each pair used), and Gaussian noise for large images computed a block at a time with vectorised
/// logarithm, square root, sine and cosine. The same seed gives the same numbers on every machine. One instance per
/// thread; <see cref="Reset"/> reuses one for many short streams (a particle's noise) without allocating.
/// </summary>
public sealed class RandomStream
{
    private const int Block = 1024;
    private ulong s0, s1, s2, s3;
    private double spare;
    private bool hasSpare;
    private float[]? u1, u2, radius;

    /// <summary>Creates the generator at <paramref name="seed"/>.</summary>
    public RandomStream(ulong seed)
    {
        Reset(seed);
    }

    /// <summary>Restarts at <paramref name="seed"/>: the same stream a new generator would give.</summary>
    public void Reset(ulong seed)
    {
        ulong x = seed;
        s0 = SplitMix(ref x);
        s1 = SplitMix(ref x);
        s2 = SplitMix(ref x);
        s3 = SplitMix(ref x);
        hasSpare = false;
    }

    /// <summary>
    /// A generator at this one's state (the Gaussian pair in hand included): both then give the same numbers. What
    /// lets a long stream be replayed from a saved point instead of kept.
    /// </summary>
    public RandomStream Copy() => new(0) { s0 = s0, s1 = s1, s2 = s2, s3 = s3, spare = spare, hasSpare = hasSpare };

    /// <summary>64 uniformly random bits.</summary>
    public ulong NextUInt64()
    {
        ulong result = ulong.RotateLeft(s1 * 5, 7) * 9;
        ulong t = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = ulong.RotateLeft(s3, 45);
        return result;
    }

    /// <summary>A uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A uniform integer in [0, <paramref name="maxExclusive"/>), without bias (Lemire's method).</summary>
    public int NextInt(int maxExclusive)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxExclusive);
        ulong range = (ulong)maxExclusive;
        UInt128 product = (UInt128)NextUInt64() * range;
        ulong low = (ulong)product;
        if (low < range)
        {
            ulong threshold = (0UL - range) % range;
            while (low < threshold)
            {
                product = (UInt128)NextUInt64() * range;
                low = (ulong)product;
            }
        }

        return (int)(product >> 64);
    }

    /// <summary>A uniform integer in [<paramref name="min"/>, <paramref name="maxExclusive"/>).</summary>
    public int NextInt(int min, int maxExclusive) => min + NextInt(maxExclusive - min);

    /// <summary>One N(0, 1) sample.</summary>
    public double NextGaussian()
    {
        if (hasSpare)
        {
            hasSpare = false;
            return spare;
        }

        double u = 1.0 - NextDouble(); // in (0, 1], so the logarithm is finite
        double r = Math.Sqrt(-2.0 * Math.Log(u));
        var (s, c) = Math.SinCos(2 * Math.PI * NextDouble());
        spare = r * s;
        hasSpare = true;
        return r * c;
    }

    /// <summary><paramref name="count"/> independent N(0, 1) samples (a random start for a solver).</summary>
    public double[] NextGaussianVector(int count)
    {
        var result = new double[count];
        for (int i = 0; i < count; i++)
        {
            result[i] = NextGaussian();
        }

        return result;
    }

    /// <summary>Fills <paramref name="destination"/> with N(mean, σ²) samples.</summary>
    public void FillGaussian(Span<float> destination, double mean = 0, double sigma = 1)
    {
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = (float)(mean + (sigma * NextGaussian()));
        }
    }

    /// <summary>Fills <paramref name="destination"/> with N(mean, σ²) samples.</summary>
    public void FillGaussian(Span<double> destination, double mean = 0, double sigma = 1)
    {
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = mean + (sigma * NextGaussian());
        }
    }

    /// <summary>
    /// Adds N(0, σ²) to every value of <paramref name="destination"/>, in single precision and vectorised: the fast
    /// path for noise on images (24-bit uniforms, two per 64-bit draw).
    /// </summary>
    public void AddGaussianNoise(Span<float> destination, float sigma)
    {
        u1 ??= new float[Block / 2];
        u2 ??= new float[Block / 2];
        radius ??= new float[Block / 2];
        Span<float> pairs = stackalloc float[Block];
        for (int start = 0; start < destination.Length; start += Block)
        {
            int n = Math.Min(Block, destination.Length - start);
            Normals(pairs, sigma);
            TensorPrimitives.Add(destination.Slice(start, n), pairs[..n], destination.Slice(start, n));
        }
    }

    private void Normals(Span<float> destination, float sigma)
    {
        const float scale = 1f / (1 << 24);
        var (a, b, r) = (u1!, u2!, radius!);
        for (int i = 0; i < a.Length; i++)
        {
            // 24-bit uniforms in (0, 1] for the logarithm and [0, 1) for the angle, from one 64-bit draw.
            ulong bits = NextUInt64();
            a[i] = ((uint)(bits >> 40) + 1) * scale;
            b[i] = ((uint)(bits >> 16) & 0xFFFFFF) * scale * (2 * MathF.PI);
        }

        // r = σ·√(−2 ln u1); the pair is (r cos θ, r sin θ).
        TensorPrimitives.Log(a, r);
        TensorPrimitives.Multiply(r, -2f, r);
        TensorPrimitives.Sqrt(r, r);
        TensorPrimitives.Multiply(r, sigma, r);
        var first = destination[..a.Length];
        var second = destination[a.Length..];
        TensorPrimitives.Cos(b, first);
        TensorPrimitives.Sin(b, second);
        TensorPrimitives.Multiply(first, r, first);
        TensorPrimitives.Multiply(second, r, second);
    }

    private static ulong SplitMix(ref ulong state)
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        return SeedSequence.Mix(z);
    }
}
