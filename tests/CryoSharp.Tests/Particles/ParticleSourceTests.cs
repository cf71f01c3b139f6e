using CryoSharp.Imaging;
using CryoSharp.IO;
using CryoSharp.IO.Star;
using CryoSharp.Numerics;
using CryoSharp.Particles;
using CryoSharp.Reconstruction;
using CryoSharp.Simulation;
using CryoSharp.Tests.Support;

namespace CryoSharp.Tests.Particles;

public class ParticleSourceTests
{
    private static readonly Volume Map = new GaussianBlobPhantom { Seeds = new SeedSequence(4) }.Create(24, 4.0);

    private static SimulatedParticleSource Simulation(int count = 60, double snr = 0.5, bool ctf = true, int seed = 3) =>
        new ParticleSimulator(Map, new SimulationOptions { Count = count, Snr = snr, Ctf = ctf, ShiftSigmaA = 3, Seeds = new SeedSequence(seed) }).CreateSource();

    private static float[] ReadInChunks(IParticleSource source, params int[] chunks)
    {
        int length = source.Box * source.Box, start = 0, c = 0;
        var all = new float[length * source.Count];
        while (start < source.Count)
        {
            int n = Math.Min(chunks[c++ % chunks.Length], source.Count - start);
            source.ReadImages(start, n, all.AsSpan(start * length, n * length));
            start += n;
        }

        return all;
    }

    [Fact]
    public void ImagesDoNotDependOnChunksOrThreads()
    {
        var source = Simulation();
        var whole = ReadInChunks(source, source.Count);
        Assert.Equal(whole, ReadInChunks(source, 1, 7, 3));
        var oneThread = new ParticleSimulator(Map, new SimulationOptions { Count = 60, Snr = 0.5, Ctf = true, ShiftSigmaA = 3, Seeds = new SeedSequence(3) }, ComputeContext.SingleThreaded).CreateSource();
        Assert.Equal(whole, ReadInChunks(oneThread, 13));

        // Particle 10 read alone is particle 10 of the whole.
        var ten = new float[24 * 24];
        source.ReadImages(10, 1, ten);
        Assert.Equal(whole.AsSpan(10 * 576, 576).ToArray(), ten);

        var flipped = source.PhaseFlipped();
        Assert.Equal(ReadInChunks(flipped, 60), ReadInChunks(flipped, 5, 11));
    }

    [Fact]
    public void ReconstructionFromASimulationEqualsReconstructionFromItsFiles()
    {
        using var temp = new TempDirectory();
        var simulator = new ParticleSimulator(Map, new SimulationOptions { Count = 400, Snr = 0.3, Ctf = true, ShiftSigmaA = 3, Seeds = new SeedSequence(9) });
        var memory = SimulatedStack.Write(simulator, temp.File("p.mrcs"));
        using var disk = StarParticleSource.Open(temp.File("p.star"));
        Assert.Equal(ReadInChunks(memory, 400), ReadInChunks(disk, 400));
        var options = new ReconstructionOptions { Seeds = new SeedSequence(1), Ctf = true, ChunkSize = 64 };
        var a = new ParticleReconstruction(options).Run(memory);
        var b = new ParticleReconstruction(options).Run(disk);
        Assert.Equal(a.Map.Data, b.Map.Data);
        Assert.Equal(a.Half1.Data, b.Half1.Data);
        Assert.Equal(a.Half1Count, b.Half1Count);
    }

    [Fact]
    public void PhaseFlippedParticlesReconstructTheSameMapWithAbsoluteCtf()
    {
        var source = Simulation(count: 600, snr: 1);
        var flipped = source.PhaseFlipped();
        Assert.All(flipped.Records, r => Assert.True(r.Optics.CtfPhaseFlipped));
        var options = new ReconstructionOptions { Seeds = new SeedSequence(1), Ctf = true };
        var direct = new ParticleReconstruction(options).Run(source);
        var fromFlipped = new ParticleReconstruction(options).Run(flipped);
        Assert.True(ImageComparison.Of(direct.Map.Data, fromFlipped.Map.Data).Correlation > 0.9999);

        // Flipping again would be wrong, and is refused.
        var again = Assert.Throws<InvalidFileException>(() => flipped.PhaseFlipped());
        Assert.Contains("already CTF-corrected", again.Message);

        // Wiener-filtered images have no CTF left: a CTF-corrected reconstruction of them is refused in one line.
        var wiener = source.WienerFiltered(0.1);
        Assert.All(wiener.Records, r => Assert.Null(r.Ctf));
        var refused = Assert.Throws<InvalidFileException>(() => new ParticleReconstruction(options).Run(wiener));
        Assert.Contains("--ctf needs", refused.Message);
    }

