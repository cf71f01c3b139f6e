using System.Numerics;
using CryoSharp.Geometry;
using CryoSharp.Numerics;
using CryoSharp.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra;

namespace CryoSharp.Synchronization;

/// <summary>
/// Estimators of rotations R₁…Rₙ from relative rotations R̃ᵢⱼ ≈ RᵢRⱼᵀ. The spectral method (Singer 2011; Wang and
/// Singer 2013): the top 3 eigenvectors of the 3n × 3n block matrix H with blocks R̃ᵢⱼ (zero where a pair is
/// unobserved), each 3 × 3 block rounded to the nearest rotation. And a multi-frequency extension in the spirit of
/// Gao and Zhao (ICML 2019), with the irreducible representations of SO(3) in place of the Fourier modes of U(1):
/// for ℓ = 1..L the block matrix H^ℓ with blocks D^ℓ(R̃ᵢⱼ) (real Wigner-D), its top 2ℓ + 1 eigenvectors, their
/// blocks made orthogonal (Uᵢ^ℓ), then for every pair the rotation maximising the band-limited "periodogram"
/// f(Q) = 1 + Σ_ℓ (2ℓ+1)·tr(Uᵢ^ℓ Uⱼ^ℓᵀ D^ℓ(Q)ᵀ) on SO(3), and the spectral method on those estimates.
/// Estimates are the truth up to a global rotation: R̂ᵢ ≈ Rᵢ·O.
/// </summary>
public static class RotationSynchronization
{
    /// <summary>The spectral estimate with rounding to SO(3).</summary>
    public static Matrix3[] Spectral(RelativeRotations measurements, SeedSequence? seeds = null, ComputeContext? context = null)
    {
        ArgumentNullException.ThrowIfNull(measurements);
        int n = measurements.Count;
        var c = context ?? ComputeContext.Default;
        var h = BlockMatrix(measurements, 3, c, (r, block) =>
        {
            for (int a = 0; a < 3; a++)
            {
                for (int b = 0; b < 3; b++)
                {
                    block[(a * 3) + b] = r[a, b];
                }
            }
        });

        var phi = TopBasis(h, 3, seeds);

        // The basis is Rᵢ·O/√n for some O in O(3); when O is a reflection every block is too, and flipping one
        // column makes them rotations again.
        double determinants = 0;
        for (int i = 0; i < n; i++)
        {
            determinants += Block(phi, i, 3).Determinant();
        }

        if (determinants < 0)
        {
            for (long p = 2; p < phi.Length; p += 3)
            {
                phi[p] = -phi[p];
            }
        }

        var result = new Matrix3[n];
        for (int i = 0; i < n; i++)
        {
            result[i] = NearestRotation(Block(phi, i, 3));
        }

        return result;
    }

    /// <summary>
    /// The multi-frequency estimate with representations of degree 1..<paramref name="maxDegree"/> (1 is the
    /// spectral method).
    /// </summary>
    /// <param name="measurements">The relative rotations.</param>
    /// <param name="maxDegree">L, the largest Wigner-D degree.</param>
    /// <param name="seeds">Where the eigen-solver's start vectors come from; null for fixed starts.</param>
    /// <param name="refinements">Levels of the hierarchical orientation grid searched below the coarse one.</param>
    /// <param name="context">Threads; null for the default.</param>
    public static Matrix3[] MultiFrequency(RelativeRotations measurements, int maxDegree, SeedSequence? seeds = null, int refinements = 3, ComputeContext? context = null)
    {
        ArgumentNullException.ThrowIfNull(measurements);
        if (maxDegree is < 1 or > 12)
        {
            throw new InvalidParameterException("ℓ_max", maxDegree, "must be between 1 and 12");
        }

        if (maxDegree == 1)
        {
            return Spectral(measurements, seeds, context);
        }

        var c = context ?? ComputeContext.Default;
        int n = measurements.Count, total = RealWignerD.TotalSize(maxDegree);
        var wigner = new RealWignerD(maxDegree);

        // u[ℓ − 1] holds the orthogonalised blocks Uᵢ^ℓ of the top eigenvectors of H^ℓ, n × (2ℓ+1)².
        var u = new double[maxDegree][];
        for (int l = 1; l <= maxDegree; l++)
        {
            u[l - 1] = OrthogonalBlocks(DegreeBasis(measurements, wigner, l, seeds?.Spawn("degree", l), c), n, RealWignerD.Dimension(l), c);
        }

        var search = new So3PeakSearch(wigner, maxDegree, refinements, c);
        var estimates = new RelativeRotations(n);
        Parallel.For(0, n, c.ParallelOptions, () => new double[total], (i, _, w) =>
        {
            for (int j = i + 1; j < n; j++)
            {
                // w = ⊕_ℓ (2ℓ+1)·Uᵢ^ℓ Uⱼ^ℓᵀ, flattened as the Wigner-D matrices are.
                int offset = 0;
                for (int l = 1; l <= maxDegree; l++)
                {
                    int d = RealWignerD.Dimension(l), size = d * d;
                    var ui = u[l - 1].AsSpan(i * size, size);
                    var uj = u[l - 1].AsSpan(j * size, size);
                    for (int a = 0; a < d; a++)
                    {
                        for (int b = 0; b < d; b++)
                        {
                            double s = 0;
                            for (int c = 0; c < d; c++)
                            {
                                s += ui[(a * d) + c] * uj[(b * d) + c];
                            }

                            w[offset + (a * d) + b] = d * s;
                        }
                    }

                    offset += size;
                }

                // Pairs are distinct entries of the store, so workers never write the same place.
                estimates.Set(i, j, search.Peak(w));
            }

            return w;
        }, _ => { });
        return Spectral(estimates, seeds?.Spawn("final"), c);
    }

