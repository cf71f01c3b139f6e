using CryoSharp.Imaging;
using CryoSharp.Numerics;
using CryoSharp.Particles;
using CryoSharp.Simulation;

namespace CryoSharp.Tests.Classification;

/// <summary>
/// Particles of a few distinct views of a phantom, each at a random in-plane angle and offset: data whose true
/// classes, angles and offsets are known.
/// </summary>
internal static class Class2DTestData
{
    public static readonly Volume Map = new GaussianBlobPhantom { Seeds = new SeedSequence(21) }.Create(32, 4.0);

    /// <summary>The views: (rot, tilt) pairs far apart.</summary>
    public static readonly (double Rot, double Tilt)[] Views = [(0, 0), (0, 90), (90, 90), (45, 45)];

    public static (SimulatedParticleSource Source, int[] View) Create(int count, int views, double snr, bool ctf, int seed, double shiftSigmaA = 4)
    {
        var options = new SimulationOptions { Count = count, Snr = snr, Ctf = ctf, ShiftSigmaA = shiftSigmaA, Seeds = new SeedSequence(seed) };
        var simulator = new ParticleSimulator(Map, options);
        var drawn = simulator.DrawParticles();
        var random = new RandomStream(new SeedSequence(seed).Spawn("views").Seed64);
        var view = new int[count];
        var records = new ParticleRecord[count];
        for (int i = 0; i < count; i++)
        {
            view[i] = i % views;
            var (rot, tilt) = Views[view[i]];
            records[i] = drawn[i] with { Pose = drawn[i].Pose with { RotDeg = rot, TiltDeg = tilt, PsiDeg = 360 * random.NextDouble() } };
        }

        return (simulator.CreateSource(records), view);
    }
}
