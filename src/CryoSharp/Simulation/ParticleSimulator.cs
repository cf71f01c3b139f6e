using CryoSharp.Imaging;
using CryoSharp.Numerics;
using CryoSharp.Particles;
using CryoSharp.Projection;

namespace CryoSharp.Simulation;

/// <summary>
/// Simulates particles with ground truth, with RELION's image formation (<see cref="ParticleImageFormation"/>):
/// projection at a drawn orientation, translation by −origin, CTF, then Gaussian noise at the requested SNR. The
/// result is a <see cref="SimulatedParticleSource"/>, which forms images on demand, so memory does not grow with the
/// number of particles and a simulation can feed any consumer of particles without a round trip through disk.
/// Every particle's parameters come from one seeded stream and its noise from its own seed, so the result does not
/// depend on the number of threads or the chunk size.
/// </summary>
public sealed class ParticleSimulator
{
    private readonly FourierProjector projector;
    private readonly ParticleOptics optics;

    /// <summary>Prepares the simulator for a cubic map at the box and pixel size of the particles.</summary>
    public ParticleSimulator(Volume volume, SimulationOptions options, ComputeContext? context = null)
    {
        ArgumentNullException.ThrowIfNull(volume);
        Options = options ?? throw new ArgumentNullException(nameof(options));
        options.Validate();
        Volume = volume;
        Context = context ?? ComputeContext.Default;
        projector = new FourierProjector(volume, context: Context);
        MaskRadiusPx = options.MaskRadiusPx ?? NoiseModel.ParticleRadius(volume);
        optics = Optics;
    }

    /// <summary>The options.</summary>
    public SimulationOptions Options { get; }

    /// <summary>The threads.</summary>
    public ComputeContext Context { get; }

    /// <summary>The ground-truth map.</summary>
    public Volume Volume { get; }

    /// <summary>Radius in pixels of the mask the SNR is measured in.</summary>
    public double MaskRadiusPx { get; }

    /// <summary>Number of particles whose clean images set the noise level.</summary>
    public const int PilotCount = 512;

    /// <summary>The optics group of every simulated particle.</summary>
    public ParticleOptics Optics => new()
    {
        Number = 1,
        Name = "opticsGroup1",
        VoltageKv = Options.VoltageKv,
        SphericalAberrationMm = Options.SphericalAberrationMm,
        AmplitudeContrast = Options.AmplitudeContrast,
        PixelSizeA = Volume.PixelSizeA,
        ImageSize = Volume.Nx,
    };

    /// <summary>Bytes of STAR file per particle (a row of angles, origins, CTF and half set, with room to spare).</summary>
    public const long StarBytesPerParticle = 200;

