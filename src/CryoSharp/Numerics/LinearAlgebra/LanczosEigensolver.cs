using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using MathNet.Numerics.LinearAlgebra;

namespace CryoSharp.Numerics.LinearAlgebra;

/// <summary>
/// The largest eigenvalues and their eigenvectors of a Hermitian operator by thick-restart Lanczos (Wu and Simon,
/// SIAM J. Matrix Anal. Appl. 22:602, 2000) with full reorthogonalisation: the Krylov basis grows to m vectors
/// (each new one orthogonalised twice against all others), Rayleigh–Ritz on the basis gives the Ritz pairs, and a
/// restart keeps the wanted Ritz vectors plus a buffer and continues from their common residual direction, so
/// clustered eigenvalues still converge; a block start (several vectors per step) also finds repeated ones.
/// Converged when every wanted pair has ‖Av − λv‖ ≤ tolerance·|λ₁|. Only products with the operator are needed
/// (dense, sparse or implicit); memory is 2m vectors. Seeded.
/// </summary>
public static class LanczosEigensolver
{
    /// <summary>The <paramref name="count"/> largest (algebraic) eigenpairs, largest first.</summary>
    /// <param name="matrix">The Hermitian operator.</param>
    /// <param name="count">Number of eigenpairs wanted.</param>
    /// <param name="tolerance">Relative residual at which a pair is converged.</param>
    /// <param name="seeds">Where the random start vectors come from; null for a fixed start (the eigenpairs do not depend on it beyond the tolerance).</param>
    /// <param name="krylovDimension">Largest basis (0: max(2·count + 30, 50) and at least 3 blocks, at most n).</param>
    /// <param name="maxRestarts">Restarts before giving up (the result then reports the residuals reached).</param>
    /// <param name="blockSize">
    /// Krylov vectors added per step. One vector finds only one direction of an exactly repeated eigenvalue; a block
    /// at least as large as the multiplicity finds them all (the (2ℓ+1)-fold eigenspaces of synchronization).
    /// </param>
    public static EigenResult Largest(IHermitianOperator matrix, int count, double tolerance = 1e-10, SeedSequence? seeds = null,
        int krylovDimension = 0, int maxRestarts = 200, int blockSize = 1)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        int n = matrix.Size;
        if (count < 1 || count > n)
        {
            throw new InvalidParameterException("eigenpair count", count, $"must be between 1 and {n}");
        }

        if (blockSize < 1 || blockSize > n)
        {
            throw new InvalidParameterException("block size", blockSize, $"must be between 1 and {n}");
        }

        int m = Math.Min(n, krylovDimension > 0
            ? Math.Max(krylovDimension, count + blockSize + 1)
            : Math.Max(Math.Max((2 * count) + 30, 50), count + (3 * blockSize)));
        int keep = Math.Min(m - blockSize, count + Math.Max(5, count));
        keep = Math.Max(keep, Math.Min(count, m - 1));
        var basis = new List<Complex[]>(m);
        var products = new List<Complex[]>(m);
        var random = (seeds ?? new SeedSequence(0)).Spawn("lanczos-start").CreateStream();
        var pending = new List<Complex[]>(blockSize);
        // Vectors of length n are recycled: a restart frees a whole basis, and at 10⁵ nodes and more the garbage, not
        // the live set, would otherwise set the memory used.
        var pool = new VectorPool(n);
        for (int b = 0; b < blockSize; b++)
        {
            var start = pool.Rent();
            for (int i = 0; i < n; i++)
            {
                start[i] = new Complex(random.NextGaussian(), random.NextGaussian());
            }

            if (Orthogonalize(start, pending))
            {
                pending.Add(start);
            }
            else
            {
                pool.Return(start);
            }
        }

