using System.Collections;
using CryoSharp.IO.Star;

namespace CryoSharp.Particles;

/// <summary>
/// A source's records as they stand once its images are written into one stack: record i numbered i, its image
/// the (i + 1)-th of the stack. Made on demand from the source's records, so a table of any length costs nothing.
/// </summary>
public sealed class StackedRecords(IReadOnlyList<ParticleRecord> records, string stackName) : IReadOnlyList<ParticleRecord>
{
    private readonly IReadOnlyList<ParticleRecord> records = records ?? throw new ArgumentNullException(nameof(records));

    /// <summary>How the records name the stack.</summary>
    public string StackName { get; } = stackName ?? throw new ArgumentNullException(nameof(stackName));

    /// <inheritdoc/>
    public int Count => records.Count;

    /// <inheritdoc/>
    public ParticleRecord this[int index] => records[index] with { Index = index, Image = new ImageReference(index + 1, StackName) };

    /// <inheritdoc/>
    public IEnumerator<ParticleRecord> GetEnumerator()
    {
        for (int i = 0; i < Count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
