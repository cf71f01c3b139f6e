using System.Numerics.Tensors;
using CryoSharp.Numerics;

namespace CryoSharp.Poses;

/// <summary>
/// The learned distance: Euclidean between the particles' embeddings by a Siamese encoder trained so that it is the
/// rotation angle in radians (<see cref="IDistanceLearner"/>). The embeddings are computed once; each pair then costs a
/// dimension's worth of multiply–adds.
/// </summary>
public sealed class EmbeddingPairDistance : PairDistance
{
    private readonly float[] embeddings;
    private readonly int dimension;

    /// <summary>The distance between the rows of <paramref name="embeddings"/> (<paramref name="dimension"/> floats each).</summary>
    /// <param name="embeddings">The embeddings, one row per particle.</param>
    /// <param name="dimension">Floats per row.</param>
    /// <param name="chordal">The embedding distance is the chord 2√2·sin(θ/2): turn it into θ.</param>
    public EmbeddingPairDistance(float[] embeddings, int dimension, bool chordal = false)
    {
        Chordal = chordal;
        ArgumentNullException.ThrowIfNull(embeddings);
        InvalidParameterException.ThrowIfNotPositive("embedding dimension", dimension);
        if (embeddings.Length % dimension != 0)
        {
            throw new ArgumentException($"{embeddings.Length} floats are not rows of {dimension}.");
        }

        this.embeddings = embeddings;
        this.dimension = dimension;
    }

    /// <summary>Whether the embedding distance is a chord.</summary>
    public bool Chordal { get; }

    /// <inheritdoc/>
    public override int Count => embeddings.Length / dimension;

    /// <inheritdoc/>
    public override string Name => "learned";

    /// <inheritdoc/>
    protected internal override double Distance(int i, int j, Span<double> scratch)
    {
        double d = TensorPrimitives.Distance(embeddings.AsSpan(i * dimension, dimension), embeddings.AsSpan(j * dimension, dimension));
        return Chordal ? 2 * Math.Asin(Math.Min(1, d / (2 * Math.Sqrt(2)))) : d;
    }
}
