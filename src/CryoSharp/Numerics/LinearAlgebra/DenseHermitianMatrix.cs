using System.Numerics;

namespace CryoSharp.Numerics.LinearAlgebra;

/// <summary>
/// A dense Hermitian matrix stored in full, row-major (entry (i, j) at i·n + j), complex double. The product is
/// parallel over rows (<see cref="Context"/>).
/// </summary>
public sealed class DenseHermitianMatrix : IHermitianOperator
{
    /// <summary>Creates an n × n zero matrix.</summary>
    public DenseHermitianMatrix(int size)
    {
        if (size < 1)
        {
            throw new InvalidParameterException("matrix size", size, "must be at least 1");
        }

        Size = size;
        Data = new Complex[(long)size * size];
    }

    /// <summary>The threads products use.</summary>
    public ComputeContext Context { get; init; } = ComputeContext.Default;

    /// <inheritdoc />
    public int Size { get; }

    /// <summary>The entries, row-major.</summary>
    public Complex[] Data { get; }

    /// <summary>Entry (i, j).</summary>
    public Complex this[int i, int j]
    {
        get => Data[((long)i * Size) + j];
        set => Data[((long)i * Size) + j] = value;
    }

    /// <summary>Sets entry (i, j) and its mirror (j, i) to the conjugate, keeping the matrix Hermitian.</summary>
    public void SetPair(int i, int j, Complex value)
    {
        this[i, j] = value;
        this[j, i] = Complex.Conjugate(value);
    }

    /// <inheritdoc />
    public void Multiply(ReadOnlySpan<Complex> x, Span<Complex> y)
    {
        if (x.Length != Size || y.Length != Size)
        {
            throw new ArgumentException($"Vectors must have length {Size}.");
        }

        var input = x.ToArray();
        var output = new Complex[Size];
        Parallel.For(0, Size, Context.ParallelOptions, i =>
        {
            var row = Data.AsSpan((int)((long)i * Size), Size);
            double re = 0, im = 0;
            for (int j = 0; j < row.Length; j++)
            {
                var a = row[j];
                var b = input[j];
                re += (a.Real * b.Real) - (a.Imaginary * b.Imaginary);
                im += (a.Real * b.Imaginary) + (a.Imaginary * b.Real);
            }

            output[i] = new Complex(re, im);
        });
        output.CopyTo(y);
    }
}
