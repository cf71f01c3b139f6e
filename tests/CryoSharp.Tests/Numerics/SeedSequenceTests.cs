using CryoSharp.Imaging;
using CryoSharp.Numerics;
using CryoSharp.Simulation;

namespace CryoSharp.Tests.Numerics;

public class SeedSequenceTests
{
    [Fact]
    public void SeedsArePinnedForEveryProcessAndMachine()
    {
        // Golden values: a change here changes every seeded result of the program.
        var root = new SeedSequence(1);
        Assert.Equal(0xC117DC919517A739UL, root.Seed64);
        Assert.Equal(0x08502D6E5869F86AUL, root.Spawn("particles").Seed64);
        Assert.Equal(0x98DF7FC9F44D139FUL, root.Spawn("noise").ChildSeed(5));
        Assert.Equal(0x119F29EBE24F5097UL, root.Spawn("repetition", 3).Seed64);
        Assert.Equal("1/noise/5", root.Spawn("noise").Child(5).Path);

        var random = new RandomStream(42);
        Assert.Equal(0x15780B2E0C2EC716UL, random.NextUInt64());
        Assert.Equal(0x6104D9866D113A7EUL, random.NextUInt64());
        Assert.Equal(0.6800434110281394, random.NextDouble());
        Assert.Equal(9, random.NextInt(10));
        Assert.Equal(0.3834617912676943, random.NextGaussian());
    }

    [Fact]
    public void ChildrenAreIndependentAndStable()
    {
        var root = new SeedSequence(7);
        var seeds = new HashSet<ulong> { root.Seed64 };
        foreach (var purpose in new[] { "phantom", "particles", "noise", "half-sets", "signal" })
        {
            Assert.True(seeds.Add(root.Spawn(purpose).Seed64), purpose);
            for (int i = 0; i < 100; i++)
            {
                Assert.True(seeds.Add(root.Spawn(purpose).ChildSeed(i)), $"{purpose} {i}");
            }
        }

        // The same path gives the same seed however it was reached; another root gives another.
        Assert.Equal(root.Spawn("noise").ChildSeed(3), root.Spawn("noise", 3).Seed64);
        Assert.Equal(root.Spawn("noise").Child(3).Seed64, root.Spawn("noise").ChildSeed(3));
        Assert.NotEqual(root.Spawn("noise").Seed64, new SeedSequence(8).Spawn("noise").Seed64);
        Assert.NotEqual(root.Spawn("a").Spawn("b").Seed64, root.Spawn("b").Spawn("a").Seed64);

        // Streams of neighbouring children are uncorrelated.
        var a = new double[20000];
        var b = new double[20000];
        new RandomStream(root.ChildSeed(1)).FillGaussian(a);
        new RandomStream(root.ChildSeed(2)).FillGaussian(b);
        double dot = 0;
        for (int i = 0; i < a.Length; i++)
        {
            dot += a[i] * b[i];
        }

        Assert.InRange(dot / a.Length, -0.03, 0.03);
    }

    [Fact]
    public void UniformDrawsCoverTheirRangeEvenly()
    {
        var random = new RandomStream(3);
        var counts = new int[7];
        for (int i = 0; i < 70000; i++)
        {
            counts[random.NextInt(7)]++;
            double u = random.NextDouble();
            Assert.InRange(u, 0, 1 - 1e-17);
        }

        Assert.All(counts, c => Assert.InRange(c, 9600, 10400));
        Assert.Throws<ArgumentOutOfRangeException>(() => random.NextInt(0));
        Assert.Equal(5, random.NextInt(5, 6));
    }

    [Fact]
    public void SimulatedParticlesArePinnedPerSeed()
    {
        // The phantom, the particles' parameters and their noise each come from their own child of the seed, so
        // the particles of seed 1 are these whatever else the program draws.
        var map = new GaussianBlobPhantom { Seeds = new SeedSequence(7) }.Create(24, 3.0);
        var simulator = new ParticleSimulator(map, new SimulationOptions { Count = 3, Snr = 0.5, Ctf = true, ShiftSigmaA = 2, Seeds = new SeedSequence(1) });
        var records = simulator.DrawParticles();
        Assert.Equal(-45.828869100251254, records[0].Pose.RotDeg);
        Assert.Equal(144.7701918168407, records[0].Pose.TiltDeg);
        Assert.Equal(1.3806343898490747, records[0].Pose.OriginXA);
        Assert.Equal(25690.44826107154, records[0].Ctf!.DefocusUA);
        Assert.Equal(12329.45141109752, records[1].Ctf!.DefocusUA);
        var source = simulator.CreateSource(records);
        var image = new float[24 * 24];
        source.ReadImages(0, 1, image);
        Assert.Equal(6.433092076557666, source.NoiseSigma, 12);
        Assert.Equal(-19.828253f, image[0], 1e-4f); // vectorised noise: equal to the last bits on one kind of processor
        Assert.Equal(16.112373f, image[300], 1e-4f);
    }
}
