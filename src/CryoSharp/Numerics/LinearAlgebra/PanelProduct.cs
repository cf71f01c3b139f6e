using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace CryoSharp.Numerics.LinearAlgebra;

/// <summary>
/// C += A·B in single precision for the skinny products of small-signal EM (thousands of rows, tens of columns):
/// B and C are row-major with rows padded to a whole number of 256-bit vectors (<see cref="Padded"/>), and A is read
/// through two strides, so the same kernel forms Y·X (A = Y) and Yᵀ·W (A = Y read column-wise) without a transpose.
/// Four rows of C and two vectors of columns are kept in registers (8 accumulators) while the inner index runs, which
/// makes it bound by fused multiply–adds rather than by loads.
/// </summary>
public static class PanelProduct
{
    /// <summary>Floats in one 256-bit vector.</summary>
    public const int Lanes = 8;

    /// <summary><paramref name="columns"/> rounded up to a whole number of vectors.</summary>
    public static int Padded(int columns) => (columns + Lanes - 1) / Lanes * Lanes;

    /// <summary>
    /// c[r·p + col] += Σₖ a[r·<paramref name="rowStride"/> + k·<paramref name="innerStride"/>]·b[k·p + col] for
    /// r &lt; <paramref name="rows"/>, k &lt; <paramref name="inner"/> and every col &lt; p = <paramref name="paddedColumns"/>.
    /// </summary>
    public static void AddProduct(ReadOnlySpan<float> a, int rows, int inner, int rowStride, int innerStride,
        ReadOnlySpan<float> b, Span<float> c, int paddedColumns)
    {
        int p = paddedColumns;
        if (p <= 0 || p % Lanes != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(paddedColumns), p, "must be a positive multiple of 8");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(inner);
        if (rows == 0 || inner == 0)
        {
            return;
        }

        long lastA = ((long)(rows - 1) * rowStride) + ((long)(inner - 1) * innerStride);
        if (rowStride < 0 || innerStride < 0 || lastA >= a.Length || (long)inner * p > b.Length || (long)rows * p > c.Length)
        {
            throw new ArgumentException("The spans are too short for the product's sizes and strides.");
        }

        ref float a0 = ref Unsafe.AsRef(in a[0]);
        ref float b0 = ref Unsafe.AsRef(in b[0]);
        ref float c0 = ref c[0];
        int vectors = p / Lanes, r = 0;
        for (; r + 4 <= rows; r += 4)
        {
            ref float ar = ref Unsafe.Add(ref a0, r * rowStride);
            int v = 0;
            for (; v + 2 <= vectors; v += 2)
            {
                FourRowsTwoVectors(ref ar, rowStride, innerStride, inner, ref Unsafe.Add(ref b0, v * Lanes), p, ref Unsafe.Add(ref c0, (r * p) + (v * Lanes)));
            }

            if (v < vectors)
            {
                FourRowsOneVector(ref ar, rowStride, innerStride, inner, ref Unsafe.Add(ref b0, v * Lanes), p, ref Unsafe.Add(ref c0, (r * p) + (v * Lanes)));
            }
        }

        for (; r < rows; r++)
        {
            ref float ar = ref Unsafe.Add(ref a0, r * rowStride);
            for (int v = 0; v < vectors; v++)
            {
                ref float cv = ref Unsafe.Add(ref c0, (r * p) + (v * Lanes));
                var sum = Vector256.LoadUnsafe(ref cv);
                ref float bv = ref Unsafe.Add(ref b0, v * Lanes);
                for (int k = 0; k < inner; k++)
                {
                    sum = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref ar, k * innerStride)), Vector256.LoadUnsafe(ref Unsafe.Add(ref bv, k * p)), sum);
                }

