using CryoSharp.Geometry;
using CryoSharp.Imaging;
using CryoSharp.IO;
using CryoSharp.IO.Atoms;
using CryoSharp.IO.Star;
using CryoSharp.Numerics;
using CryoSharp.Numerics.Fft;
using CryoSharp.Particles;
using CryoSharp.Projection;
using CryoSharp.Simulation;
using CryoSharp.Tests.Support;

namespace CryoSharp.Tests.Simulation;

public class SimulationTests
{
    private static readonly Volume Map = new GaussianBlobPhantom { Seeds = new SeedSequence(7) }.Create(32, 3.0);

    [Fact]
    public void ResultDoesNotDependOnChunkSizeOrThreads()
    {
        using var temp = new TempDirectory();
        var options = new SimulationOptions { Count = 37, Snr = 0.5, Ctf = true, ShiftSigmaA = 2, Seeds = new SeedSequence(11) };
        byte[] Run(int chunk, int threads, string name)
        {
            var simulator = new ParticleSimulator(Map, options with { ChunkSize = chunk }, ComputeContext.Default.WithThreads(threads));
            SimulatedStack.Write(simulator, temp.File(name));
            return File.ReadAllBytes(temp.File(name));
        }

        var a = Run(256, 2, "a.mrcs");
        Assert.Equal(a, Run(5, 1, "b.mrcs"));
        Assert.Equal(a, Run(16, 4, "c.mrcs"));
        Assert.NotEqual(a, File.ReadAllBytes(SimulateWithSeed(temp, options with { Seeds = new SeedSequence(12) })));
    }

    [Fact]
    public void NoiseFreeParticlesAreTheFormedImagesOfTheirParameters()
    {
        using var temp = new TempDirectory();
        var simulator = new ParticleSimulator(Map, new SimulationOptions { Count = 12, Snr = double.PositiveInfinity, Ctf = true, ShiftSigmaA = 4, Seeds = new SeedSequence(3) });
        var records = simulator.DrawParticles();
        var source = SimulatedStack.Write(simulator, temp.File("s.mrcs"), records);
        Assert.Equal(0, source.NoiseSigma);
        var stack = MrcReader.ReadStack(temp.File("s.mrcs"));
        var projector = new FourierProjector(Map);
        var spectrum = new ComplexF[projector.ImageShape.HalfComplexLength];
        var scratch = new float[spectrum.Length];
        var image = new float[projector.ImageShape.Length];
        var table = ParticleTable.Load(temp.File("s.star"));
        for (int i = 0; i < records.Length; i++)
        {
            var p = table.Particles[i];
            ParticleImageFormation.Form(projector, EulerAngles.FromDegrees(p.AngleRotDeg, p.AngleTiltDeg, p.AnglePsiDeg).ToMatrix(),
                p.OriginXA, p.OriginYA, ParticleRecords.Ctf(p, ParticleRecords.FromTable(table)[i].Optics), spectrum, scratch);
            Fft.Inverse(spectrum, projector.ImageShape, image);
            Assert.Equal(image, stack[i].ToArray());
            Assert.InRange(p.DefocusUA, 10000, 30100);
            Assert.InRange(p.DefocusUA - p.DefocusVA, 0, 200);
        }

        Assert.Contains(records, r => r.Subset == 1);
        Assert.Contains(records, r => r.Subset == 2);
    }

    [Fact]
    public void NoiseHasTheRequestedSnrInsideTheMask()
    {
        using var temp = new TempDirectory();
        var options = new SimulationOptions { Count = 64, Snr = 0.25, Ctf = false, Seeds = new SeedSequence(5), MaskRadiusPx = 10 };
        var simulator = new ParticleSimulator(Map, options);
        var records = simulator.DrawParticles();
        var outcome = SimulatedStack.Write(simulator, temp.File("noisy.mrcs"), records);
        var clean = new ParticleSimulator(Map, options with { Snr = double.PositiveInfinity });
        SimulatedStack.Write(clean, temp.File("clean.mrcs"), records);
        var noisy = MrcReader.ReadStack(temp.File("noisy.mrcs")).Data;
        var signal = MrcReader.ReadStack(temp.File("clean.mrcs")).Data;
        var noise = noisy.Zip(signal, (a, b) => a - b).ToArray();
        var stats = SampleStatistics.Of(noise);
        Assert.Equal(0, stats.Mean, 0.02 * outcome.NoiseSigma);
        Assert.Equal(outcome.NoiseSigma, stats.StdDev, 0.01 * outcome.NoiseSigma);
        double signalVariance = NoiseModel.SigmaForSnr(signal, GridShape.Square(32), 10, 1) is double s ? s * s : 0;
        Assert.Equal(0.25, signalVariance / (stats.StdDev * stats.StdDev), 0.01);
    }

