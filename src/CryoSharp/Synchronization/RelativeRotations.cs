using CryoSharp.Geometry;

namespace CryoSharp.Synchronization;

/// <summary>
/// Measured relative rotations R̃ᵢⱼ ≈ RᵢRⱼᵀ between n objects on an observation graph: the pairs i &lt; j are
/// stored once (upper triangle), R̃ⱼᵢ = R̃ᵢⱼᵀ, and an unobserved pair has no measurement.
/// </summary>
public sealed class RelativeRotations
{
    private readonly Matrix3[] values;
    private readonly bool[] observed;

    /// <summary>Creates n objects with no pair observed yet.</summary>
    public RelativeRotations(int count)
    {
        if (count < 2)
        {
            throw new InvalidParameterException("n", count, "must be at least 2");
        }

        Count = count;
        long pairs = (long)count * (count - 1) / 2;
        values = new Matrix3[pairs];
        observed = new bool[pairs];
    }

    /// <summary>Number of objects n.</summary>
    public int Count { get; }

    /// <summary>Number of observed pairs.</summary>
    public long ObservedPairs => observed.LongCount(o => o);

    /// <summary>R̃ᵢⱼ (identity on the diagonal); check <see cref="IsObserved"/> first.</summary>
    public Matrix3 this[int i, int j]
    {
        get
        {
            if (i == j)
            {
                return Matrix3.Identity;
            }

            return i < j ? values[Index(i, j)] : values[Index(j, i)].Transpose();
        }
    }

    /// <summary>Whether pair (i, j) was measured (the diagonal always is).</summary>
    public bool IsObserved(int i, int j) => i == j || observed[i < j ? Index(i, j) : Index(j, i)];

    /// <summary>Records R̃ᵢⱼ (and so R̃ⱼᵢ = R̃ᵢⱼᵀ).</summary>
    public void Set(int i, int j, Matrix3 relative)
    {
        if (i == j || (uint)i >= (uint)Count || (uint)j >= (uint)Count)
        {
            throw new ArgumentOutOfRangeException(nameof(j), $"Pair ({i}, {j}) is not an off-diagonal pair of {Count} objects.");
        }

        long index = i < j ? Index(i, j) : Index(j, i);
        values[index] = i < j ? relative : relative.Transpose();
        observed[index] = true;
    }

    private long Index(int i, int j) => ((long)i * Count) - ((long)i * (i + 1) / 2) + (j - i - 1);
}
