using System.Buffers;
using CryoSharp.Numerics;
using CryoSharp.Projection;

namespace CryoSharp.Particles;

/// <summary>
/// Particles formed from a map on demand, nothing stored: each image is the projection at its record's pose,
/// translated by −origin, times its CTF (RELION's image formation, <see cref="ParticleImageFormation"/>), plus white
/// Gaussian noise of standard deviation <see cref="NoiseSigma"/> drawn from that particle's own stream (child i of
/// the noise seeds). So any
/// particle's image is the same whoever reads it, in whichever chunk, on however many threads.
/// </summary>
public sealed class SimulatedParticleSource : IParticleSource
{
    private readonly FourierProjector projector;
    private readonly IReadOnlyList<ParticleRecord> records;
    private readonly SeedSequence? noiseSeeds;

    /// <summary>Creates the source.</summary>
    /// <param name="projector">The projector of the ground-truth map (its box and pixel size are the images').</param>
    /// <param name="records">The particles: pose, CTF (null for none), optics, subset.</param>
    /// <param name="noiseSigma">Standard deviation of the noise added to every pixel (0 for clean images).</param>
    /// <param name="noiseSeeds">Where the noise comes from (particle i's from child i); null only for clean images.</param>
    /// <param name="context">Threads.</param>
    public SimulatedParticleSource(FourierProjector projector, IReadOnlyList<ParticleRecord> records, double noiseSigma, SeedSequence? noiseSeeds, ComputeContext? context = null)
    {
        this.projector = projector ?? throw new ArgumentNullException(nameof(projector));
        ArgumentNullException.ThrowIfNull(records);
        this.noiseSeeds = noiseSeeds;
        if (!(noiseSigma >= 0) || double.IsInfinity(noiseSigma))
        {
            throw new InvalidParameterException("noise σ", noiseSigma, "must be a finite number ≥ 0");
        }

        if (noiseSigma > 0 && noiseSeeds is null)
        {
            throw new ArgumentNullException(nameof(noiseSeeds), "Noisy images need noise seeds.");
        }

        // A table made on demand is immutable and may be far too large to copy; anything else is copied so that the
        // caller's later changes cannot reach the images.
        this.records = records is Simulation.SimulatedParticleTable ? records : [.. records];
        NoiseSigma = noiseSigma;
        Context = context ?? ComputeContext.Default;
    }

    /// <summary>The noise standard deviation.</summary>
    public double NoiseSigma { get; }

    /// <summary>The threads image formation uses.</summary>
    public ComputeContext Context { get; }

    /// <inheritdoc/>
    public int Count => records.Count;

    /// <inheritdoc/>
    public int Box => projector.Box;

    /// <inheritdoc/>
    public double PixelSizeA => projector.PixelSizeA;

    /// <inheritdoc/>
    public IReadOnlyList<ParticleRecord> Records => records;

    /// <inheritdoc/>
    public string Description => "simulation";

    /// <inheritdoc/>
    public void ReadImages(int start, int count, Span<float> destination)
    {
        ReadCleanImages(start, count, destination);
        if (NoiseSigma == 0)
        {
            return;
        }

        int length = Box * Box;
        unsafe
        {
            fixed (float* d = destination)
            {
                nint address = (nint)d;
                float sigma = (float)NoiseSigma;
                var seeds = noiseSeeds!;
                Parallel.For(0, count, Context.ParallelOptions, () => new RandomStream(0), (i, _, noise) =>
                {
                    noise.Reset(seeds.ChildSeed(start + i));
                    noise.AddGaussianNoise(new Span<float>((float*)address + ((long)i * length), length), sigma);
                    return noise;
                }, _ => { });
            }
        }
    }

    /// <summary>The images of particles [start, start + count) without noise.</summary>
    public void ReadCleanImages(int start, int count, Span<float> destination)
    {
        ParticleSource.CheckRange(this, start, count, destination);
        int half = GridShape.Square(Box).HalfComplexLength;
        var spectra = ArrayPool<ComplexF>.Shared.Rent(count * half);
        try
        {
            ParticleImageFormation.FormBatch(projector, count, i =>
            {
                var r = records[start + i];
                return new ImageFormationParameters(r.Pose.Rotation, r.Pose.OriginXA, r.Pose.OriginYA, r.Ctf);
            }, spectra, destination, Context);
        }
        finally
        {
            ArrayPool<ComplexF>.Shared.Return(spectra);
        }
    }
}