    [Fact]
    public void ColoredNoiseFollowsItsSpectrum()
    {
        var shape = GridShape.Square(64);
        var power = Enumerable.Range(0, 33).Select(s => 4.0 * Math.Exp(-s / 8.0)).ToArray();
        var random = new RandomStream(9);
        var sum = new double[FourierShellsCount(shape)];
        for (int trial = 0; trial < 40; trial++)
        {
            var image = new float[shape.Length];
            NoiseModel.AddColored(image, shape, power, random);
            var spectrum = new ComplexF[shape.HalfComplexLength];
            Fft.Forward(image, shape, spectrum, FftOrigin.Corner);
            var radial = new FourierShells(shape).RadialPower(spectrum);
            for (int s = 0; s < radial.Length; s++)
            {
                sum[s] += radial[s] / shape.Length / 40;
            }
        }

        foreach (int s in new[] { 4, 10, 20, 30 })
        {
            Assert.Equal(power[s], sum[s], 0.12 * power[s]);
        }
    }

    [Fact]
    public void VonMisesFisherSamplesHaveTheTheoreticalConcentration()
    {
        // For vMF on S², E[d·μ] = coth κ − 1/κ.
        var mu = new Vector3d(1, 2, -1).Normalized();
        var random = new RandomStream(3);
        foreach (double kappa in new[] { 0.5, 5, 40 })
        {
            double mean = Enumerable.Range(0, 20000).Average(_ => VonMisesFisherMixture.SampleDirection(mu, kappa, random).Dot(mu));
            Assert.Equal((1 / Math.Tanh(kappa)) - (1 / kappa), mean, 0.01);
        }

        var mixture = new VonMisesFisherMixture([(new Vector3d(0, 0, 1), 50, 3), (new Vector3d(1, 0, 0), 50, 1)]);
        var normal = new RandomStream(4);
        var views = Enumerable.Range(0, 8000).Select(_ => mixture.Sample(normal).ViewingDirection()).ToArray();
        Assert.Equal(0.75, views.Count(d => d.Z > 0.8) / 8000.0, 0.02);
        Assert.Equal(0.25, views.Count(d => d.X > 0.8) / 8000.0, 0.02);
    }

    [Fact]
    public void PreferredViewPutsItsFractionNearTheDirection()
    {
        var distribution = new PreferredViewOrientations(new Vector3d(0, 0, 1), fraction: 0.6, kappa: 100);
        var random = new RandomStream(5);
        var near = Enumerable.Range(0, 10000).Count(_ => distribution.Sample(random).ViewingDirection().Z > 0.95);

        // 60% from the preferred view (almost all within 18°) plus the uniform share of that cap (2.5% of 40%).
        Assert.Equal(0.61, near / 10000.0, 0.02);
    }

    [Fact]
    public void SheppLoganHasItsTextbookValues()
    {
        var v = SheppLoganPhantom.Create(64, 1.0);
        Assert.Equal(0.2f, v[32, 32, 32], 1e-6f); // skull (1) minus brain (−0.8)
        Assert.Equal(0f, v[0, 0, 0]);
        Assert.Equal(1f, v[32, 32 + 23, 32], 1e-6f); // in the skull shell along +y (between 0.874 and 0.92 of 25.6 px)
        Assert.True(v.Data.Min() >= -1e-6f && v.Data.Max() <= 1.2f + 1e-6f);
    }