                sum.StoreUnsafe(ref cv);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FourRowsTwoVectors(ref float a, int rowStride, int innerStride, int inner, ref float b, int p, ref float c)
    {
        ref float c1 = ref Unsafe.Add(ref c, p);
        ref float c2 = ref Unsafe.Add(ref c, 2 * p);
        ref float c3 = ref Unsafe.Add(ref c, 3 * p);
        var s00 = Vector256.LoadUnsafe(ref c);
        var s01 = Vector256.LoadUnsafe(ref c, (nuint)Lanes);
        var s10 = Vector256.LoadUnsafe(ref c1);
        var s11 = Vector256.LoadUnsafe(ref c1, (nuint)Lanes);
        var s20 = Vector256.LoadUnsafe(ref c2);
        var s21 = Vector256.LoadUnsafe(ref c2, (nuint)Lanes);
        var s30 = Vector256.LoadUnsafe(ref c3);
        var s31 = Vector256.LoadUnsafe(ref c3, (nuint)Lanes);
        for (int k = 0; k < inner; k++)
        {
            ref float bk = ref Unsafe.Add(ref b, k * p);
            var b0 = Vector256.LoadUnsafe(ref bk);
            var b1 = Vector256.LoadUnsafe(ref bk, (nuint)Lanes);
            ref float ak = ref Unsafe.Add(ref a, k * innerStride);
            var x0 = Vector256.Create(ak);
            var x1 = Vector256.Create(Unsafe.Add(ref ak, rowStride));
            var x2 = Vector256.Create(Unsafe.Add(ref ak, 2 * rowStride));
            var x3 = Vector256.Create(Unsafe.Add(ref ak, 3 * rowStride));
            s00 = Vector256.FusedMultiplyAdd(x0, b0, s00);
            s01 = Vector256.FusedMultiplyAdd(x0, b1, s01);
            s10 = Vector256.FusedMultiplyAdd(x1, b0, s10);
            s11 = Vector256.FusedMultiplyAdd(x1, b1, s11);
            s20 = Vector256.FusedMultiplyAdd(x2, b0, s20);
            s21 = Vector256.FusedMultiplyAdd(x2, b1, s21);
            s30 = Vector256.FusedMultiplyAdd(x3, b0, s30);
            s31 = Vector256.FusedMultiplyAdd(x3, b1, s31);
        }

        s00.StoreUnsafe(ref c);
        s01.StoreUnsafe(ref c, (nuint)Lanes);
        s10.StoreUnsafe(ref c1);
        s11.StoreUnsafe(ref c1, (nuint)Lanes);
        s20.StoreUnsafe(ref c2);
        s21.StoreUnsafe(ref c2, (nuint)Lanes);
        s30.StoreUnsafe(ref c3);
        s31.StoreUnsafe(ref c3, (nuint)Lanes);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FourRowsOneVector(ref float a, int rowStride, int innerStride, int inner, ref float b, int p, ref float c)
    {
        ref float c1 = ref Unsafe.Add(ref c, p);
        ref float c2 = ref Unsafe.Add(ref c, 2 * p);
        ref float c3 = ref Unsafe.Add(ref c, 3 * p);
        var s0 = Vector256.LoadUnsafe(ref c);
        var s1 = Vector256.LoadUnsafe(ref c1);
        var s2 = Vector256.LoadUnsafe(ref c2);
        var s3 = Vector256.LoadUnsafe(ref c3);
        for (int k = 0; k < inner; k++)
        {
            var bk = Vector256.LoadUnsafe(ref Unsafe.Add(ref b, k * p));
            ref float ak = ref Unsafe.Add(ref a, k * innerStride);
            s0 = Vector256.FusedMultiplyAdd(Vector256.Create(ak), bk, s0);
            s1 = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref ak, rowStride)), bk, s1);
            s2 = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref ak, 2 * rowStride)), bk, s2);
            s3 = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref ak, 3 * rowStride)), bk, s3);
        }

        s0.StoreUnsafe(ref c);
        s1.StoreUnsafe(ref c1);
        s2.StoreUnsafe(ref c2);
        s3.StoreUnsafe(ref c3);
    }
}
