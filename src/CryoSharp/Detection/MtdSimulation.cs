using CryoSharp.Numerics;

namespace CryoSharp.Detection;

/// <summary>
/// A simulated multi-target detection measurement y = Σᵢ x(· − pᵢ) + ε of length N: copies of x ∈ ℝᴸ at positions
/// pᵢ drawn as a renewal process (minimum spacing by <see cref="MtdSpacing"/> plus a geometric gap whose mean sets
/// the density γ = (copies·L)/N), and white noise ε ~ N(0, σ²). Positions are drawn once (a few MB even for
/// N = 10⁹); noise is generated per chunk from its own seed, so any chunk (and the halo from the next) can be
/// produced on demand, by any thread, identically: 10⁸ samples need no storage.
/// </summary>
public sealed class MtdSimulation : IMtdMeasurement
{
    private readonly float[] signal;
    private readonly long[] positions;
    private readonly SeedSequence noiseSeeds;

    /// <summary>Creates the simulation.</summary>
    /// <param name="signal">x, length L.</param>
    /// <param name="length">N.</param>
    /// <param name="gamma">Target density γ: the expected fraction of samples covered by copies.</param>
    /// <param name="sigma">Noise standard deviation σ.</param>
    /// <param name="spacing">Placement model.</param>
    /// <param name="seeds">Where the positions (child "positions") and each chunk's noise (child ("noise", chunk)) come from.</param>
    /// <param name="chunkSize">Samples per chunk.</param>
    public MtdSimulation(double[] signal, long length, double gamma, double sigma, MtdSpacing spacing, SeedSequence seeds, int chunkSize = 1 << 20)
    {
        ArgumentNullException.ThrowIfNull(signal);
        ArgumentNullException.ThrowIfNull(seeds);
        int l = signal.Length;
        if (l < 2)
        {
            throw new InvalidParameterException("signal length", l, "must be at least 2");
        }

        int minimum = spacing == MtdSpacing.WellSeparated ? (2 * l) - 1 : l;
        double densest = (double)l / minimum;
        if (!(gamma > 0) || gamma > densest)
        {
            throw new InvalidParameterException("--gamma", gamma, $"must be in (0, {densest:0.###}] (L/{minimum}: the densest packing with this spacing)");
        }

        if (length < 4L * minimum)
        {
            throw new InvalidParameterException("--measurement-length", length, $"must be at least {4L * minimum} for a signal of length {l}");
        }

        if (!(sigma >= 0) || double.IsInfinity(sigma))
        {
            throw new InvalidParameterException("--sigma", sigma, "must be a finite noise level, not negative");
        }

        Signal = signal;
        Length = length;
        Sigma = sigma;
        Spacing = spacing;
        Seeds = seeds;
        noiseSeeds = seeds.Spawn("noise");
        ChunkSize = chunkSize;
        this.signal = [.. signal.Select(v => (float)v)];

        // Renewal process: spacing = minimum + g, g geometric on {0, 1, …} with mean L/γ − minimum.
        double meanGap = (l / gamma) - minimum;
        double q = meanGap / (1 + meanGap);
        var random = seeds.Spawn("positions").CreateStream();
        var list = new List<long>();
        long p = (long)(random.NextDouble() * (l / gamma));
        while (p + l <= length)
        {
            list.Add(p);
            long gap = q <= 0 ? 0 : (long)Math.Floor(Math.Log(1 - random.NextDouble()) / Math.Log(q));
            p += minimum + gap;
        }

        positions = [.. list];
    }

    /// <summary>x.</summary>
    public double[] Signal { get; }

    /// <summary>σ.</summary>
    public double Sigma { get; }

    /// <summary>The placement model.</summary>
    public MtdSpacing Spacing { get; }

    /// <summary>Where the measurement's randomness comes from.</summary>
    public SeedSequence Seeds { get; }

    /// <summary>Number of copies placed.</summary>
    public int Copies => positions.Length;

    /// <summary>The realised density: copies·L/N.</summary>
    public double Gamma => (double)positions.Length * signal.Length / Length;

    /// <summary>The start of every copy, increasing.</summary>
    public IReadOnlyList<long> Positions => positions;

    /// <inheritdoc />
    public long Length { get; }

    /// <inheritdoc />
    public int ChunkSize { get; }

    /// <inheritdoc />
    public int Read(int chunk, int halo, Span<float> destination)
    {
        var self = (IMtdMeasurement)this;
        int n = self.ChunkLength(chunk);
        int extra = chunk + 1 < self.ChunkCount ? Math.Min(halo, self.ChunkLength(chunk + 1)) : 0;
        var target = destination[..(n + extra)];
        target.Clear();
        long start = (long)chunk * ChunkSize, end = start + n + extra;

        // Copies overlapping [start, end).
        int first = Array.BinarySearch(positions, start - signal.Length + 1);
        first = first >= 0 ? first : ~first;
        for (int i = first; i < positions.Length && positions[i] < end; i++)
        {
            for (int t = 0; t < signal.Length; t++)
            {
                long at = positions[i] + t - start;
                if (at >= 0 && at < target.Length)
                {
                    target[(int)at] += signal[t];
                }
            }
        }

        if (Sigma > 0)
        {
            new RandomStream(noiseSeeds.ChildSeed(chunk)).AddGaussianNoise(target[..n], (float)Sigma);
            if (extra > 0)
            {
                // The halo is the start of the next chunk's own noise stream.
                new RandomStream(noiseSeeds.ChildSeed(chunk + 1)).AddGaussianNoise(target.Slice(n, extra), (float)Sigma);
            }
        }

        return extra;
    }
}
