using CryoSharp.Imaging;
using CryoSharp.Numerics;
using CryoSharp.Particles;
using CryoSharp.Simulation;

namespace CryoSharp.Tests.Refinement;

/// <summary>
/// Views of an asymmetric phantom at random orientations and offsets, in white noise (CTF optional), with the truth
/// kept aside: the particles handed to a refinement carry no angles and no origins.
/// </summary>
internal static class Refine3DTestData
{
    public const int Box = 40;
    public const double PixelSizeA = 3;

    /// <summary>The phantom: 24 Gaussian blobs within 30 % of the box (about 80 Å across), no symmetry.</summary>
    public static Volume Map() => new GaussianBlobPhantom { Seeds = new SeedSequence(33) }.Create(Box, PixelSizeA);

    /// <summary><paramref name="count"/> particles at SNR <paramref name="snr"/> (over the box), origins N(0, 3 Å); returns them without poses, and the true records.</summary>
    public static (InMemoryParticleSource Particles, IReadOnlyList<ParticleRecord> Truth) Particles(int count, double snr, bool ctf, int seed, Volume? map = null)
    {
        var options = new SimulationOptions { Count = count, Snr = snr, Ctf = ctf, ShiftSigmaA = PixelSizeA, Seeds = new SeedSequence(seed) };
        var simulator = new ParticleSimulator(map ?? Map(), options);
        var truth = simulator.DrawParticles();
        var source = simulator.CreateSource(truth);
        var images = new float[count * Box * Box];
        source.ReadImages(0, count, images);
        var blind = truth.Select(r => r with { Pose = default, Subset = 0 }).ToArray();
        return (new InMemoryParticleSource(images, Box, PixelSizeA, blind, "simulated views"), truth);
    }
}
