using BenchmarkDotNet.Attributes;
using CryoSharp.Detection;
using CryoSharp.Imaging;
using CryoSharp.Numerics;

namespace CryoSharp.Bench;

/// <summary>
/// Multi-target detection on micrographs: rendering a 1,000 × 1,000 simulated micrograph (blob target, L = 9, γ = 0.1,
/// noise), and one iteration of the approximate EM over its 12,321 patches with K = 16 rotations.
/// </summary>
[MemoryDiagnoser]
public class MicrographDetectionBenchmarks
{
    private MicrographSimulation simulation = null!;
    private float[] rows = null!;
    private double sigma;

    /// <summary>The target and the placed copies, once.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var targets = new RotatedImageTargets(BlobImagePhantom.Create(9, 2, new SeedSequence(1)));
        double energy = System.Numerics.Tensors.TensorPrimitives.SumOfSquares<float>(targets.Target.Data);
        sigma = Math.Sqrt(energy / (81 * 2.0));
        simulation = new MicrographSimulation(targets, 1000, 1000, 0.1, sigma, MtdSpacing.WellSeparated, new SeedSequence(2));
        rows = new float[1000 * 1000];
    }

    /// <summary>The whole micrograph, copies and noise.</summary>
    [Benchmark]
    public void RenderMicrograph() => simulation.ReadRows(0, 1000, rows);

    /// <summary>One EM iteration (E-step over every patch, M-step by conjugate gradients).</summary>
    [Benchmark]
    public MicrographEmResult EmIteration() => MicrographExpectationMaximization.Solve(simulation, 9, sigma,
        new MicrographEmOptions { Rotations = 16, MaxIterations = 1, Seeds = new SeedSequence(3) });
}
