using System.Numerics;

namespace CryoSharp.Numerics.LinearAlgebra;

/// <summary>
/// A dense real symmetric matrix stored in full, row-major (entry (i, j) at i·n + j), double. As a Hermitian
/// operator it multiplies complex vectors (real and imaginary parts separately); the product is parallel over rows.
/// Half the memory of <see cref="DenseHermitianMatrix"/> for the block matrices of rotation synchronization.
/// </summary>
public sealed class DenseSymmetricMatrix : IHermitianOperator
{
    /// <summary>Creates an n × n zero matrix.</summary>
    public DenseSymmetricMatrix(int size)
    {
        if (size < 1)
        {
            throw new InvalidParameterException("matrix size", size, "must be at least 1");
        }

        Size = size;
        Data = new double[(long)size * size];
    }

    /// <summary>The threads products use.</summary>
    public ComputeContext Context { get; init; } = ComputeContext.Default;

    /// <inheritdoc />
    public int Size { get; }

    /// <summary>The entries, row-major.</summary>
    public double[] Data { get; }

    /// <summary>Entry (i, j).</summary>
    public double this[int i, int j]
    {
        get => Data[((long)i * Size) + j];
        set => Data[((long)i * Size) + j] = value;
    }

    /// <summary>Sets entry (i, j) and its mirror (j, i).</summary>
    public void SetPair(int i, int j, double value)
    {
        this[i, j] = value;
        this[j, i] = value;
    }

    /// <inheritdoc />
    public void Multiply(ReadOnlySpan<Complex> x, Span<Complex> y)
    {
        if (x.Length != Size || y.Length != Size)
        {
            throw new ArgumentException($"Vectors must have length {Size}.");
        }

        var re = new double[Size];
        var im = new double[Size];
        for (int i = 0; i < Size; i++)
        {
            re[i] = x[i].Real;
            im[i] = x[i].Imaginary;
        }

        var output = new Complex[Size];
        Parallel.For(0, Size, Context.ParallelOptions, i =>
        {
            var row = Data.AsSpan((int)((long)i * Size), Size);
            output[i] = new Complex(System.Numerics.Tensors.TensorPrimitives.Dot<double>(row, re),
                System.Numerics.Tensors.TensorPrimitives.Dot<double>(row, im));
        });
        output.CopyTo(y);
    }
}
