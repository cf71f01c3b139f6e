using System.Numerics;
using System.Runtime.InteropServices;

namespace CryoSharp.Numerics;

/// <summary>
/// Dot products of one vector with many: the kernel of every likelihood search, where one particle spectrum is
/// scored against thousands of reference spectra. Four rows at a time share each load of the vector, in SIMD lanes.
/// </summary>
public static class DotProducts
{
    /// <summary>
    /// results[r] = Σᵢ a[i]·rows[r·a.Length + i] for r = 0..results.Length − 1 (rows stored one after another).
    /// </summary>
    public static void OneAgainstMany(ReadOnlySpan<float> a, ReadOnlySpan<float> rows, Span<float> results)
    {
        int n = a.Length, m = results.Length;
        if (rows.Length < (long)n * m)
        {
            throw new ArgumentException($"{m} rows of {n} need {(long)n * m} values; {rows.Length} given.", nameof(rows));
        }

        int r = 0;
        for (; r + 4 <= m; r += 4)
        {
            Four(a, rows.Slice(r * n, 4 * n), results.Slice(r, 4));
        }

        for (; r < m; r++)
        {
            results[r] = InRowOrder(a, rows.Slice(r * n, n));
        }
    }

    /// <summary>
    /// results[j] = Σᵢ a[i]·rows[indices[j]·stride + offset + i]: chosen rows of a strided table, each summed in exactly
    /// the order <see cref="OneAgainstMany(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float})"/> sums a row, so that a
    /// search that scores only some rows gets the same bits as one that scores them all.
    /// </summary>
    public static void OneAgainstChosen(ReadOnlySpan<float> a, ReadOnlySpan<float> rows, int stride, int offset, ReadOnlySpan<int> indices, Span<float> results)
    {
        int n = a.Length, m = indices.Length, j = 0;
        for (; j + 4 <= m; j += 4)
        {
            FourRows(a, rows.Slice((indices[j] * stride) + offset, n), rows.Slice((indices[j + 1] * stride) + offset, n),
                rows.Slice((indices[j + 2] * stride) + offset, n), rows.Slice((indices[j + 3] * stride) + offset, n), results.Slice(j, 4));
        }

        for (; j < m; j++)
        {
            results[j] = InRowOrder(a, rows.Slice((indices[j] * stride) + offset, n));
        }
    }

    /// <summary>Σᵢ a[i]·b[i], in SIMD lanes.</summary>
    public static float One(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        int n = a.Length, w = Vector<float>.Count, i = 0;
        var va = MemoryMarshal.Cast<float, Vector<float>>(a);
        var vb = MemoryMarshal.Cast<float, Vector<float>>(b[..n]);
        var s0 = Vector<float>.Zero;
        var s1 = Vector<float>.Zero;
        int v = 0;
        for (; v + 2 <= va.Length; v += 2)
        {
            s0 = Vector.FusedMultiplyAdd(va[v], vb[v], s0);
            s1 = Vector.FusedMultiplyAdd(va[v + 1], vb[v + 1], s1);
        }

        if (v < va.Length)
        {
            s0 = Vector.FusedMultiplyAdd(va[v], vb[v], s0);
        }

        float sum = Vector.Sum(s0 + s1);
        for (i = va.Length * w; i < n; i++)
        {
            sum += a[i] * b[i];
        }

        return sum;
    }

    private static void Four(ReadOnlySpan<float> a, ReadOnlySpan<float> rows, Span<float> results)
    {
        int n = a.Length;
        FourRows(a, rows[..n], rows.Slice(n, n), rows.Slice(2 * n, n), rows.Slice(3 * n, n), results);
    }

    private static void FourRows(ReadOnlySpan<float> a, ReadOnlySpan<float> row0, ReadOnlySpan<float> row1, ReadOnlySpan<float> row2,
        ReadOnlySpan<float> row3, Span<float> results)
    {
        int n = a.Length, w = Vector<float>.Count;
        var va = MemoryMarshal.Cast<float, Vector<float>>(a);
        var b0 = MemoryMarshal.Cast<float, Vector<float>>(row0[..n]);
        var b1 = MemoryMarshal.Cast<float, Vector<float>>(row1[..n]);
        var b2 = MemoryMarshal.Cast<float, Vector<float>>(row2[..n]);
        var b3 = MemoryMarshal.Cast<float, Vector<float>>(row3[..n]);
        Vector<float> s0 = default, s1 = default, s2 = default, s3 = default;
        for (int v = 0; v < va.Length; v++)
        {
            var x = va[v];
            s0 = Vector.FusedMultiplyAdd(x, b0[v], s0);
            s1 = Vector.FusedMultiplyAdd(x, b1[v], s1);
            s2 = Vector.FusedMultiplyAdd(x, b2[v], s2);
            s3 = Vector.FusedMultiplyAdd(x, b3[v], s3);
        }

        float r0 = Vector.Sum(s0), r1 = Vector.Sum(s1), r2 = Vector.Sum(s2), r3 = Vector.Sum(s3);
        for (int i = va.Length * w; i < n; i++)
        {
            float x = a[i];
            r0 += x * row0[i];
            r1 += x * row1[i];
            r2 += x * row2[i];
            r3 += x * row3[i];
        }

        results[0] = r0;
        results[1] = r1;
        results[2] = r2;
        results[3] = r3;
    }

    // One row summed as FourRows sums each of its rows: one accumulator, then the tail.
    private static float InRowOrder(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        int n = a.Length, w = Vector<float>.Count;
        var va = MemoryMarshal.Cast<float, Vector<float>>(a);
        var vb = MemoryMarshal.Cast<float, Vector<float>>(b[..n]);
        Vector<float> s = default;
        for (int v = 0; v < va.Length; v++)
        {
            s = Vector.FusedMultiplyAdd(va[v], vb[v], s);
        }

        float r = Vector.Sum(s);
        for (int i = va.Length * w; i < n; i++)
        {
            r += a[i] * b[i];
        }

        return r;
    }
}
