using CryoSharp.Geometry;
using CryoSharp.Imaging;
using CryoSharp.IO;
using CryoSharp.IO.Star;
using CryoSharp.Numerics;
using CryoSharp.Numerics.Fft;
using CryoSharp.Projection;

namespace CryoSharp.Simulation;

/// <summary>
/// Simulates a particle stack with ground truth, with RELION's image formation (<see cref="ParticleImageFormation"/>):
/// projection at a drawn orientation, translation by −origin, CTF, then Gaussian noise at the requested SNR.
/// Streams in chunks to an MRC stack, so memory does not grow with the number of particles. Every particle's
/// parameters come from one seeded stream and its noise from its own seed, so the result does not depend on the
/// number of threads or the chunk size.
/// </summary>
public sealed class ParticleSimulator
{
    private readonly FourierProjector projector;

    /// <summary>Prepares the simulator for a cubic map at the box and pixel size of the particles.</summary>
    public ParticleSimulator(Volume volume, SimulationOptions options)
    {
        ArgumentNullException.ThrowIfNull(volume);
        Options = options ?? throw new ArgumentNullException(nameof(options));
        options.Validate();
        Volume = volume;
        projector = new FourierProjector(volume);
        MaskRadiusPx = options.MaskRadiusPx ?? NoiseModel.ParticleRadius(volume);
    }

    /// <summary>The options.</summary>
    public SimulationOptions Options { get; }

    /// <summary>The ground-truth map.</summary>
    public Volume Volume { get; }

    /// <summary>Radius in pixels of the mask the SNR is measured in.</summary>
    public double MaskRadiusPx { get; }

    /// <summary>Draws every particle's true parameters (no images).</summary>
    public ParticleTable DrawParticles(string stackName)
    {
        var o = Options;
        var random = new NormalRandom(o.Seed);
        var table = new ParticleTable
        {
            Columns = ParticleColumns.Image | ParticleColumns.Angles | ParticleColumns.Origins | ParticleColumns.RandomSubset |
                (o.Ctf ? ParticleColumns.Defocus : ParticleColumns.None),
        };
        table.OpticsGroups.Add(new OpticsGroup
        {
            Number = 1,
            Name = "opticsGroup1",
            VoltageKv = o.VoltageKv,
            SphericalAberrationMm = o.SphericalAberrationMm,
            AmplitudeContrast = o.AmplitudeContrast,
            PixelSizeA = Volume.PixelSizeA,
            ImageSize = Volume.Nx,
        });
        for (int i = 0; i < o.Count; i++)
        {
            var angles = o.Views.Sample(random).ToDegrees();
            var p = new Particle
            {
                Image = new ImageReference(i + 1, stackName),
                AngleRotDeg = angles.RotDeg,
                AngleTiltDeg = angles.TiltDeg,
                AnglePsiDeg = angles.PsiDeg,
                OriginXA = o.ShiftSigmaA * random.Next(),
                OriginYA = o.ShiftSigmaA * random.Next(),
                RandomSubset = 1 + random.Uniform.Next(2),
            };
            if (o.Ctf)
            {
                double mean = o.DefocusMinA + ((o.DefocusMaxA - o.DefocusMinA) * random.Uniform.NextDouble());
                double astigmatism = o.AstigmatismA * random.Uniform.NextDouble();
                p.DefocusUA = mean + (astigmatism / 2);
                p.DefocusVA = mean - (astigmatism / 2);
                p.DefocusAngleDeg = 180 * random.Uniform.NextDouble();
            }

            table.Particles.Add(p);
        }

        return table;
    }

