using CryoSharp.Imaging;
using CryoSharp.IO;
using CryoSharp.IO.Star;
using CryoSharp.Numerics;
using CryoSharp.Numerics.Fft;
using CryoSharp.Particles;
using CryoSharp.Reconstruction;
using CryoSharp.Simulation;
using CryoSharp.Tests.Support;
using Xunit.Abstractions;

namespace CryoSharp.Tests.Reconstruction;

public class ReconstructionTests(ITestOutputHelper output)
{
    [SkippableFact]
    public void NoiseFreeRibosomeProjectionsGiveBackTheMap()
    {
        // The issue's check: 5,000 noise-free, CTF-free projections at box 64, FSC against the truth ≥ 0.9 up to
        // 0.8 × Nyquist.
        var truth = MrcReader.ReadVolume(SharedData.Require("relion/ribosome_box64.mrc"));
        using var temp = new TempDirectory();
        using var table = Simulate(truth, new SimulationOptions { Count = 5000, Snr = double.PositiveInfinity, Ctf = false, ShiftSigmaA = 3, Seeds = new SeedSequence(2) }, temp);
        var result = new ParticleReconstruction(new ReconstructionOptions { Seeds = new SeedSequence(1), Ctf = false }).Run(table);
        var fsc = FourierShellCorrelation.Compute(result.Map, truth);
        output.WriteLine(string.Join(" ", fsc.Values.Select(v => v.ToString("F3"))));
        for (int s = 1; s <= (int)(0.8 * 32); s++)
        {
            Assert.True(fsc.Values[s] >= 0.9, $"shell {s}: FSC {fsc.Values[s]:F3}");
        }

        Assert.Equal(6.0, result.Resolution0143, 1); // half maps of noise-free data agree to Nyquist (2 × 3 Å)
    }

    [Fact]
    public void CtfIsCorrectedOnNoiseFreeData()
    {
        var truth = new GaussianBlobPhantom { Seeds = new SeedSequence(5) }.Create(32, 4.0);
        using var temp = new TempDirectory();
        using var table = Simulate(truth, new SimulationOptions { Count = 1500, Snr = double.PositiveInfinity, Ctf = true, DefocusMinA = 10000, DefocusMaxA = 30000, Seeds = new SeedSequence(3) }, temp);
        var corrected = new ParticleReconstruction(new ReconstructionOptions { Seeds = new SeedSequence(1), Ctf = true }).Run(table);
        var ignored = new ParticleReconstruction(new ReconstructionOptions { Seeds = new SeedSequence(1), Ctf = false }).Run(table);
        var good = FourierShellCorrelation.Compute(corrected.Map, truth);
        var bad = FourierShellCorrelation.Compute(ignored.Map, truth);
        output.WriteLine("ctf: " + string.Join(" ", good.Values.Select(v => v.ToString("F3"))));
        output.WriteLine("no ctf: " + string.Join(" ", bad.Values.Select(v => v.ToString("F3"))));
        for (int s = 1; s <= 12; s++)
        {
            Assert.True(good.Values[s] > 0.95, $"shell {s}: FSC {good.Values[s]:F3}");
        }

        Assert.True(bad.Values.Skip(4).Take(8).Average() < good.Values.Skip(4).Take(8).Average() - 0.1);
    }

    [Fact]
    public void HalfSetsFollowRandomSubsetAndFscDropsWithNoise()
    {
        var truth = new GaussianBlobPhantom { Seeds = new SeedSequence(6) }.Create(32, 4.0);
        using var temp = new TempDirectory();
        using var table = Simulate(truth, new SimulationOptions { Count = 2000, Snr = 0.05, Ctf = true, Seeds = new SeedSequence(4) }, temp);
        var result = new ParticleReconstruction(new ReconstructionOptions { Seeds = new SeedSequence(1), Ctf = true }).Run(table);
        Assert.Equal(table.Records.Count(r => r.Subset == 1), result.Half1Count);
        Assert.Equal(2000, result.Half1Count + result.Half2Count);
        Assert.True(result.Resolution0143 > 8.5 && result.Resolution0143 < 60, $"resolution {result.Resolution0143}");

        // The full map is closer to the truth than either half map.
        double Low(Volume v) => FourierShellCorrelation.Compute(v, truth).Values.Skip(3).Take(6).Average();
        Assert.True(Low(result.Map) > Low(result.Half1) && Low(result.Map) > Low(result.Half2));

        // Auto regularisation works from the same accumulators (and changes the map).
        var auto = new ParticleReconstruction(new ReconstructionOptions { Seeds = new SeedSequence(1), Ctf = true, Regularisation = null }).Run(table);
        Assert.NotEqual(result.Map.Data, auto.Map.Data);
    }

