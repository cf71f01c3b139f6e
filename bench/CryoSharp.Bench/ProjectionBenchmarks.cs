using BenchmarkDotNet.Attributes;
using CryoSharp.Geometry;
using CryoSharp.Imaging;
using CryoSharp.Numerics;
using CryoSharp.Numerics.Fft;
using CryoSharp.Projection;

namespace CryoSharp.Bench;

/// <summary>
/// Particle image formation, one image at a time on one thread: the central slice of the padded spectrum, the CTF,
/// and the whole particle (slice, shift, CTF, inverse FFT). Also the projector's one-off set-up.
/// </summary>
[MemoryDiagnoser]
public class ProjectionBenchmarks
{
    private FourierProjector projector = null!;
    private Volume volume = null!;
    private Matrix3[] orientations = [];
    private ComplexF[] spectrum = [];
    private float[] ctfValues = [];
    private float[] image = [];
    private int next;
    private readonly CtfModel ctf = new() { DefocusUA = 20000, DefocusVA = 19800, DefocusAngleDeg = 30 };

    /// <summary>Box size in pixels.</summary>
    [Params(64, 128, 256)]
    public int Box { get; set; }

    /// <summary>Builds the projector of a phantom and random orientations.</summary>
    [GlobalSetup]
    public void Setup()
    {
        volume = new GaussianBlobPhantom { Seeds = new SeedSequence(1) }.Create(Box, 2.0);
        projector = new FourierProjector(volume);
        orientations = [.. Rotations.RandomUniform(1024, new SeedSequence(1)).Select(q => q.ToMatrix())];
        spectrum = new ComplexF[GridShape.Square(Box).HalfComplexLength];
        ctfValues = new float[spectrum.Length];
        image = new float[Box * Box];
    }

    /// <summary>The central slice of one orientation (trilinear interpolation in the 2× padded spectrum).</summary>
    [Benchmark]
    public void Slice() => projector.ProjectSpectrum(orientations[next++ & 1023], spectrum);

    /// <summary>The CTF of one particle over the half-complex plane.</summary>
    [Benchmark]
    public void CtfFill() => ctf.Fill(ctfValues, Box, 2.0);

    /// <summary>One whole particle image: slice, shift by −origin, CTF, inverse FFT.</summary>
    [Benchmark]
    public void Particle()
    {
        ParticleImageFormation.Form(projector, orientations[next++ & 1023], 1.5, -2.5, ctf, spectrum, ctfValues);
        Fft.Inverse(spectrum, GridShape.Square(Box), image);
    }

    /// <summary>Building the projector: gridding correction, padding and the 3D FFT of the padded map.</summary>
    [Benchmark]
    public FourierProjector ProjectorSetup() => new(volume);
}
