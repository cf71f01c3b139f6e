using BenchmarkDotNet.Attributes;
using CryoSharp.Imaging;
using CryoSharp.Numerics;
using CryoSharp.Particles;
using CryoSharp.Refinement;
using CryoSharp.Simulation;

namespace CryoSharp.Bench;

/// <summary>
/// One 3D refinement iteration on one thread: 200 particles of box 64 (3 Å/px, CTF, SNR 0.05 as bench/peers/refine3d.sh)
/// from the true map, at a global search (HEALPix order 2, 7.5° after oversampling, at 20 Å) and a local one (order 4,
/// 1.9°, at 12 Å). The whole iteration: slices, E-step, back-projection, both halves' reconstructions.
/// </summary>
[MemoryDiagnoser]
public class RefinementBenchmarks
{
    private Refinement3D refinement = null!;
    private IParticleSource prepared = null!;
    private Refine3DState state = null!;

    /// <summary>HEALPix order of the iteration (2: global; 4: local).</summary>
    [Params(2, 4)]
    public int Order { get; set; }

    /// <summary>The particles, and a state two iterations in at the benchmark's order (poses known for local searches).</summary>
    [GlobalSetup]
    public void Setup()
    {
        var map = new GaussianBlobPhantom { Seeds = new SeedSequence(1) }.Create(64, 3.0);
        var simulator = new ParticleSimulator(map, new SimulationOptions { Count = 200, Snr = 0.05, Ctf = true, ShiftSigmaA = 3, Seeds = new SeedSequence(2) });
        var source = simulator.CreateSource().Cache();
        refinement = new Refinement3D(new Refine3DOptions
        {
            Ctf = true,
            ParticleDiameterA = 170,
            HealpixOrder = 2,
            LocalFromOrder = 3,
            OffsetRangePx = 3,
            OffsetStepPx = 2,
            Context = ComputeContext.SingleThreaded,
        });
        prepared = refinement.Preprocess(source);
        var start = refinement.Start(prepared, [map]);
        (start, _) = refinement.Iterate(prepared, start);
        (start, _) = refinement.Iterate(prepared, start);
        state = start with
        {
            Model = start.Model with
            {
                CurrentRadiusPx = Order == 2 ? 10 : 16,
                HealpixOrder = Order,
                IterationsWithoutResolutionGain = 0,
                SmallestOrientationChangeDeg = double.PositiveInfinity,
                IterationsWithoutSettling = 0,
                FinalNext = false,
            },
        };
    }

    /// <summary>One iteration over the 200 particles.</summary>
    [Benchmark]
    public double Iteration() => refinement.Iterate(prepared, state).Statistics.ResolutionA;
}
