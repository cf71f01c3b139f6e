namespace CryoSharp.Distributed;

/// <summary>
/// The sum a chunked pass builds (sums of moments, of EM weights, …), made of fixed-length arrays of doubles, so that
/// it can be added element by element and sent between MPI ranks as one array. A scalar is an array of one element.
/// </summary>
/// <typeparam name="TSelf">The concrete sum.</typeparam>
internal abstract class ChunkSum<TSelf>
    where TSelf : ChunkSum<TSelf>
{
    /// <summary>The arrays, in a fixed order; their lengths never change.</summary>
    protected abstract IReadOnlyList<double[]> Parts { get; }

    /// <summary>Doubles in all the parts.</summary>
    public int Length
    {
        get
        {
            int n = 0;
            foreach (var part in Parts)
            {
                n += part.Length;
            }

            return n;
        }
    }

    /// <summary>Adds <paramref name="other"/> element by element.</summary>
    public void Add(TSelf other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var mine = Parts;
        var theirs = other.Parts;
        for (int p = 0; p < mine.Count; p++)
        {
            System.Numerics.Tensors.TensorPrimitives.Add(mine[p], theirs[p], mine[p]);
        }
    }

    /// <summary>Writes the parts one after another into <paramref name="destination"/> (<see cref="Length"/> doubles).</summary>
    public void WriteTo(Span<double> destination)
    {
        int at = 0;
        foreach (var part in Parts)
        {
            part.CopyTo(destination[at..]);
            at += part.Length;
        }
    }

    /// <summary>Replaces the parts by <paramref name="source"/>, as <see cref="WriteTo"/> laid them out.</summary>
    public void ReadFrom(ReadOnlySpan<double> source)
    {
        int at = 0;
        foreach (var part in Parts)
        {
            source.Slice(at, part.Length).CopyTo(part);
            at += part.Length;
        }
    }
}

/// <summary>A sum that is one array of doubles.</summary>
/// <param name="values">The array (kept, not copied).</param>
internal sealed class VectorSum(double[] values) : ChunkSum<VectorSum>
{
    /// <summary>A sum of <paramref name="length"/> zeros.</summary>
    public VectorSum(int length)
        : this(new double[length])
    {
    }

    /// <summary>The values.</summary>
    public double[] Values { get; } = values;

    /// <inheritdoc/>
    protected override IReadOnlyList<double[]> Parts => [Values];
}