    [Fact]
    public void MaxResolutionKeepsFrequenciesBeyondItOut()
    {
        // relion_reconstruct --maxres: at 12 Å (radius 10.7 of a 32-pixel box of 4 Å) the map keeps the low
        // frequencies and has (almost) nothing beyond the limit.
        var truth = new GaussianBlobPhantom { Seeds = new SeedSequence(11) }.Create(32, 4.0);
        using var temp = new TempDirectory();
        using var table = Simulate(truth, new SimulationOptions { Count = 1500, Snr = double.PositiveInfinity, Ctf = false, Seeds = new SeedSequence(12) }, temp);
        var limited = new ParticleReconstruction(new ReconstructionOptions { Seeds = new SeedSequence(1), Ctf = false, MaxResolutionA = 12 }).Run(table);
        var full = new ParticleReconstruction(new ReconstructionOptions { Seeds = new SeedSequence(1), Ctf = false }).Run(table);
        var shells = new FourierShells(truth.Shape);
        var power = shells.RadialPower(limited.Map.ToFourier().Data);
        var reference = shells.RadialPower(full.Map.ToFourier().Data);
        // Beyond the limit only the interpolation's spill remains: a few per cent of the unlimited map's power in the
        // first shells past it, against the full power below it.
        for (int s = 2; s <= 9; s++)
        {
            Assert.Equal(1, power[s] / reference[s], 0.05);
        }

        for (int s = 13; s <= 14; s++)
        {
            Assert.True(power[s] < 0.1 * reference[s], $"shell {s}: {power[s]:G3} against {reference[s]:G3} without the limit");
        }

        var fsc = FourierShellCorrelation.Compute(limited.Map, truth);
        Assert.True(fsc.Values.Skip(1).Take(8).All(v => v > 0.95), string.Join(" ", fsc.Values.Select(v => v.ToString("F2"))));
        Assert.Throws<InvalidParameterException>(() => new ParticleReconstruction(new ReconstructionOptions { Seeds = new SeedSequence(1), Ctf = false, MaxResolutionA = 5 }).Run(table));
    }

    [Fact]
    public void RunsAreIdenticalToTheBit()
    {
        var truth = new GaussianBlobPhantom { Seeds = new SeedSequence(9) }.Create(24, 4.0);
        using var temp = new TempDirectory();
        using var table = Simulate(truth, new SimulationOptions { Count = 700, Snr = 0.2, Ctf = true, Seeds = new SeedSequence(8) }, temp);
        var options = new ReconstructionOptions { Seeds = new SeedSequence(1), Ctf = true, ChunkSize = 100 };
        var a = new ParticleReconstruction(options).Run(table);
        var b = new ParticleReconstruction(options).Run(table);
        Assert.Equal(a.Map.Data, b.Map.Data);
        Assert.Equal(a.Half1.Data, b.Half1.Data);
    }