    [SkippableFact]
    public void ReadsPdbAndMmcifModels()
    {
        var pdb = AtomicModelReader.Read(SharedData.Require("pdb/1tii.pdb"));
        Assert.InRange(pdb.Count, 5469, 6000);
        Assert.Contains(pdb, a => a.Element == "S");
        Assert.True(pdb.All(a => Elements.IsKnown(a.Element)), string.Join(",", pdb.Select(a => a.Element).Distinct()));
        var cif = AtomicModelReader.Read(SharedData.Require("pdb/7CFN.cif.gz"));
        Assert.True(cif.Count > 1000);
        Assert.Contains(cif, a => a.Element == "N");
    }

    [Fact]
    public void DensityHoldsTheElectronsAtTheCentre()
    {
        Atom[] atoms = [new("C", 10, 10, 10), new("O", 12, 10, 10), new("Fe", 10, 13, 9, 0.5)];
        var map = AtomicModelDensity.Create(atoms, 40, 0.8, 3.0);
        double electrons = 6 + 8 + (26 * 0.5);
        Assert.Equal(electrons, map.Data.Sum(v => (double)v), 0.01 * electrons);

        // Centre of mass at voxel n/2.
        double m = 0, mx = 0, my = 0, mz = 0;
        for (int z = 0; z < 40; z++)
        {
            for (int y = 0; y < 40; y++)
            {
                for (int x = 0; x < 40; x++)
                {
                    double w = map[x, y, z];
                    m += w;
                    mx += w * x;
                    my += w * y;
                    mz += w * z;
                }
            }
        }

        Assert.Equal(20, mx / m, 0.01);
        Assert.Equal(20, my / m, 0.01);
        Assert.Equal(20, mz / m, 0.01);
    }

    [Fact]
    public void ModelFilesWithBadRecordsNameTheLine()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.File("bad.pdb"), "HEADER\nATOM      1  CA  ALA A   1      11.104  xx.xxx   1.000  1.00 20.00           C\n");
        var error = Assert.Throws<InvalidFileException>(() => AtomicModelReader.Read(temp.File("bad.pdb")));
        Assert.Equal(2, error.Line);
        File.WriteAllText(temp.File("empty.pdb"), "HEADER nothing\n");
        Assert.Contains("no ATOM", Assert.Throws<InvalidFileException>(() => AtomicModelReader.Read(temp.File("empty.pdb"))).Message);
    }

    [Fact]
    public void ParticleRadiusOfABallIsItsRadius()
    {
        var v = Volume.Cube(48, 1.0);
        for (int z = 0; z < 48; z++)
        {
            for (int y = 0; y < 48; y++)
            {
                for (int x = 0; x < 48; x++)
                {
                    if (((x - 24) * (x - 24)) + ((y - 24) * (y - 24)) + ((z - 24) * (z - 24)) <= 100)
                    {
                        v[x, y, z] = 1;
                    }
                }
            }
        }

        Assert.InRange(NoiseModel.ParticleRadius(v), 9, 10);
    }

    [Fact]
    public void ImpossibleParametersAreNamed()
    {
        Assert.Contains("--snr", Assert.Throws<InvalidParameterException>(() => new SimulationOptions { Seeds = new SeedSequence(1), Snr = 0 }.Validate()).Message);
        Assert.Contains("--snr", Assert.Throws<InvalidParameterException>(() => new SimulationOptions { Seeds = new SeedSequence(1), Snr = -1 }.Validate()).Message);
        Assert.Throws<InvalidParameterException>(() => new SimulationOptions { Seeds = new SeedSequence(1), DefocusMinA = 5000, DefocusMaxA = 1000 }.Validate());
        Assert.Throws<InvalidParameterException>(() => new SimulationOptions { Seeds = new SeedSequence(1), Count = 0 }.Validate());
        var error = Assert.Throws<InvalidParameterException>(() => SimulationVolume.Prepare(Map, 48, 3.0));
        Assert.Contains("larger than the volume", error.Message);
        Assert.Equal(24, SimulationVolume.Prepare(Map, 24, 3.0).Nx);
        Assert.Equal(16, SimulationVolume.Prepare(Map, 16, 6.0).Nx);
    }

    private static int FourierShellsCount(GridShape shape) => new FourierShells(shape).ShellCount;

    private static string SimulateWithSeed(TempDirectory temp, SimulationOptions options)
    {
        var simulator = new ParticleSimulator(Map, options);
        SimulatedStack.Write(simulator, temp.File("seed.mrcs"));
        return temp.File("seed.mrcs");
    }
}
