using CryoSharp.IO;

namespace CryoSharp.Particles;

/// <summary>
/// The open image stacks of a particle source, the most recently used 64 kept (a data set may have a stack per
/// micrograph). Thread-safe: readers are shared, and their positional reads need no lock.
/// </summary>
internal sealed class ParticleStackCache : IDisposable
{
    private const int Capacity = 64;
    private readonly Dictionary<string, (MrcReader Reader, long Used)> open = new(StringComparer.Ordinal);
    private readonly Lock gate = new();
    private readonly List<MrcReader> retired = [];
    private long clock;

    /// <summary>The reader of the stack at <paramref name="path"/>, opened on first use.</summary>
    public MrcReader Open(string path)
    {
        lock (gate)
        {
            clock++;
            if (open.TryGetValue(path, out var entry))
            {
                open[path] = (entry.Reader, clock);
                return entry.Reader;
            }

            if (open.Count >= Capacity)
            {
                // Another thread may still be reading from the evicted stack: close it with the cache, not now.
                var oldest = open.MinBy(e => e.Value.Used);
                retired.Add(oldest.Value.Reader);
                open.Remove(oldest.Key);
            }

            var reader = new MrcReader(path);
            open[path] = (reader, clock);
            return reader;
        }
    }

    /// <summary>Closes every stack.</summary>
    public void Dispose()
    {
        lock (gate)
        {
            foreach (var (reader, _) in open.Values)
            {
                reader.Dispose();
            }

            foreach (var reader in retired)
            {
                reader.Dispose();
            }

            open.Clear();
            retired.Clear();
        }
    }
}