        int productCount = 0;
        EigenResult? result = null;
        for (int restart = 0; restart <= maxRestarts; restart++)
        {
            // Grow the basis a block at a time: A·v for each newest vector; their parts orthogonal to the basis
            // are the next block.
            bool exhausted = false;
            while (basis.Count < m && !exhausted)
            {
                int take = Math.Min(pending.Count, m - basis.Count);
                var added = new List<Complex[]>(take);
                for (int b = 0; b < take; b++)
                {
                    basis.Add(pending[b]);
                    var w = pool.Rent();
                    matrix.Multiply(pending[b], w);
                    productCount++;
                    products.Add(w);
                    var copy = pool.Rent();
                    w.CopyTo(copy, 0);
                    added.Add(copy);
                }

                for (int b = take; b < pending.Count; b++)
                {
                    pool.Return(pending[b]);
                }

                pending.Clear();
                var before = new double[added.Count];
                for (int b = 0; b < added.Count; b++)
                {
                    before[b] = Norm(added[b]);
                }

                // Against the basis block by block (classical Gram–Schmidt twice: the basis is read once per pass for
                // the whole block, not once per vector), then within the block.
                ProjectOut(basis, added);
                ProjectOut(basis, added);
                for (int b = 0; b < added.Count; b++)
                {
                    if (Orthogonalize(added[b], pending, null, before[b]))
                    {
                        pending.Add(added[b]);
                    }
                    else
                    {
                        pool.Return(added[b]);
                    }
                }

                exhausted = pending.Count == 0;
            }

            var (values, coefficients) = RayleighRitz(basis, products, Math.Min(keep, basis.Count));
            int wanted = Math.Min(count, values.Length);
            var ritz = Combine(basis, coefficients, pool);
            var ritzProducts = Combine(products, coefficients, pool);

            double scale = Math.Max(Math.Abs(values[0]), 1e-300);
            var residuals = new double[wanted];
            var residualVectors = new Complex[values.Length][];
            for (int p = 0; p < values.Length; p++)
            {
                var r = pool.Rent();
                ritzProducts[p].CopyTo(r, 0);
                Subtract(r, ritz[p], values[p]);
                residualVectors[p] = r;
                if (p < wanted)
                {
                    residuals[p] = Norm(r) / scale;
                }
            }

            result = new EigenResult(values[..wanted], ritz[..wanted], residuals, restart, productCount);
            if ((wanted == count && residuals.All(r => r <= tolerance)) || exhausted)
            {
                return result;
            }

            // Thick restart: the kept Ritz vectors (orthonormal) start the new basis; the residuals of the first
            // unconverged ones (a block's worth), orthogonalised against them, continue the Krylov sequence.
            foreach (var v in basis)
            {
                pool.Return(v);
            }

            foreach (var v in products)
            {
                pool.Return(v);
            }

            basis.Clear();
            products.Clear();
            basis.AddRange(ritz);
            products.AddRange(ritzProducts);
            foreach (var v in pending)
            {
                pool.Return(v);
            }

            pending.Clear();
            for (int p = 0; p < values.Length && pending.Count < blockSize; p++)
            {
                if (p < wanted && residuals[p] <= tolerance)
                {
                    continue;
                }

                var r = residualVectors[p];
                residualVectors[p] = null!;
                if (Orthogonalize(r, basis, pending))
                {
                    pending.Add(r);
                }
                else
                {
                    pool.Return(r);
                }
            }

            foreach (var r in residualVectors)
            {
                if (r is not null)
                {
                    pool.Return(r);
                }
            }

            if (pending.Count == 0)
            {
                return result;
            }
        }

