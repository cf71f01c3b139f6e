using BenchmarkDotNet.Attributes;
using CryoSharp.Imaging;
using CryoSharp.Numerics;
using CryoSharp.Refinement;
using CryoSharp.Simulation;

namespace CryoSharp.Bench;

/// <summary>
/// One ab initio SGD iteration on one thread: a minibatch from 2,000 particles of box 64 (3 Å/px, CTF, SNR 0.05 as
/// bench/peers/refine3d.sh) on the 32 px working box, early (35 Å, HEALPix order 1, 100 particles) and late (12 Å,
/// order 2, 300 particles): E-step, back-projection, the minibatch reconstruction and the step.
/// </summary>
[MemoryDiagnoser]
public class AbInitioBenchmarks
{
    private AbInitio abinitio = null!;
    private AbInitioParticles particles = null!;
    private AbInitioState state = null!;

    /// <summary>The iteration of a 120-iteration schedule benchmarked (0: first phase; 100: last).</summary>
    [Params(0, 100)]
    public int Iteration { get; set; }

    /// <summary>The particles and the start, moved to the benchmark's iteration.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var map = new GaussianBlobPhantom { Seeds = new SeedSequence(1) }.Create(64, 3.0);
        var simulator = new ParticleSimulator(map, new SimulationOptions { Count = 2000, Snr = 0.05, Ctf = true, ShiftSigmaA = 3, Seeds = new SeedSequence(2) });
        abinitio = new AbInitio(new AbInitioOptions { Ctf = true, ParticleDiameterA = 170, Context = ComputeContext.SingleThreaded });
        particles = abinitio.Prepare(simulator.CreateSource());
        var start = abinitio.Start(particles);
        state = start with { Model = start.Model with { Iteration = Iteration } };
    }

    /// <summary>One iteration.</summary>
    [Benchmark]
    public AbInitioState SgdIteration() => abinitio.Iterate(particles, state).State;
}