    [Fact]
    public void TransformsChangeBoxAndPixelSizeAsTheySay()
    {
        var source = Simulation(count: 8, snr: double.PositiveInfinity, ctf: false);
        var down = source.FourierCropped(12);
        Assert.Equal(12, down.Box);
        Assert.Equal(8.0, down.PixelSizeA, 12);
        Assert.All(down.Records, r => Assert.Equal(8.0, r.Optics.PixelSizeA, 12));

        // Fourier resampling keeps the field of view: the sum over a band-limited image scales with the area.
        var image = ReadInChunks(source, 8).AsSpan(0, 576).ToArray();
        var small = ReadInChunks(down, 8).AsSpan(0, 144).ToArray();
        Assert.Equal(image.Sum() / 4, small.Sum(), 0.01 * Math.Abs(image.Sum()));

        var cropped = source.Cropped(16);
        Assert.Equal(16, cropped.Box);
        Assert.Equal(4.0, cropped.PixelSizeA);
        var window = ReadInChunks(cropped, 8);
        Assert.Equal(image[(12 * 24) + 12], window[(8 * 16) + 8]);

        var masked = ReadInChunks(source.Masked(radiusA: 20, edgeWidthA: 4), 8);
        Assert.Equal(0f, masked[0]);
        Assert.Equal(image[(12 * 24) + 12], masked[(12 * 24) + 12]);

        var noisy = Simulation(count: 8, snr: 0.1, ctf: false).Normalized(backgroundRadiusA: 40);
        var pixels = ReadInChunks(noisy, 8);
        var background = new List<float>();
        for (int y = 0; y < 24; y++)
        {
            for (int x = 0; x < 24; x++)
            {
                if (((x - 12) * (x - 12)) + ((y - 12) * (y - 12)) > 100)
                {
                    background.Add(pixels[(y * 24) + x]);
                }
            }
        }

        var stats = SampleStatistics.Of(background.ToArray());
        Assert.Equal(0, stats.Mean, 1e-4);
        Assert.Equal(1, stats.StdDev, 1e-3);
    }

    [Fact]
    public void CacheHoldsTheSameImages()
    {
        var source = Simulation(count: 30);
        var cached = source.Cache(chunkSize: 7);
        Assert.Equal(ReadInChunks(source, 30), cached.Images.ToArray());
        Assert.Equal(source.Records, cached.Records);
    }

    [Fact]
    public void OpticsGroupsOfDifferentPixelSizesAreRefusedInOneLine()
    {
        using var temp = new TempDirectory();
        SimulatedStack.Write(new ParticleSimulator(Map, new SimulationOptions { Count = 6, Snr = 1, Ctf = true, Seeds = new SeedSequence(2) }), temp.File("p.mrcs"));
        var table = ParticleTable.Load(temp.File("p.star"));
        table.OpticsGroups.Add(new OpticsGroup { Number = 2, Name = "opticsGroup2", PixelSizeA = 2.5, ImageSize = 24 });
        for (int i = 3; i < 6; i++)
        {
            table.Particles[i].OpticsGroup = 2;
        }

        table.Save(temp.File("mixed.star"));
        var error = Assert.Throws<InvalidFileException>(() => StarParticleSource.Open(temp.File("mixed.star")));
        Assert.Contains("optics groups 1 (4 Å) and 2 (2.5 Å) have different pixel sizes", error.Message);
        Assert.DoesNotContain('\n', error.Message);

        // The program says the same in one line, exit 2; --pixel-size, when the file is wrong, is accepted.
        var (code, _, stderr) = CliRunner.Run("reconstruct", "--particles", temp.File("mixed.star"), "--out", temp.File("out"));
        Assert.Equal(2, code);
        Assert.Contains("different pixel sizes", stderr);
        using var forced = StarParticleSource.Open(temp.File("mixed.star"), pixelSizeA: 4);
        Assert.Equal(4, forced.PixelSizeA);
    }