        return result!;
    }

    /// <summary>
    /// Orthogonalises <paramref name="w"/> against the basis and the extra vectors (twice: "twice is enough",
    /// Parlett) and normalises it; false when nothing is left (they already span it).
    /// </summary>
    private static bool Orthogonalize(Complex[] w, List<Complex[]> basis, List<Complex[]>? extra = null, double? normBefore = null)
    {
        double before = normBefore ?? Norm(w);
        for (int pass = 0; pass < 2; pass++)
        {
            foreach (var v in basis)
            {
                Subtract(w, v, Dot(v, w));
            }

            if (extra is not null)
            {
                foreach (var v in extra)
                {
                    Subtract(w, v, Dot(v, w));
                }
            }
        }

        double after = Norm(w);
        if (after <= 1e-12 * Math.Max(before, 1e-300))
        {
            return false;
        }

        for (int i = 0; i < w.Length; i++)
        {
            w[i] /= after;
        }

        return true;
    }

    // Rows per tile of the block projection: a tile of the whole basis and block stays in a core's L2 cache.
    private const int ProjectionTile = 256;

    /// <summary>wⱼ −= Σᵢ ⟨vᵢ, wⱼ⟩ vᵢ for every vector of the block, the inner products taken before any update (classical Gram–Schmidt).</summary>
    private static void ProjectOut(List<Complex[]> basis, List<Complex[]> block)
    {
        int b = basis.Count, w = block.Count;
        if (b == 0 || w == 0)
        {
            return;
        }

        int n = basis[0].Length;
        var c = new Complex[b * w];
        for (int start = 0; start < n; start += ProjectionTile)
        {
            int length = Math.Min(ProjectionTile, n - start);
            for (int i = 0; i < b; i++)
            {
                var v = basis[i].AsSpan(start, length);
                for (int j = 0; j < w; j++)
                {
                    c[(i * w) + j] += Dot(v, block[j].AsSpan(start, length));
                }
            }
        }

        for (int start = 0; start < n; start += ProjectionTile)
        {
            int length = Math.Min(ProjectionTile, n - start);
            for (int j = 0; j < w; j++)
            {
                var target = block[j].AsSpan(start, length);
                for (int i = 0; i < b; i++)
                {
                    AddScaled(target, basis[i].AsSpan(start, length), -c[(i * w) + j]);
                }
            }
        }
    }

    /// <summary>The largest eigenpairs of T = V*·(AV): values and the coefficient vectors in the basis.</summary>
    private static (double[] Values, Complex[][] Coefficients) RayleighRitz(List<Complex[]> basis, List<Complex[]> products, int count)
    {
        int k = basis.Count, n = basis[0].Length;
        var upper = new Complex[k * k];
        for (int start = 0; start < n; start += ProjectionTile)
        {
            int length = Math.Min(ProjectionTile, n - start);
            for (int i = 0; i < k; i++)
            {
                var v = basis[i].AsSpan(start, length);
                for (int j = i; j < k; j++)
                {
                    upper[(i * k) + j] += Dot(v, products[j].AsSpan(start, length));
                }
            }
        }

        var t = Matrix<Complex>.Build.Dense(k, k);
        for (int i = 0; i < k; i++)
        {
            for (int j = i; j < k; j++)
            {
                var value = upper[(i * k) + j];
                t[i, j] = value;
                t[j, i] = Complex.Conjugate(value);
            }

            t[i, i] = new Complex(t[i, i].Real, 0);
        }

        var evd = t.Evd(Symmetricity.Hermitian);
        var order = Enumerable.Range(0, k).OrderByDescending(i => evd.EigenValues[i].Real).Take(count).ToArray();
        var values = order.Select(i => evd.EigenValues[i].Real).ToArray();
        var coefficients = order.Select(c => Enumerable.Range(0, k).Select(r => evd.EigenVectors[r, c]).ToArray()).ToArray();
        return (values, coefficients);
    }

    /// <summary>Σⱼ cₚⱼ·vⱼ for every coefficient vector cₚ, a tile of rows at a time (the vectors are read once, not once per p).</summary>
    private static Complex[][] Combine(List<Complex[]> vectors, Complex[][] c, VectorPool pool)
    {
        int n = pool.Length;
        var result = new Complex[c.Length][];
        for (int p = 0; p < c.Length; p++)
        {
            result[p] = pool.Rent();
        }

        for (int start = 0; start < n; start += ProjectionTile)
        {
            int length = Math.Min(ProjectionTile, n - start);
            for (int p = 0; p < c.Length; p++)
            {
                var target = result[p].AsSpan(start, length);
                for (int j = 0; j < vectors.Count; j++)
                {
                    AddScaled(target, vectors[j].AsSpan(start, length), c[p][j]);
                }
            }
        }

        return result;
    }

    /// <summary>⟨a, b⟩ = Σ conj(aᵢ)·bᵢ.</summary>
    public static Complex Dot(ReadOnlySpan<Complex> a, ReadOnlySpan<Complex> b)
    {
        // Two complex numbers per 256-bit vector: Re = Σ a·b over the interleaved doubles, Im from b with its real and
        // imaginary parts swapped (ar·bi − ai·br: even lanes minus odd lanes).
        var x = MemoryMarshal.Cast<Complex, double>(a);
        var y = MemoryMarshal.Cast<Complex, double>(b);
        int i = 0;
        double re = 0, im = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var sumRe = Vector256<double>.Zero;
            var sumIm = Vector256<double>.Zero;
            var swap = Vector256.Create(1L, 0L, 3L, 2L);
            for (; i + 4 <= x.Length; i += 4)
            {
                var va = Vector256.Create(x.Slice(i, 4));
                var vb = Vector256.Create(y.Slice(i, 4));
                sumRe += va * vb;
                sumIm += va * Vector256.Shuffle(vb, swap);
            }

            re = Vector256.Sum(sumRe);
            im = sumIm.GetElement(0) - sumIm.GetElement(1) + sumIm.GetElement(2) - sumIm.GetElement(3);
        }

        for (; i < x.Length; i += 2)
        {
            re += (x[i] * y[i]) + (x[i + 1] * y[i + 1]);
            im += (x[i] * y[i + 1]) - (x[i + 1] * y[i]);
        }

        return new Complex(re, im);
    }

    private static double Norm(ReadOnlySpan<Complex> a) => Math.Sqrt(Dot(a, a).Real);

    private static void Subtract(Span<Complex> w, ReadOnlySpan<Complex> v, Complex c) => AddScaled(w, v, -c);

    /// <summary>w += c·v, two complex numbers per 256-bit vector: c·v = cr·v + ci·(−vi, vr).</summary>
    private static void AddScaled(Span<Complex> w, ReadOnlySpan<Complex> v, Complex c)
    {
        var x = MemoryMarshal.Cast<Complex, double>(w);
        var y = MemoryMarshal.Cast<Complex, double>(v);
        double cr = c.Real, ci = c.Imaginary;
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var real = Vector256.Create(cr);
            var imaginary = Vector256.Create(-ci, ci, -ci, ci);
            var swap = Vector256.Create(1L, 0L, 3L, 2L);
            for (; i + 4 <= x.Length; i += 4)
            {
                var vy = Vector256.Create(y.Slice(i, 4));
                var sum = Vector256.Create(x.Slice(i, 4)) + (real * vy) + (imaginary * Vector256.Shuffle(vy, swap));
                sum.CopyTo(x.Slice(i, 4));
            }
        }

        for (; i < x.Length; i += 2)
        {
            double vr = y[i], vi = y[i + 1];
            x[i] += (cr * vr) - (ci * vi);
            x[i + 1] += (cr * vi) + (ci * vr);
        }
    }
}

/// <summary>Eigenpairs from <see cref="LanczosEigensolver"/>.</summary>
/// <param name="Values">Eigenvalues, largest first.</param>
/// <param name="Vectors">Unit eigenvectors, in the same order.</param>
/// <param name="Residuals">‖Av − λv‖ / |λ₁| of each pair.</param>
/// <param name="Restarts">Restarts used.</param>
/// <param name="Products">Products with the matrix used.</param>
public sealed record EigenResult(double[] Values, Complex[][] Vectors, double[] Residuals, int Restarts, int Products);
