using System.Numerics.Tensors;

namespace CryoSharp.Numerics;

/// <summary>
/// Fast seeded Gaussian noise for large images: uniform numbers from xoshiro128** (Blackman and Vigna), seeded by
/// SplitMix64, turned into normal ones by the Box–Muller transform computed a block at a time with
/// <see cref="TensorPrimitives"/> (vectorised logarithm, square root, sine and cosine). Single precision, which is
/// what the images are. One instance per thread; the same seed gives the same noise on every machine.
/// </summary>
public sealed class GaussianNoiseGenerator
{
    private const int Block = 1024;
    private readonly float[] u1 = new float[Block / 2];
    private readonly float[] u2 = new float[Block / 2];
    private readonly float[] radius = new float[Block / 2];
    private uint s0, s1, s2, s3;

    /// <summary>Creates the generator from a 64-bit seed.</summary>
    public GaussianNoiseGenerator(ulong seed)
    {
        Reset(seed);
    }

    /// <summary>Restarts the generator at <paramref name="seed"/> (the same stream a new one would give).</summary>
    public void Reset(ulong seed)
    {
        ulong a = SplitMix(ref seed), b = SplitMix(ref seed);
        (s0, s1, s2, s3) = ((uint)a, (uint)(a >> 32), (uint)b, (uint)(b >> 32));
        if ((s0 | s1 | s2 | s3) == 0)
        {
            s0 = 1;
        }
    }

    /// <summary>Adds N(0, σ²) to every value of <paramref name="destination"/>.</summary>
    public void Add(Span<float> destination, float sigma)
    {
        Span<float> pairs = stackalloc float[Block];
        for (int start = 0; start < destination.Length; start += Block)
        {
            int n = Math.Min(Block, destination.Length - start);
            Normals(pairs, sigma);
            TensorPrimitives.Add(destination.Slice(start, n), pairs[..n], destination.Slice(start, n));
        }
    }

    /// <summary>Fills <paramref name="destination"/> (length <see cref="Block"/>) with N(0, σ²) samples.</summary>
    private void Normals(Span<float> destination, float sigma)
    {
        const float scale = 1f / (1 << 24);
        for (int i = 0; i < u1.Length; i++)
        {
            // 24-bit uniforms in (0, 1] for the logarithm and [0, 1) for the angle.
            u1[i] = ((Next() >> 8) + 1) * scale;
            u2[i] = (Next() >> 8) * scale * (2 * MathF.PI);
        }

        // r = σ·√(−2 ln u1); the pair is (r cos θ, r sin θ).
        TensorPrimitives.Log(u1, radius);
        TensorPrimitives.Multiply(radius, -2f, radius);
        TensorPrimitives.Sqrt(radius, radius);
        TensorPrimitives.Multiply(radius, sigma, radius);
        var first = destination[..u1.Length];
        var second = destination[u1.Length..];
        TensorPrimitives.Cos(u2, first);
        TensorPrimitives.Sin(u2, second);
        TensorPrimitives.Multiply(first, radius, first);
        TensorPrimitives.Multiply(second, radius, second);
    }

    private uint Next()
    {
        uint result = uint.RotateLeft(s1 * 5, 7) * 9;
        uint t = s1 << 9;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = uint.RotateLeft(s3, 11);
        return result;
    }

    private static ulong SplitMix(ref ulong state)
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
