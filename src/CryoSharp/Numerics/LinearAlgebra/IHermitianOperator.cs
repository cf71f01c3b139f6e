using System.Numerics;

namespace CryoSharp.Numerics.LinearAlgebra;

/// <summary>A Hermitian n × n matrix seen only through its product with vectors (dense, sparse or implicit).</summary>
public interface IHermitianOperator
{
    /// <summary>The dimension n.</summary>
    int Size { get; }

    /// <summary>y = A·x.</summary>
    void Multiply(ReadOnlySpan<Complex> x, Span<Complex> y);
}