    /// <summary>
    /// Simulates every particle of <paramref name="table"/> (from <see cref="DrawParticles"/>) into an MRC stack.
    /// Progress is reported as the number of particles written.
    /// </summary>
    public SimulationOutcome Run(ParticleTable table, string stackPath, IProgress<long>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(table);
        var shape = projector.ImageShape;
        int chunk = Math.Min(Options.ChunkSize, table.Count);
        var spectra = new ComplexF[(long)shape.HalfComplexLength * chunk];

        // Two image buffers: one chunk is written to disk while the next is computed.
        float[][] buffers = [new float[(long)shape.Length * chunk], new float[(long)shape.Length * chunk]];
        var optics = table.OpticsGroups[0];
        double sigma = double.IsPositiveInfinity(Options.Snr) ? 0 : PilotSigma(table, shape, optics);
        int keep = Math.Min(16, table.Count);
        var clean = new float[shape.Length * keep];
        var noisy = new float[shape.Length * keep];
        using var writer = new MrcStackWriter(stackPath, shape, Volume.PixelSizeA);
        Task pending = Task.CompletedTask;
        try
        {
            WriteChunks();
        }
        finally
        {
            // Whatever happened, no write may still be running when the writer is disposed.
            try
            {
                pending.Wait();
            }
            catch (AggregateException)
            {
                // A failed write has already been rethrown, or an earlier error is on its way out.
            }
        }

        writer.Complete();
        return new SimulationOutcome(sigma, MaskRadiusPx, clean, noisy, keep);

        void WriteChunks()
        {
            int turn = 0;
            for (int start = 0; start < table.Count; start += chunk, turn ^= 1)
            {
                int n = Math.Min(chunk, table.Count - start);
                var images = buffers[turn];
                FormClean(table, start, n, optics, spectra, images);
                if (start < keep)
                {
                    images.AsSpan(0, Math.Min(keep - start, n) * shape.Length).CopyTo(clean.AsSpan(start * shape.Length));
                }

                if (sigma > 0)
                {
                    int first = start;
                    Parallel.For(0, n, Parallelism.Options, () => new GaussianNoiseGenerator(0), (i, _, noise) =>
                    {
                        noise.Reset(NoiseSeed(Options.Seed, first + i));
                        noise.Add(images.AsSpan(i * shape.Length, shape.Length), (float)sigma);
                        return noise;
                    }, _ => { });
                }

                if (start < keep)
                {
                    images.AsSpan(0, Math.Min(keep - start, n) * shape.Length).CopyTo(noisy.AsSpan(start * shape.Length));
                }

                // The previous chunk's write must finish before the writer takes this one (and before its buffer is reused).
                pending.GetAwaiter().GetResult();
                int written = start + n, length = n * shape.Length;
                pending = Task.Run(() =>
                {
                    writer.Append(images.AsSpan(0, length));
                    progress?.Report(written);
                });
            }

            pending.GetAwaiter().GetResult();
        }
    }

    /// <summary>Number of particles whose clean images set the noise level.</summary>
    public const int PilotCount = 512;

    /// <summary>
    /// The noise σ for the requested SNR, measured on the clean images of the first <see cref="PilotCount"/>
    /// particles (a fixed set, so σ does not depend on the chunk size).
    /// </summary>
    private double PilotSigma(ParticleTable table, GridShape shape, OpticsGroup optics)
    {
        int n = Math.Min(PilotCount, table.Count);
        var spectra = new ComplexF[(long)shape.HalfComplexLength * n];
        var images = new float[(long)shape.Length * n];
        FormClean(table, 0, n, optics, spectra, images);
        return NoiseModel.SigmaForSnr(images, shape, MaskRadiusPx, Options.Snr);
    }

    /// <summary>Forms the clean images of particles [start, start + n) into <paramref name="images"/>.</summary>
    private void FormClean(ParticleTable table, int start, int n, OpticsGroup optics, ComplexF[] spectra, float[] images) =>
        ParticleImageFormation.FormBatch(projector, table.Particles, start, n,
            i => Options.Ctf ? CtfModel.For(table.Particles[i], optics) : null, spectra, images);

    /// <summary>
    /// The seed of particle i's noise: the run's seed and the index, which the generator scrambles with SplitMix64.
    /// Never HashCode, which .NET randomises per process.
    /// </summary>
    internal static ulong NoiseSeed(int seed, int index) => ((ulong)(uint)seed << 32) | (uint)index;
}

/// <summary>What a simulation run measured and kept for the report.</summary>
/// <param name="NoiseSigma">The noise standard deviation used (0 for noise-free images).</param>
/// <param name="MaskRadiusPx">Radius in pixels of the SNR mask.</param>
/// <param name="CleanSamples">The first few clean images, image after image.</param>
/// <param name="NoisySamples">The same images with noise.</param>
/// <param name="SampleCount">How many images the samples hold.</param>
public sealed record SimulationOutcome(double NoiseSigma, double MaskRadiusPx, float[] CleanSamples, float[] NoisySamples, int SampleCount);
