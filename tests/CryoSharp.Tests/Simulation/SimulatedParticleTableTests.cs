using CryoSharp.Imaging;
using CryoSharp.IO.Star;
using CryoSharp.Numerics;
using CryoSharp.Particles;
using CryoSharp.Simulation;
using CryoSharp.Tests.Support;

namespace CryoSharp.Tests.Simulation;

public class SimulatedParticleTableTests
{
    private static readonly Volume Map = new GaussianBlobPhantom { Seeds = new SeedSequence(7) }.Create(16, 6.0);

    internal static ParticleSimulator Simulator(int count) =>
        new(Map, new SimulationOptions { Count = count, Snr = 0.5, Ctf = true, ShiftSigmaA = 3, Seeds = new SeedSequence(5) });

    [Fact]
    public void RecordsMadeOnDemandAreTheRecordsDrawnInOrder()
    {
        int count = (2 * SimulatedParticleTable.BlockSize) + 777;
        var simulator = Simulator(count);
        var drawn = simulator.DrawParticles();
        var table = simulator.ParticleTable();
        Assert.Equal(count, table.Count);

        // Backwards, then from many threads at once, then in order: every way of reading gives the drawn record.
        for (int i = count - 1; i >= 0; i -= 997)
        {
            Assert.Equal(drawn[i], table[i]);
        }

        var mismatches = 0;
        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            int j = (int)((i * 7919L) % count);
            if (!drawn[j].Equals(table[j]))
            {
                Interlocked.Increment(ref mismatches);
            }
        });
        Assert.Equal(0, mismatches);
        Assert.Equal(drawn, table.ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => table[count]);
    }

    [Fact]
    public void StreamedStarFileIsTheTableWritten()
    {
        using var temp = new TempDirectory();
        var records = Simulator(300).DrawParticles();
        var second = records[0].Optics with { Number = 2, Name = "opticsGroup2", VoltageKv = 200 };
        var stacked = new StackedRecords(records.Select((r, i) => i % 3 == 0 ? r with { Optics = second } : r).ToArray(), "stack.mrcs");
        var columns = ParticleColumns.Image | ParticleColumns.Angles | ParticleColumns.Origins | ParticleColumns.Defocus | ParticleColumns.RandomSubset;
        ParticleRecords.SaveStreamed(temp.File("streamed.star"), stacked, columns);
        ParticleRecords.ToTable(stacked, columns).Save(temp.File("table.star"));
        Assert.Equal(File.ReadAllText(temp.File("table.star")), File.ReadAllText(temp.File("streamed.star")));
        var read = ParticleTable.Load(temp.File("streamed.star"));
        Assert.Equal(2, read.OpticsGroups.Count);
        Assert.Equal(300, read.Count);
        Assert.Equal("000300@stack.mrcs", read.Particles[299].Image.ToString());
    }
}

/// <summary>The table's footprint, measured alone (<see cref="Moments.MemoryMeasurements"/>) so no other test's objects count.</summary>
[Collection(nameof(Moments.MemoryMeasurements))]
public class SimulatedParticleTableMemoryTests
{
    [Fact]
    public void ATableOfAMillionRecordsHoldsAFewMegabytes()
    {
        var table = SimulatedParticleTableTests.Simulator(1_000_000).ParticleTable();
        long before = GC.GetTotalMemory(forceFullCollection: true);
        double sum = 0;
        foreach (var r in table)
        {
            sum += r.Pose.TiltDeg;
        }

        long held = GC.GetTotalMemory(forceFullCollection: true) - before;
        GC.KeepAlive(table);

        // Held, the records would take about 350 MB (ParticleRecord, Pose and CtfModel objects); the table keeps one
        // generator state per block and two blocks of records.
        // The lower bound allows the runtime's own buffers (thread pool, earlier tests' caches) to shrink in between.
        Assert.InRange(held, -(16L << 20), 16L << 20);
        Assert.InRange(sum / table.Count, 85, 95); // uniform views: mean tilt 90°
    }
}
