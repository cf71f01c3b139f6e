using BenchmarkDotNet.Attributes;
using CryoSharp.Detection;
using CryoSharp.Imaging;
using CryoSharp.Numerics;

namespace CryoSharp.Bench;

/// <summary>
/// Multi-target detection in 3D: one iteration of the approximate EM for an 11³ volume (degree 10, 258 spherical Bessel
/// functions) over the 8,100 patches of a 990 × 990 micrograph of Shepp–Logan projections (γ = 0.15, σ = 0.4, about
/// SNR 3.5), at 72 (HEALPix order 0) and 576 (order 1) orientations: the E-step is 8,100 × K correlations and
/// back-projections through 22 × 22 FFTs, the M-step K rotated normal-equation blocks of 258².
/// </summary>
[MemoryDiagnoser]
public class MicrographVolumeEmBenchmarks
{
    private MicrographSimulation simulation = null!;

    /// <summary>HEALPix order of the orientations.</summary>
    [Params(0, 1)]
    public int OrientationOrder { get; set; }

    /// <summary>The phantom and the placed copies, once.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var volume = (Volume)FourierResampling.Resample(CryoSharp.Simulation.SheppLoganPhantom.Create(88, 0.25), 11);
        simulation = new MicrographSimulation(new ProjectedVolumeTargets(volume), 990, 990, 0.15, 0.4, MtdSpacing.WellSeparated, new SeedSequence(4));
    }

    /// <summary>One iteration from the random start.</summary>
    [Benchmark]
    public MicrographVolumeEmResult Iteration() => MicrographVolumeExpectationMaximization.Solve(simulation, 11, 0.4,
        new MicrographVolumeEmOptions { OrientationOrder = OrientationOrder, MaxIterations = 1, Seeds = new SeedSequence(5) });
}
