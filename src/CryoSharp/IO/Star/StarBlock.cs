namespace CryoSharp.IO.Star;

/// <summary>
/// One <c>data_NAME</c> block of a STAR file: key–value pairs, a loop, or both (RELION uses one or the other).
/// </summary>
public sealed class StarBlock
{
    /// <summary>Creates an empty block named <paramref name="name"/> (without the <c>data_</c> prefix).</summary>
    public StarBlock(string name)
    {
        Name = name ?? throw new ArgumentNullException(nameof(name));
    }

    /// <summary>The block's name without <c>data_</c> (may be empty, as in RELION 3.0 files).</summary>
    public string Name { get; }

    /// <summary>Key–value pairs in file order (labels without underscore).</summary>
    public List<KeyValuePair<string, string>> Pairs { get; } = [];

    /// <summary>The block's loop, if it has one.</summary>
    public StarTable? Loop { get; set; }

    /// <summary>The comment line just before the block (RELION's <c># version 30001</c>), without '#'.</summary>
    public string? Comment { get; set; }

    /// <summary>The value of a pair, or null.</summary>
    public string? GetPair(string label)
    {
        foreach (var pair in Pairs)
        {
            if (pair.Key == label)
            {
                return pair.Value;
            }
        }

        return null;
    }

    /// <summary>Sets (replaces or appends) a pair.</summary>
    public void SetPair(string label, string value)
    {
        for (int i = 0; i < Pairs.Count; i++)
        {
            if (Pairs[i].Key == label)
            {
                Pairs[i] = new(label, value);
                return;
            }
        }

        Pairs.Add(new(label, value));
    }
}
