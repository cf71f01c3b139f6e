using BenchmarkDotNet.Attributes;
using CryoSharp.Detection;
using CryoSharp.Imaging;
using CryoSharp.Numerics;

namespace CryoSharp.Bench;

/// <summary>
/// Multi-target detection on micrographs: rendering a 1,000 × 1,000 simulated micrograph (blob target, L = 9, γ = 0.1,
/// noise), one iteration of the approximate EM over its 12,321 patches with K = 16 rotations, the autocorrelation
/// pass over it (a¹, 289 lags of a², 3,321 distinct entries of a³), and one evaluation of the rotation-averaged model
/// with its gradient (K = 28 angles, 42 parameters), the unit of work of the autocorrelation fit.
/// </summary>
[MemoryDiagnoser]
public class MicrographDetectionBenchmarks
{
    private MicrographSimulation simulation = null!;
    private float[] rows = null!;
    private double sigma;
    private RotationAveragedAutocorrelations model = null!;
    private double[] parameters = null!;
    private double[] second = null!;
    private double[] third = null!;
    private double[] gradient = null!;

    /// <summary>The target and the placed copies, once.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var targets = new RotatedImageTargets(BlobImagePhantom.Create(9, 2, new SeedSequence(1)));
        double energy = System.Numerics.Tensors.TensorPrimitives.SumOfSquares<float>(targets.Target.Data);
        sigma = Math.Sqrt(energy / (81 * 2.0));
        simulation = new MicrographSimulation(targets, 1000, 1000, 0.1, sigma, MtdSpacing.WellSeparated, new SeedSequence(2));
        rows = new float[1000 * 1000];
        model = new RotationAveragedAutocorrelations(targets.Basis);
        parameters = model.Pack(targets.Coefficients);
        second = new double[17 * 17];
        third = new double[81 * 81];
        gradient = new double[model.Parameters];
    }

    /// <summary>The whole micrograph, copies and noise.</summary>
    [Benchmark]
    public void RenderMicrograph() => simulation.ReadRows(0, 1000, rows);

    /// <summary>One EM iteration (E-step over every patch, M-step by conjugate gradients).</summary>
    [Benchmark]
    public MicrographEmResult EmIteration() => MicrographExpectationMaximization.Solve(simulation, 9, sigma,
        new MicrographEmOptions { Rotations = 16, MaxIterations = 1, Seeds = new SeedSequence(3) });

    /// <summary>The autocorrelation pass over the whole micrograph.</summary>
    [Benchmark]
    public MicrographAutocorrelations AutocorrelationPass() => MicrographAutocorrelations.Compute(simulation, 9);

    /// <summary>The model and its gradient once.</summary>
    [Benchmark]
    public double ModelAndGradient()
    {
        double first = model.Evaluate(parameters, 0.1, second, third);
        Array.Clear(gradient);
        model.Backpropagate(parameters, 0.1, 1, second, third, gradient);
        return first + gradient[0];
    }
}
