namespace CryoSharp.Numerics;

/// <summary>
/// A seeded source of standard normal samples (Box–Muller, both values of each pair used). Like
/// <see cref="Random"/>, one instance must not be shared between threads; give each thread its own seed.
/// </summary>
public sealed class NormalRandom
{
    private double spare;
    private bool hasSpare;

    /// <summary>Creates the generator from a seed.</summary>
    public NormalRandom(int seed) : this(new Random(seed)) { }

    /// <summary>Creates the generator over an existing uniform source (which it then owns).</summary>
    public NormalRandom(Random uniform)
    {
        Uniform = uniform ?? throw new ArgumentNullException(nameof(uniform));
    }

    /// <summary>The underlying uniform generator, for draws that need uniform numbers from the same stream.</summary>
    public Random Uniform { get; }

    /// <summary>One N(0, 1) sample.</summary>
    public double Next()
    {
        if (hasSpare)
        {
            hasSpare = false;
            return spare;
        }

        double u1 = 1.0 - Uniform.NextDouble(); // in (0, 1], so the logarithm is finite
        double u2 = Uniform.NextDouble();
        double r = Math.Sqrt(-2.0 * Math.Log(u1));
        var (s, c) = Math.SinCos(2 * Math.PI * u2);
        spare = r * s;
        hasSpare = true;
        return r * c;
    }

    /// <summary><paramref name="count"/> independent N(0, 1) samples (a random starting point for a solver).</summary>
    public double[] NextVector(int count)
    {
        var result = new double[count];
        for (int i = 0; i < count; i++)
        {
            result[i] = Next();
        }

        return result;
    }

    /// <summary>Fills <paramref name="destination"/> with N(mean, σ²) samples.</summary>
    public void Fill(Span<float> destination, double mean = 0, double sigma = 1)
    {
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = (float)(mean + (sigma * Next()));
        }
    }
}
