using System.Numerics;
using MathNet.Numerics.LinearAlgebra;

namespace CryoSharp.Numerics.LinearAlgebra;

/// <summary>
/// A real orthonormal basis of the span of complex eigenvectors of a real symmetric matrix. A complex eigensolver
/// returns each eigenvector times an arbitrary phase, and, for a repeated eigenvalue, arbitrary complex
/// combinations; the real and imaginary parts together still span the (real) invariant subspace, and the top
/// <c>d</c> principal directions of those 2d real vectors are an orthonormal basis of it.
/// </summary>
public static class RealInvariantSubspace
{
    /// <summary>
    /// d real orthonormal vectors spanning the same subspace as the d complex <paramref name="vectors"/>
    /// (each of length n), as an n × d row-major array.
    /// </summary>
    public static double[] Basis(IReadOnlyList<Complex[]> vectors)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        int d = vectors.Count;
        if (d == 0)
        {
            throw new ArgumentException("Need at least one vector.", nameof(vectors));
        }

        int n = vectors[0].Length, columns = 2 * d;

        // The 2d × 2d Gram matrix of the real parts and imaginary parts.
        var parts = new double[columns][];
        for (int c = 0; c < d; c++)
        {
            parts[c] = new double[n];
            parts[d + c] = new double[n];
            for (int i = 0; i < n; i++)
            {
                parts[c][i] = vectors[c][i].Real;
                parts[d + c][i] = vectors[c][i].Imaginary;
            }
        }

        var gram = Matrix<double>.Build.Dense(columns, columns);
        for (int a = 0; a < columns; a++)
        {
            for (int b = a; b < columns; b++)
            {
                double g = System.Numerics.Tensors.TensorPrimitives.Dot<double>(parts[a], parts[b]);
                gram[a, b] = g;
                gram[b, a] = g;
            }
        }

        var evd = gram.Evd(Symmetricity.Symmetric);
        var order = Enumerable.Range(0, columns).OrderByDescending(k => evd.EigenValues[k].Real).Take(d).ToArray();
        var basis = new double[(long)n * d];
        for (int k = 0; k < d; k++)
        {
            int e = order[k];
            double scale = 1 / Math.Sqrt(Math.Max(evd.EigenValues[e].Real, 1e-300));
            for (int c = 0; c < columns; c++)
            {
                double coefficient = evd.EigenVectors[c, e] * scale;
                var part = parts[c];
                for (int i = 0; i < n; i++)
                {
                    basis[((long)i * d) + k] += coefficient * part[i];
                }
            }
        }

        return basis;
    }
}
