using CryoSharp.IO.Star;
using CryoSharp.Particles;
using CryoSharp.Simulation;

namespace CryoSharp.Tests.Support;

/// <summary>Writes a simulation to disk as a command would: a stack and a STAR file beside it.</summary>
public static class SimulatedStack
{
    /// <summary>Simulates into <paramref name="stackPath"/> (and a .star of the same name); returns the source.</summary>
    public static SimulatedParticleSource Write(ParticleSimulator simulator, string stackPath, IReadOnlyList<ParticleRecord>? records = null)
    {
        ArgumentNullException.ThrowIfNull(simulator);
        var source = records is null ? simulator.CreateSource() : simulator.CreateSource(records);
        var written = ParticleStackWriter.Write(source, stackPath, Path.GetFileName(stackPath), chunkSize: simulator.Options.ChunkSize);
        var columns = ParticleColumns.Image | ParticleColumns.Angles | ParticleColumns.Origins | ParticleColumns.RandomSubset |
            (simulator.Options.Ctf ? ParticleColumns.Defocus : ParticleColumns.None);
        ParticleRecords.ToTable(written, columns).Save(Path.ChangeExtension(stackPath, ".star"));
        return source;
    }
}
