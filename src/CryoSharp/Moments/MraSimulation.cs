using CryoSharp.Numerics;

namespace CryoSharp.Moments;

/// <summary>
/// Simulated multireference alignment data, generated on demand: yⱼ = R_{sⱼ}x + εⱼ with (R_s x)[t] = x[t − s mod L],
/// sⱼ ~ ρ and εⱼ ~ N(0, σ²I). Chunk c is drawn from its own seeded generators, so every pass sees the same data,
/// whatever the thread count, and nothing of size N is stored.
/// </summary>
public sealed class MraSimulation : IMraObservations
{
    private readonly float[] signal;

    /// <summary>Creates the simulation.</summary>
    /// <param name="signal">x, length L.</param>
    /// <param name="shifts">ρ on ℤ_L.</param>
    /// <param name="sigma">Noise standard deviation σ per sample.</param>
    /// <param name="count">N.</param>
    /// <param name="seeds">Where the shifts and the noise come from: chunk c draws both from child c.</param>
    /// <param name="chunkSize">Observations per chunk.</param>
    public MraSimulation(double[] signal, ShiftDistribution shifts, double sigma, long count, SeedSequence seeds, int chunkSize = 16384)
    {
        ArgumentNullException.ThrowIfNull(seeds);
        ArgumentNullException.ThrowIfNull(signal);
        ArgumentNullException.ThrowIfNull(shifts);
        MraSignal.CheckLength(signal.Length);
        if (shifts.Length != signal.Length)
        {
            throw new InvalidParameterException("shift distribution length", shifts.Length, $"must equal the signal length {signal.Length}");
        }

        if (!(sigma >= 0) || double.IsInfinity(sigma))
        {
            throw new InvalidParameterException("--sigma", sigma, "must be a finite noise level, not negative");
        }

        if (count < 1 || count > (long)int.MaxValue * 16)
        {
            throw new InvalidParameterException("--count", count, "must be at least 1");
        }

        Signal = signal;
        Shifts = shifts;
        Sigma = sigma;
        Count = count;
        Seeds = seeds;
        ChunkSize = chunkSize;
        this.signal = [.. signal.Select(v => (float)v)];
    }

    /// <summary>The true signal x.</summary>
    public double[] Signal { get; }

    /// <summary>The true ρ.</summary>
    public ShiftDistribution Shifts { get; }

    /// <summary>σ.</summary>
    public double Sigma { get; }

    /// <summary>Where the data's randomness comes from.</summary>
    public SeedSequence Seeds { get; }

    /// <inheritdoc />
    public int Length => signal.Length;

    /// <inheritdoc />
    public long Count { get; }

    /// <inheritdoc />
    public int ChunkSize { get; }

    /// <inheritdoc />
    public bool HasShifts => true;

    /// <inheritdoc />
    public void Read(int chunk, Span<float> observations, Span<int> shifts)
    {
        int n = ((IMraObservations)this).ChunkLength(chunk), length = Length;
        // One stream per chunk: first the chunk's shifts, then its noise.
        var random = new RandomStream(Seeds.ChildSeed(chunk));
        var rows = observations[..(n * length)];
        for (int j = 0; j < n; j++)
        {
            int s = Shifts.Sample(random.NextDouble());
            if (!shifts.IsEmpty)
            {
                shifts[j] = s;
            }

            // R_s x: x[t − s] at t, i.e. x's tail first.
            var row = rows.Slice(j * length, length);
            signal.AsSpan(length - s).CopyTo(row);
            signal.AsSpan(0, length - s).CopyTo(row[s..]);
        }

        if (Sigma > 0)
        {
            random.AddGaussianNoise(rows, (float)Sigma);
        }
    }
}