    [Fact]
    public void RecordsRoundTripThroughStarWithEveryColumn()
    {
        using var temp = new TempDirectory();
        SimulatedStack.Write(new ParticleSimulator(Map, new SimulationOptions { Count = 5, Snr = 1, Ctf = true, ShiftSigmaA = 2, Seeds = new SeedSequence(2) }), temp.File("p.mrcs"));
        var table = ParticleTable.Load(temp.File("p.star"));
        table.AddExtraColumn("_rlnMicrographName2", "mic.mrc");
        var records = ParticleRecords.FromTable(table);
        var back = ParticleRecords.ToTable(records, ParticleColumns.None, table);
        Assert.Equal(table.ToDocument().ToString(), back.ToDocument().ToString());

        var flipped = records.Select(r => r with { Optics = r.Optics with { CtfPhaseFlipped = true } }).ToArray();
        back = ParticleRecords.ToTable(flipped, ParticleColumns.None, table);
        back.Save(temp.File("flipped.star"));
        Assert.Contains("_rlnCtfDataArePhaseFlipped", File.ReadAllText(temp.File("flipped.star")));
        Assert.True(ParticleTable.Load(temp.File("flipped.star")).OpticsGroups[0].CtfDataArePhaseFlipped);
    }

    [SkippableFact]
    public void RealBetaGalactosidaseParticlesReadAndTransform()
    {
        // The 2,374 real particles (RELION 5 STAR, float16 stacks, paths relative to the RELION project folder).
        string star = SharedData.Require("real/relion-betagal-64px/Extract/job009/particles.star");
        string project = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(star)!, "..", ".."));
        using var source = StarParticleSource.Open(star, dataRoot: project);
        Assert.Equal(2374, source.Count);
        Assert.Equal(64, source.Box);
        Assert.Equal(3.54, source.PixelSizeA, 6);
        Assert.All(source.Records, r => Assert.NotNull(r.Ctf));
        Assert.Equal(200, source.Records[0].Ctf!.VoltageKv);

        var images = ReadInChunks(source, 100, 37).AsSpan(0, 200 * 64 * 64).ToArray();
        Assert.All(images, v => Assert.True(float.IsFinite(v)));

        // relion_preprocess --norm --bg_radius 24 made the background N(0, 1); normalising again keeps it so.
        var renormalised = ReadInChunks(new InMemoryParticleSource(images, 64, 3.54, [.. source.Records.Take(200)]).Normalized(24 * 3.54), 200);
        Assert.Equal(images.Length, renormalised.Length);
        var background = SampleStatistics.Of(Background(renormalised, 64, 24));
        Assert.Equal(0, background.Mean, 1e-3);
        Assert.Equal(1, background.StdDev, 1e-3);

        // Phase flipping with the particles' own CTFs keeps every amplitude and marks the images. (Energy to 1 %: on the
        // Nyquist column of an even box an astigmatic CTF's signs break the Hermitian symmetry the inverse FFT assumes,
        // and that part of the noise is lost: 0.2 % here.)
        var flipped = new InMemoryParticleSource(images, 64, 3.54, [.. source.Records.Take(200)]).PhaseFlipped();
        var flippedImages = ReadInChunks(flipped, 200);
        double energy = images.Sum(v => (double)v * v), flippedEnergy = flippedImages.Sum(v => (double)v * v);
        Assert.Equal(1, flippedEnergy / energy, 1e-2);
        Assert.NotEqual(images, flippedImages);
        Assert.All(flipped.Records, r => Assert.True(r.Optics.CtfPhaseFlipped));

        // Downsampled to 32 px the images are 7.08 Å per pixel, as RELION's --scale would make them.
        var down = source.FourierCropped(32);
        Assert.Equal(7.08, down.PixelSizeA, 6);
        Assert.All(ReadInChunks(new InMemoryParticleSource(images, 64, 3.54, [.. source.Records.Take(200)]).FourierCropped(32), 50), v => Assert.True(float.IsFinite(v)));
    }

    private static float[] Background(float[] images, int box, double radiusPx)
    {
        var values = new List<float>();
        for (int i = 0; i < images.Length / (box * box); i++)
        {
            for (int y = 0; y < box; y++)
            {
                for (int x = 0; x < box; x++)
                {
                    double dx = x - (box / 2), dy = y - (box / 2);
                    if ((dx * dx) + (dy * dy) > radiusPx * radiusPx)
                    {
                        values.Add(images[(i * box * box) + (y * box) + x]);
                    }
                }
            }
        }

        return [.. values];
    }
}
