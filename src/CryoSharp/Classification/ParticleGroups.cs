using CryoSharp.Particles;

namespace CryoSharp.Classification;

/// <summary>
/// The groups RELION corrects intensity scales over: one per micrograph (rlnMicrographName), numbered from 1 in order
/// of first appearance, or one group of every particle when the data name no micrographs. Particles of one
/// micrograph share ice thickness and dose, so their images share a contrast that another micrograph's may not.
/// </summary>
public sealed class ParticleGroups
{
    private ParticleGroups(int[] groupOf, string[] names, long[] counts)
    {
        GroupOf = groupOf;
        Names = names;
        Counts = counts;
    }

    /// <summary>The group of each particle, from 0.</summary>
    public IReadOnlyList<int> GroupOf { get; }

    /// <summary>Each group's micrograph name ("all" for the one group of data without micrographs).</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>Particles per group.</summary>
    public IReadOnlyList<long> Counts { get; }

    /// <summary>Number of groups.</summary>
    public int Count => Names.Count;

    /// <summary>The groups of <paramref name="records"/>.</summary>
    public static ParticleGroups Of(IReadOnlyList<ParticleRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var names = new List<string>();
        var counts = new List<long>();
        var groupOf = new int[records.Count];
        for (int i = 0; i < groupOf.Length; i++)
        {
            string name = records[i].Micrograph ?? "all";
            if (!index.TryGetValue(name, out int g))
            {
                g = index[name] = names.Count;
                names.Add(name);
                counts.Add(0);
            }

            groupOf[i] = g;
            counts[g]++;
        }

        return new ParticleGroups(groupOf, [.. names], [.. counts]);
    }
}
