using System.Numerics;

namespace CryoSharp.Numerics.LinearAlgebra;

/// <summary>
/// A sparse Hermitian matrix in compressed sparse row form, built from entries (i, j, value) of which the
/// mirror (j, i) gets the conjugate: the graphs of class averaging (10⁴–10⁵ nodes, tens of neighbours each).
/// </summary>
public sealed class SparseHermitianMatrix : IHermitianOperator
{
    private readonly int[] rowStart;
    private readonly int[] columns;
    private readonly Complex[] values;

    /// <summary>Builds the matrix; duplicate entries are summed.</summary>
    /// <param name="size">Dimension n.</param>
    /// <param name="entries">Upper or lower entries (i, j, Aᵢⱼ); each also sets Aⱼᵢ = conj(Aᵢⱼ). A diagonal entry must be real.</param>
    public SparseHermitianMatrix(int size, IEnumerable<(int Row, int Column, Complex Value)> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (size < 1)
        {
            throw new InvalidParameterException("matrix size", size, "must be at least 1");
        }

        Size = size;
        var all = new List<(int Row, int Column, Complex Value)>();
        foreach (var (i, j, v) in entries)
        {
            if ((uint)i >= (uint)size || (uint)j >= (uint)size)
            {
                throw new ArgumentOutOfRangeException(nameof(entries), $"Entry ({i}, {j}) is outside a {size} × {size} matrix.");
            }

            all.Add((i, j, v));
            if (i != j)
            {
                all.Add((j, i, Complex.Conjugate(v)));
            }
        }

        all.Sort((a, b) => a.Row != b.Row ? a.Row.CompareTo(b.Row) : a.Column.CompareTo(b.Column));
        var cols = new List<int>(all.Count);
        var vals = new List<Complex>(all.Count);
        var counts = new int[size + 1];
        int lastRow = -1, lastColumn = -1;
        foreach (var (row, column, value) in all)
        {
            if (row == lastRow && column == lastColumn)
            {
                vals[^1] += value;
                continue;
            }

            cols.Add(column);
            vals.Add(value);
            counts[row + 1]++;
            (lastRow, lastColumn) = (row, column);
        }

        rowStart = new int[size + 1];
        for (int r = 0; r < size; r++)
        {
            rowStart[r + 1] = rowStart[r] + counts[r + 1];
        }

        columns = [.. cols];
        values = [.. vals];
    }

    private SparseHermitianMatrix(int size, int[] rowStart, int[] columns, Complex[] values)
    {
        Size = size;
        this.rowStart = rowStart;
        this.columns = columns;
        this.values = values;
    }

    /// <summary>
    /// A matrix already in compressed rows, both triangles stored (row r's entries at rowStart[r] … rowStart[r + 1] − 1,
    /// any order): the arrays are used as they are, not copied, so that one pattern can serve several matrices.
    /// Hermitian symmetry is the caller's to keep; the shape is checked.
    /// </summary>
    /// <param name="size">Dimension n.</param>
    /// <param name="rowStart">n + 1 offsets, from 0, not decreasing.</param>
    /// <param name="columns">Column of each entry.</param>
    /// <param name="values">Value of each entry.</param>
    public static SparseHermitianMatrix FromCompressedRows(int size, int[] rowStart, int[] columns, Complex[] values)
    {
        ArgumentNullException.ThrowIfNull(rowStart);
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(values);
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        if (rowStart.Length != size + 1 || rowStart[0] != 0 || rowStart[size] != columns.Length || values.Length != columns.Length)
        {
            throw new ArgumentException($"A {size} × {size} matrix needs {size + 1} row offsets from 0 to the entry count, and one column and value per entry.");
        }

        for (int r = 0; r < size; r++)
        {
            if (rowStart[r + 1] < rowStart[r])
            {
                throw new ArgumentException($"Row offsets decrease at row {r}.", nameof(rowStart));
            }
        }

        foreach (int c in columns)
        {
            if ((uint)c >= (uint)size)
            {
                throw new ArgumentOutOfRangeException(nameof(columns), $"Column {c} is outside a {size} × {size} matrix.");
            }
        }

        return new SparseHermitianMatrix(size, rowStart, columns, values);
    }

    /// <summary>The threads products use.</summary>
    public ComputeContext Context { get; init; } = ComputeContext.Default;

    /// <inheritdoc />
    public int Size { get; }

    /// <summary>Number of stored entries (both triangles).</summary>
    public int NonZeroCount => values.Length;

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
            Complex sum = 0;
            for (int k = rowStart[i]; k < rowStart[i + 1]; k++)
            {
                sum += values[k] * input[columns[k]];
            }

            output[i] = sum;
        });
        output.CopyTo(y);
    }
}