    [Fact]
    public void BadParticlesAreNamedWithTheirLine()
    {
        var truth = new GaussianBlobPhantom { Seeds = new SeedSequence(7) }.Create(16, 4.0);
        using var temp = new TempDirectory();
        using var table = Simulate(truth, new SimulationOptions { Count = 5, Snr = 1, Ctf = true, Seeds = new SeedSequence(5) }, temp);

        // An image index past the end of the stack.
        var text = File.ReadAllText(temp.File("p.star")).Replace("000005@", "000009@");
        File.WriteAllText(temp.File("missing.star"), text);
        var missing = Assert.Throws<InvalidFileException>(() => Run(temp.File("missing.star")));
        Assert.Matches("000009@.*p.mrcs is missing", missing.Message);
        Assert.NotNull(missing.Line);

        // A stack that does not exist.
        File.WriteAllText(temp.File("nostack.star"), File.ReadAllText(temp.File("p.star")).Replace("p.mrcs", "q.mrcs"));
        Assert.Matches("q.mrcs (not found|does not exist)", Assert.Throws<InvalidFileException>(() => Run(temp.File("nostack.star"))).Message);

        // An impossible CTF.
        var rows = ParticleTable.Load(temp.File("p.star"));
        rows.Particles[2].DefocusUA = -100;
        rows.Save(temp.File("badctf.star"));
        var ctf = Assert.Throws<InvalidFileException>(() => Run(temp.File("badctf.star")));
        Assert.Contains("particle 3 has an impossible CTF", ctf.Message);

        // A NaN pixel in image 4.
        var stack = MrcReader.ReadStack(temp.File("p.mrcs"));
        stack[3][17] = float.NaN;
        MrcWriter.Write(temp.File("p.mrcs"), stack);
        var nan = Assert.Throws<InvalidFileException>(() => Run(temp.File("p.star")));
        Assert.Contains("section 4", nan.Message);
    }

    [Fact]
    public void WienerAverageOfDifferentCtfsRecoversTheImage()
    {
        var image = new FourierProjectorImage(32).Image;
        var shape = GridShape.Square(32);
        var average = new WienerAverage(32);
        var ctf = new float[shape.HalfComplexLength];
        foreach (double defocus in new[] { 8000.0, 13000, 19000, 26000 })
        {
            new CtfModel { DefocusUA = defocus, DefocusVA = defocus }.Fill(ctf, 32, 3.0);
            var spectrum = image.ToFourier().Data;
            SpectrumFilter.Multiply(spectrum, ctf);
            average.Add(spectrum, ctf);
        }

        var restored = new float[shape.Length];
        Fft.Inverse(average.Result([1e-3]), shape, restored);
        Assert.True(ImageComparison.Of(image.Data, restored).Correlation > 0.99);

        // One image alone, Wiener-filtered, keeps its CTF zeros: worse, but far better than the raw image.
        var single = image.ToFourier().Data;
        new CtfModel { DefocusUA = 26000, DefocusVA = 26000 }.Fill(ctf, 32, 3.0);
        SpectrumFilter.Multiply(single, ctf);
        var raw = new float[shape.Length];
        Fft.Inverse(single, shape, raw);
        WienerFilter.Apply(single, ctf, 32, [0.05]);
        var filtered = new float[shape.Length];
        Fft.Inverse(single, shape, filtered);
        Assert.True(ImageComparison.Of(image.Data, filtered).Correlation > ImageComparison.Of(image.Data, raw).Correlation);
    }

    private static ReconstructionResult Run(string star)
    {
        using var source = StarParticleSource.Open(star);
        return new ParticleReconstruction(new ReconstructionOptions { Seeds = new SeedSequence(1), Ctf = true }).Run(source);
    }

    /// <summary>Simulates to p.mrcs and p.star and opens them again, as reconstruct does.</summary>
    private static StarParticleSource Simulate(Volume truth, SimulationOptions options, TempDirectory temp)
    {
        SimulatedStack.Write(new ParticleSimulator(truth, options), temp.File("p.mrcs"));
        return StarParticleSource.Open(temp.File("p.star"));
    }

    /// <summary>A band-limited test image: a projection of the blob phantom.</summary>
    private sealed class FourierProjectorImage(int box)
    {
        public Image Image { get; } = new CryoSharp.Projection.FourierProjector(new GaussianBlobPhantom { Seeds = new SeedSequence(8) }.Create(box, 3.0))
            .Project(CryoSharp.Geometry.EulerAngles.FromDegrees(20, 50, 80));
    }
}