    /// <summary>The rotation nearest to a 3 × 3 matrix in Frobenius norm: U·diag(1, 1, det UVᵀ)·Vᵀ.</summary>
    public static Matrix3 NearestRotation(Matrix<double> m)
    {
        ArgumentNullException.ThrowIfNull(m);
        var svd = m.Svd();
        var uvt = svd.U * svd.VT;
        double sign = uvt.Determinant() < 0 ? -1 : 1;
        var s = Matrix<double>.Build.DenseDiagonal(3, 3, 1);
        s[2, 2] = sign;
        var r = svd.U * s * svd.VT;
        return Matrix3.FromArray(r.ToArray());
    }

    /// <summary>The real orthonormal top-d eigenbasis of H^ℓ (blocks D^ℓ(R̃ᵢⱼ)), n(2ℓ+1) × (2ℓ+1) row-major.</summary>
    private static double[] DegreeBasis(RelativeRotations measurements, RealWignerD wigner, int degree, SeedSequence? seeds, ComputeContext context)
    {
        int d = RealWignerD.Dimension(degree);
        return TopBasis(BlockMatrix(measurements, d, context, (r, block) => wigner.Compute(r, degree, block)), d, seeds);
    }

    /// <summary>
    /// The symmetric nd × nd matrix with identity diagonal blocks, block (i, j) = <paramref name="represent"/>(R̃ᵢⱼ)
    /// (a d × d row-major block) for observed pairs, its transpose at (j, i), and zeros elsewhere; rows in parallel.
    /// </summary>
    private static DenseSymmetricMatrix BlockMatrix(RelativeRotations measurements, int d, ComputeContext context, Action<Matrix3, Span<double>> represent)
    {
        int n = measurements.Count;
        var h = new DenseSymmetricMatrix(n * d) { Context = context };
        Parallel.For(0, n, context.ParallelOptions, () => new double[d * d], (i, _, block) =>
        {
            for (int a = 0; a < d; a++)
            {
                h[(d * i) + a, (d * i) + a] = 1;
            }

            for (int j = i + 1; j < n; j++)
            {
                if (!measurements.IsObserved(i, j))
                {
                    continue;
                }

                represent(measurements[i, j], block);
                for (int a = 0; a < d; a++)
                {
                    for (int b = 0; b < d; b++)
                    {
                        h[(d * i) + a, (d * j) + b] = block[(a * d) + b];
                        h[(d * j) + b, (d * i) + a] = block[(a * d) + b];
                    }
                }
            }

            return block;
        }, _ => { });
        return h;
    }

    /// <summary>A real orthonormal basis of the top-d eigenspace of h: h.Size × d, row-major.</summary>
    private static double[] TopBasis(DenseSymmetricMatrix h, int d, SeedSequence? seeds)
    {
        var eigen = LanczosEigensolver.Largest(h, d, tolerance: 1e-8, seeds: seeds, blockSize: d);
        return RealInvariantSubspace.Basis(eigen.Vectors);
    }

    /// <summary>Each d × d block of the basis replaced by its orthogonal polar factor (the analogue of unit modulus).</summary>
    private static double[] OrthogonalBlocks(double[] basis, int n, int d, ComputeContext context)
    {
        var result = new double[n * d * d];
        Parallel.For(0, n, context.ParallelOptions, i =>
        {
            var svd = Block(basis, i, d).Svd();
            var q = svd.U * svd.VT;
            for (int a = 0; a < d; a++)
            {
                for (int b = 0; b < d; b++)
                {
                    result[(i * d * d) + (a * d) + b] = q[a, b];
                }
            }
        });
        return result;
    }

    private static Matrix<double> Block(double[] basis, int i, int d) =>
        Matrix<double>.Build.Dense(d, d, (a, b) => basis[((long)((i * d) + a) * d) + b]);
}
