using BenchmarkDotNet.Attributes;
using CryoSharp.Geometry;
using CryoSharp.Numerics;
using CryoSharp.Poses;

namespace CryoSharp.Bench;

/// <summary>
/// Pose recovery from pairwise distances at N = 5,000: scoring 40 mixed pairs per particle of the image distance
/// (64-px images, Fourier–Bessel coefficients, kNN by brute force), the exact distance's kNN, and one epoch of the
/// Adam fit over the 200,000 pairs.
/// </summary>
[MemoryDiagnoser]
public class PoseRecoveryBenchmarks
{
    private UnitQuaternion[] truth = null!;
    private ImagePairDistance images = null!;
    private PairSet pairs = null!;

    /// <summary>Random orientations, random images, and the exact pairs, once.</summary>
    [GlobalSetup]
    public void Setup()
    {
        truth = Rotations.RandomUniform(5000, new SeedSequence(1));
        var pixels = new float[5000 * 64 * 64];
        new SeedSequence(2).CreateStream().FillGaussian(pixels);
        images = new ImagePairDistance(pixels, 5000, 64, inPlaneAligned: false);
        pairs = PairSet.Sample(new RotationPairDistance(truth), PairSampling.Mixed, 40, new SeedSequence(3));
    }

    /// <summary>40 mixed pairs per particle of the Euclidean image distance, kNN included.</summary>
    [Benchmark]
    public PairSet EuclideanPairs() => PairSet.Sample(images, PairSampling.Mixed, 40, new SeedSequence(4));

    /// <summary>20 nearest neighbours of each of 5,000 orientations.</summary>
    [Benchmark]
    public int[][] ExactNeighbours() => new RotationPairDistance(truth).Neighbours(20);

    /// <summary>One epoch (200,000 pairs, one start).</summary>
    [Benchmark]
    public PoseRecoveryResult FitEpoch() => QuaternionPoseRecovery.Run(pairs, new PoseRecoveryOptions { Epochs = 1, Restarts = 1, Seeds = new SeedSequence(5) });
}
