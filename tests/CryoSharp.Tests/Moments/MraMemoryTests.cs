using CryoSharp.Moments;
using CryoSharp.Numerics;

namespace CryoSharp.Tests.Moments;

/// <summary>Tests that measure the process's allocations, run alone so that no other test's allocations count.</summary>
[CollectionDefinition(nameof(MemoryMeasurements), DisableParallelization = true)]
public sealed class MemoryMeasurements;

[Collection(nameof(MemoryMeasurements))]
public class MraMemoryTests
{
    [Fact]
    public void EmIterationsReuseTheirBuffers()
    {
        // Each iteration is a pass over the data with per-worker buffers of ~8 MB at these sizes; allocating them per
        // pass made gigabytes of garbage (5.4 GB resident at N = 10⁵). Kept for the whole solve, 20 iterations
        // allocate a few megabytes.
        var simulation = new MraSimulation(MraSignal.Boxcar(41, 21), ShiftDistribution.Uniform(41), 1, 50_000, new SeedSequence(3));
        var options = new MraEmOptions { MaxIterations = 20, Tolerance = 0, Seeds = new SeedSequence(1), Context = ComputeContext.Default.WithThreads(2) };
        MraExpectationMaximization.Solve(simulation, 1, options with { MaxIterations = 1 });
        long before = GC.GetTotalAllocatedBytes(precise: true);
        var estimate = MraExpectationMaximization.Solve(simulation, 1, options);
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        Assert.Equal(20, estimate.Iterations);
        Assert.True(allocated < 48L << 20, $"{allocated / (1 << 20)} MB allocated by 20 EM iterations");
    }
}
