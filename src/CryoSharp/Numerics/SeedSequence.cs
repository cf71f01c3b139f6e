using System.Globalization;

namespace CryoSharp.Numerics;

/// <summary>
/// The root of every random draw of a run, made once from the user's <c>--seed</c>, that spawns independent child
/// sequences by purpose and index — "phantom", "particles", ("noise", i), ("repetition", r) — in the manner of
/// NumPy's <c>SeedSequence</c>: a child's 64-bit seed is a hash of the root seed and the whole path of keys that led
/// to it, so streams for different purposes never overlap in practice and adding a new purpose never shifts the
/// draws of another. Keys are hashed with fixed functions (FNV-1a for names, SplitMix64 mixing), never .NET's
/// per-process randomised <see cref="HashCode"/>, so a run repeats from its seed on every machine. Immutable and
/// thread-safe.
/// </summary>
public sealed class SeedSequence
{
    private readonly ulong state;

    /// <summary>The root sequence of a user's seed.</summary>
    public SeedSequence(long seed)
        : this(Mix(unchecked((ulong)seed) ^ 0x5EED5EED5EED5EEDUL), seed.ToString(CultureInfo.InvariantCulture))
    {
        Seed = seed;
    }

    private SeedSequence(ulong state, string path)
    {
        this.state = state;
        Path = path;
    }

    /// <summary>The user's seed at the root of this sequence.</summary>
    public long Seed { get; private init; }

    /// <summary>The keys from the root to this sequence, for messages and reports: "1/particles/noise".</summary>
    public string Path { get; }

    /// <summary>This sequence's own 64-bit seed.</summary>
    public ulong Seed64 => state;

    /// <summary>The child sequence for a purpose.</summary>
    public SeedSequence Spawn(string purpose)
    {
        ArgumentException.ThrowIfNullOrEmpty(purpose);
        return new SeedSequence(Combine(state, Fnv1a(purpose)), $"{Path}/{purpose}") { Seed = Seed };
    }

    /// <summary>The <paramref name="index"/>-th child sequence for a purpose (a repetition, a trial, a chunk).</summary>
    public SeedSequence Spawn(string purpose, long index) => Spawn(purpose).Child(index);

    /// <summary>The <paramref name="index"/>-th child of this sequence.</summary>
    public SeedSequence Child(long index) =>
        new(ChildSeed(index), string.Create(CultureInfo.InvariantCulture, $"{Path}/{index}")) { Seed = Seed };

    /// <summary>
    /// The 64-bit seed of child <paramref name="index"/>, without making the child: for per-item streams in hot
    /// loops (a particle's noise, a chunk's draws), with <see cref="RandomStream.Reset"/>.
    /// </summary>
    public ulong ChildSeed(long index) => Combine(state, unchecked((ulong)index));

    /// <summary>A generator over this sequence's own stream.</summary>
    public RandomStream CreateStream() => new(state);

    /// <inheritdoc />
    public override string ToString() => Path;

    private static ulong Combine(ulong parent, ulong key) => Mix(parent ^ Mix(key + 0x9E3779B97F4A7C15UL));

    /// <summary>SplitMix64's finaliser: a bijection of 64-bit words whose outputs pass statistical tests.</summary>
    internal static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static ulong Fnv1a(string text)
    {
        ulong h = 0xCBF29CE484222325UL;
        foreach (char c in text)
        {
            h = (h ^ c) * 0x100000001B3UL;
        }

        return h;
    }
}
