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
        ParticleSet.Save(source, stackPath, Path.ChangeExtension(stackPath, ".star"), simulator.Columns, chunkSize: simulator.Options.ChunkSize);
        return source;
    }
}
