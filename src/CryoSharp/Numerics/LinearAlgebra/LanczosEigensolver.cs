using System.Numerics;
using MathNet.Numerics.LinearAlgebra;

namespace CryoSharp.Numerics.LinearAlgebra;

/// <summary>
/// The largest eigenvalues and their eigenvectors of a Hermitian operator by thick-restart Lanczos (Wu and Simon,
/// SIAM J. Matrix Anal. Appl. 22:602, 2000) with full reorthogonalisation: the Krylov basis grows to m vectors
/// (each new one orthogonalised twice against all others), Rayleigh–Ritz on the basis gives the Ritz pairs, and a
/// restart keeps the wanted Ritz vectors plus a buffer and continues from their common residual direction, so
/// clustered eigenvalues still converge. Converged when every wanted pair has ‖Av − λv‖ ≤ tolerance·|λ₁|. Only
/// products with the operator are needed (dense, sparse or implicit); memory is 2m vectors. Seeded.
/// </summary>
public static class LanczosEigensolver
{
    /// <summary>The <paramref name="count"/> largest (algebraic) eigenpairs, largest first.</summary>
    /// <param name="matrix">The Hermitian operator.</param>
    /// <param name="count">Number of eigenpairs wanted.</param>
    /// <param name="tolerance">Relative residual at which a pair is converged.</param>
    /// <param name="seed">Seed of the random start vector.</param>
    /// <param name="krylovDimension">Largest basis (0: max(2·count + 30, 50), at most n).</param>
    /// <param name="maxRestarts">Restarts before giving up (the result then reports the residuals reached).</param>
    public static EigenResult Largest(IHermitianOperator matrix, int count, double tolerance = 1e-10, int seed = 1,
        int krylovDimension = 0, int maxRestarts = 200)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        int n = matrix.Size;
        if (count < 1 || count > n)
        {
            throw new InvalidParameterException("eigenpair count", count, $"must be between 1 and {n}");
        }

        int m = Math.Min(n, krylovDimension > 0 ? Math.Max(krylovDimension, count + 2) : Math.Max((2 * count) + 30, 50));
        int keep = Math.Min(m - 1, count + Math.Max(5, count));
        var basis = new List<Complex[]>(m);
        var products = new List<Complex[]>(m);
        var random = new NormalRandom(seed);
        var next = new Complex[n];
        for (int i = 0; i < n; i++)
        {
            next[i] = new Complex(random.Next(), random.Next());
        }

        Normalize(next);
        int productCount = 0;
        EigenResult? result = null;
        for (int restart = 0; restart <= maxRestarts; restart++)
        {
            // Grow the basis: A·v for the newest vector, then its part orthogonal to the basis is the next vector.
            bool exhausted = false;
            while (basis.Count < m && !exhausted)
            {
                basis.Add(next);
                var w = new Complex[n];
                matrix.Multiply(next, w);
                productCount++;
                products.Add((Complex[])w.Clone());
                exhausted = !Orthogonalize(w, basis);
                next = w;
            }

            var (values, coefficients) = RayleighRitz(basis, products, Math.Min(keep, basis.Count));
            int wanted = Math.Min(count, values.Length);
            var ritz = new Complex[values.Length][];
            var ritzProducts = new Complex[values.Length][];
            for (int p = 0; p < values.Length; p++)
            {
                ritz[p] = Combine(basis, coefficients[p], n);
                ritzProducts[p] = Combine(products, coefficients[p], n);
            }

            double scale = Math.Max(Math.Abs(values[0]), 1e-300);
            var residuals = new double[wanted];
            for (int p = 0; p < wanted; p++)
            {
                var r = (Complex[])ritzProducts[p].Clone();
                Subtract(r, ritz[p], values[p]);
                residuals[p] = Norm(r) / scale;
            }

            result = new EigenResult(values[..wanted], ritz[..wanted], residuals, restart, productCount);
            if ((wanted == count && residuals.All(r => r <= tolerance)) || exhausted)
            {
                return result;
            }

            // Thick restart: the kept Ritz vectors (orthonormal) start the new basis; the residual of the first,
            // orthogonalised against them, continues the Krylov sequence.
            var residual = (Complex[])ritzProducts[0].Clone();
            Subtract(residual, ritz[0], values[0]);
            basis.Clear();
            products.Clear();
            basis.AddRange(ritz);
            products.AddRange(ritzProducts);
            if (!Orthogonalize(residual, basis))
            {
                return result;
            }

            next = residual;
        }

        return result!;
    }

    /// <summary>
    /// Orthogonalises <paramref name="w"/> against the basis (twice: "twice is enough", Parlett) and normalises it;
    /// false when nothing is left (the basis spans an invariant subspace).
    /// </summary>
    private static bool Orthogonalize(Complex[] w, List<Complex[]> basis)
    {
        double before = Norm(w);
        for (int pass = 0; pass < 2; pass++)
        {
            foreach (var v in basis)
            {
                Subtract(w, v, Dot(v, w));
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

    /// <summary>The largest eigenpairs of T = V*·(AV): values and the coefficient vectors in the basis.</summary>
    private static (double[] Values, Complex[][] Coefficients) RayleighRitz(List<Complex[]> basis, List<Complex[]> products, int count)
    {
        int k = basis.Count;
        var t = Matrix<Complex>.Build.Dense(k, k);
        for (int i = 0; i < k; i++)
        {
            for (int j = i; j < k; j++)
            {
                var value = Dot(basis[i], products[j]);
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

    /// <summary>Σⱼ cⱼ·vⱼ.</summary>
    private static Complex[] Combine(List<Complex[]> vectors, Complex[] c, int n)
    {
        var result = new Complex[n];
        for (int j = 0; j < vectors.Count; j++)
        {
            var v = vectors[j];
            var cj = c[j];
            for (int i = 0; i < n; i++)
            {
                result[i] += cj * v[i];
            }
        }

        return result;
    }

    /// <summary>⟨a, b⟩ = Σ conj(aᵢ)·bᵢ.</summary>
    public static Complex Dot(ReadOnlySpan<Complex> a, ReadOnlySpan<Complex> b)
    {
        double re = 0, im = 0;
        for (int i = 0; i < a.Length; i++)
        {
            re += (a[i].Real * b[i].Real) + (a[i].Imaginary * b[i].Imaginary);
            im += (a[i].Real * b[i].Imaginary) - (a[i].Imaginary * b[i].Real);
        }

        return new Complex(re, im);
    }

    private static double Norm(ReadOnlySpan<Complex> a) => Math.Sqrt(Dot(a, a).Real);

    private static void Normalize(Span<Complex> a)
    {
        double norm = Norm(a);
        for (int i = 0; i < a.Length; i++)
        {
            a[i] /= norm;
        }
    }

    private static void Subtract(Span<Complex> w, ReadOnlySpan<Complex> v, Complex c)
    {
        for (int i = 0; i < w.Length; i++)
        {
            w[i] -= c * v[i];
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
