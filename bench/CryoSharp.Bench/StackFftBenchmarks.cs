using BenchmarkDotNet.Attributes;
using CryoSharp.Numerics;
using CryoSharp.Numerics.Fft;

namespace CryoSharp.Bench;

/// <summary>
/// 2D real-to-complex and inverse FFTs of particle stacks (batched FFTW plans, all threads). Times are per
/// image (OperationsPerInvoke), so images per second = 1 / mean.
/// </summary>
[MemoryDiagnoser]
public class StackFftBenchmarks
{
    private const int Images = 512;
    private float[] stack = [];
    private ComplexF[] spectra = [];
    private GridShape shape;
    private ComputeContext context = ComputeContext.Default;

    /// <summary>Box size in pixels.</summary>
    [Params(64, 128, 256)]
    public int Box { get; set; }

    /// <summary>FFTW planning rigor (deterministic estimate, or timed measure).</summary>
    [Params(FftPlanning.Estimate, FftPlanning.Measure)]
    public FftPlanning Planning { get; set; }

    /// <summary>Makes a stack of noise and warms the plans.</summary>
    [GlobalSetup]
    public void Setup()
    {
        context = ComputeContext.Default with { FftPlanning = Planning };
        shape = GridShape.Square(Box);
        stack = new float[shape.Length * Images];
        new RandomStream(1).FillGaussian(stack);
        spectra = new ComplexF[shape.HalfComplexLength * Images];
        Fft.ForwardMany(stack, shape, Images, spectra, context: context);
        Fft.InverseMany(spectra, shape, Images, stack, context: context);
    }

    /// <summary>Forward transforms of the whole stack, centred origin.</summary>
    [Benchmark(OperationsPerInvoke = Images)]
    public void Forward() => Fft.ForwardMany(stack, shape, Images, spectra, context: context);

    /// <summary>Inverse transforms of the whole stack, centred origin.</summary>
    [Benchmark(OperationsPerInvoke = Images)]
    public void Inverse() => Fft.InverseMany(spectra, shape, Images, stack, context: context);
}
