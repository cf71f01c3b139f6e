using BenchmarkDotNet.Attributes;
using CryoSharp.Detection;
using CryoSharp.Moments;
using CryoSharp.Numerics;
using CryoSharp.Synchronization;

namespace CryoSharp.Bench;

/// <summary>
/// The passes over data of the 1D orbit-recovery methods and one multi-frequency synchronization: the MRA
/// invariants (bispectrum) over 10⁶ observations of length 41, one MRA EM iteration over 10⁵, the MTD
/// autocorrelation pass over 10⁸ samples held in memory, and phase synchronization at n = 2000, k_max = 10.
/// </summary>
[MemoryDiagnoser]
public class OrbitRecoveryBenchmarks
{
    private MraObservationSet mraData = null!;
    private MraObservationSet emData = null!;
    private MtdMeasurementSet measurement = null!;
    private PhaseSynchronizationProblem phases = null!;

    /// <summary>Materialises the data once.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var boxcar = MraSignal.Boxcar(41, 21);
        mraData = Materialize(new MraSimulation(boxcar, ShiftDistribution.Uniform(41), 1, 1_000_000, new SeedSequence(1)));
        emData = Materialize(new MraSimulation(boxcar, ShiftDistribution.Uniform(41), 1, 100_000, new SeedSequence(2)));
        measurement = MtdMeasurementSet.Materialize(new MtdSimulation(MraSignal.RandomGaussian(21, new SeedSequence(3)), 100_000_000, 0.3, 3, MtdSpacing.WellSeparated, new SeedSequence(4)));
        phases = PhaseSynchronizationProblem.Corruption(2000, 1.5 / Math.Sqrt(2000), new SeedSequence(5));
    }

    /// <summary>Mean, power spectrum and bispectrum of 10⁶ observations.</summary>
    [Benchmark]
    public MraInvariants MraInvariantsPass() => MraInvariants.Compute(mraData, 1);

    /// <summary>One EM iteration over 10⁵ observations.</summary>
    [Benchmark]
    public MraEstimate MraEmIteration() => MraExpectationMaximization.Solve(emData, 1, new MraEmOptions { MaxIterations = 1, Seeds = new SeedSequence(1) });

    /// <summary>a¹, a², a³ (L = 21) of 10⁸ samples.</summary>
    [Benchmark]
    public MtdAutocorrelations MtdAutocorrelationPass() => MtdAutocorrelations.Compute(measurement, 21);

    /// <summary>The first stage at n = 2000, k_max = 10.</summary>
    [Benchmark]
    public System.Numerics.Complex[] PhaseMultiFrequency() => PhaseSynchronization.MultiFrequency(phases.Measurements, 10);

    private static MraObservationSet Materialize(IMraObservations source)
    {
        var data = new float[source.Count * source.Length];
        var shifts = new int[source.ChunkSize];
        for (int c = 0; c < source.ChunkCount; c++)
        {
            source.Read(c, data.AsSpan((int)((long)c * source.ChunkSize * source.Length)), shifts);
        }

        return new MraObservationSet(data, source.Length);
    }
}