    /// <summary>
    /// Refuses, before anything is simulated, a simulation that cannot fit: a stack and STAR file larger than the free
    /// space of <paramref name="directory"/>'s disk (the records themselves are never held, <see cref="ParticleTable"/>).
    /// The refusal names <c>--count</c> and the limit. Cheap: call it before the map's projector is made.
    /// </summary>
    public static void CheckResources(SimulationOptions options, int box, string directory)
    {
        ArgumentNullException.ThrowIfNull(options);
        long count = options.Count;
        long stackBytes = 1024 + (count * box * box * sizeof(float));
        string full = Path.GetFullPath(directory);
        string existing = full;
        while (!Directory.Exists(existing) && Path.GetDirectoryName(existing) is { } parent)
        {
            existing = parent;
        }

        try
        {
            var drive = new DriveInfo(existing);
            long needed = stackBytes + (count * StarBytesPerParticle);
            if (drive.IsReady && needed > drive.AvailableFreeSpace)
            {
                throw new InvalidParameterException("--count", count, string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"the stack and STAR file would take {Size(needed)}, more than the {Size(drive.AvailableFreeSpace)} free where {directory} is"));
            }
        }
        catch (ArgumentException)
        {
            // No drive information for this path: the write itself fails cleanly (one line) if space runs out.
        }
    }

    private static string Size(long bytes) => bytes >= 1_000_000_000
        ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{bytes / 1e9:0.##} GB")
        : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{bytes / 1e6:0.##} MB");

    /// <summary>The STAR columns of simulated particles: image, angles, origins, half set and, with a CTF, defocus.</summary>
    public IO.Star.ParticleColumns Columns => IO.Star.ParticleColumns.Image | IO.Star.ParticleColumns.Angles | IO.Star.ParticleColumns.Origins |
        IO.Star.ParticleColumns.RandomSubset | (Options.Ctf ? IO.Star.ParticleColumns.Defocus : IO.Star.ParticleColumns.None);

    /// <summary>Draws every particle's true parameters (no images): pose, CTF, half set, held in memory.</summary>
    public ParticleRecord[] DrawParticles()
    {
        var random = Options.Seeds.Spawn("particles").CreateStream();
        var records = new ParticleRecord[Options.Count];
        for (int i = 0; i < records.Length; i++)
        {
            records[i] = Draw(random, i);
        }

        return records;
    }

    /// <summary>
    /// The same records as <see cref="DrawParticles"/>, made on demand (<see cref="SimulatedParticleTable"/>), so that
    /// a simulation of any number of particles holds none of them.
    /// </summary>
    public SimulatedParticleTable ParticleTable() => new(Options.Count, Options.Seeds.Spawn("particles").CreateStream(), Draw);

    private ParticleRecord Draw(RandomStream random, int index)
    {
        var o = Options;
        var angles = o.Views.Sample(random).ToDegrees();
        var pose = new Pose(angles.RotDeg, angles.TiltDeg, angles.PsiDeg, o.ShiftSigmaA * random.NextGaussian(), o.ShiftSigmaA * random.NextGaussian());
        int subset = 1 + random.NextInt(2);
        CtfModel? ctf = null;
        if (o.Ctf)
        {
            double mean = o.DefocusMinA + ((o.DefocusMaxA - o.DefocusMinA) * random.NextDouble());
            double astigmatism = o.AstigmatismA * random.NextDouble();
            ctf = new CtfModel
            {
                DefocusUA = mean + (astigmatism / 2),
                DefocusVA = mean - (astigmatism / 2),
                DefocusAngleDeg = 180 * random.NextDouble(),
                VoltageKv = optics.VoltageKv,
                SphericalAberrationMm = optics.SphericalAberrationMm,
                AmplitudeContrast = optics.AmplitudeContrast,
            };
        }

        return new ParticleRecord { Index = index, Pose = pose, Ctf = ctf, Optics = optics, Subset = subset };
    }

    /// <summary>
    /// The particles of <paramref name="records"/> (from <see cref="DrawParticles"/>) as a source, with the noise σ
    /// for the requested SNR measured on the clean images of the first <see cref="PilotCount"/> particles (a fixed
    /// set, so σ does not depend on the chunk size).
    /// </summary>
    public SimulatedParticleSource CreateSource(IReadOnlyList<ParticleRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        var clean = new SimulatedParticleSource(projector, records, 0, null, Context);
        double sigma = 0;
        if (!double.IsPositiveInfinity(Options.Snr))
        {
            var shape = projector.ImageShape;
            int n = Math.Min(PilotCount, records.Count);
            var images = new float[(long)shape.Length * n];
            clean.ReadCleanImages(0, n, images);
            sigma = NoiseModel.SigmaForSnr(images, shape, MaskRadiusPx, Options.Snr);
        }

        return new SimulatedParticleSource(projector, records, sigma, Options.Seeds.Spawn("noise"), Context);
    }

    /// <summary>The particles as a source whose records are made on demand (<see cref="ParticleTable"/>).</summary>
    public SimulatedParticleSource CreateSource() => CreateSource(ParticleTable());

    /// <summary>The first <paramref name="count"/> images without and with noise, for reports.</summary>
    public static SimulationSamples Samples(SimulatedParticleSource source, int count = 16)
    {
        ArgumentNullException.ThrowIfNull(source);
        int keep = Math.Min(count, source.Count), length = source.Box * source.Box;
        var clean = new float[length * keep];
        var noisy = new float[length * keep];
        source.ReadCleanImages(0, keep, clean);
        source.ReadImages(0, keep, noisy);
        return new SimulationSamples(clean, noisy, keep);
    }
}

/// <summary>The first few images of a simulation, for reports.</summary>
/// <param name="Clean">Clean images, image after image.</param>
/// <param name="Noisy">The same images with noise.</param>
/// <param name="Count">How many images each holds.</param>
public sealed record SimulationSamples(float[] Clean, float[] Noisy, int Count);
