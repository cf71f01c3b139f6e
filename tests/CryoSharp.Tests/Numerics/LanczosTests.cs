using System.Numerics;
using CryoSharp.Numerics;
using CryoSharp.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra;

namespace CryoSharp.Tests.Numerics;

public class LanczosTests
{
    [Theory]
    [InlineData(60, 5)]
    [InlineData(200, 3)]
    public void MatchesMathNetsDenseSolver(int n, int count)
    {
        var matrix = RandomHermitian(n, 3);
        var result = LanczosEigensolver.Largest(matrix, count, tolerance: 1e-10);
        var reference = Matrix<Complex>.Build.Dense(n, n, (i, j) => matrix[i, j]).Evd(Symmetricity.Hermitian);
        var order = Enumerable.Range(0, n).OrderByDescending(i => reference.EigenValues[i].Real).Take(count).ToArray();
        for (int p = 0; p < count; p++)
        {
            Assert.Equal(reference.EigenValues[order[p]].Real, result.Values[p], 1e-8 * Math.Abs(result.Values[0]));
            var v = reference.EigenVectors.Column(order[p]).ToArray();
            Assert.Equal(1, LanczosEigensolver.Dot(v, result.Vectors[p]).Magnitude, 1e-6);
            Assert.True(result.Residuals[p] <= 1e-10);
        }
    }

    [Fact]
    public void FindsThePlantedVectorOfARankOneSignalInNoise()
    {
        // H = z z* + σW (a phase synchronisation problem): above the spectral threshold the top eigenvector
        // correlates with z.
        const int n = 400;
        var random = new RandomStream(5);
        var z = Enumerable.Range(0, n).Select(_ => Complex.FromPolarCoordinates(1, 2 * Math.PI * random.NextDouble())).ToArray();
        var h = new DenseHermitianMatrix(n);
        double sigma = 0.5 * Math.Sqrt(n);
        for (int i = 0; i < n; i++)
        {
            h[i, i] = 1 + (sigma * random.NextGaussian() * Math.Sqrt(2) / Math.Sqrt(2));
            for (int j = i + 1; j < n; j++)
            {
                var noise = new Complex(random.NextGaussian(), random.NextGaussian()) * (sigma / Math.Sqrt(2));
                h.SetPair(i, j, (z[i] * Complex.Conjugate(z[j])) + noise);
            }
        }

        var top = LanczosEigensolver.Largest(h, 1, tolerance: 1e-9).Vectors[0];
        double correlation = LanczosEigensolver.Dot(top, z).Magnitude / Math.Sqrt(n);
        Assert.True(correlation > 0.85, $"|corr| = {correlation}");
    }

    [Fact]
    public void SparseCirculantHasItsAnalyticSpectrum()
    {
        // A_{i, i+d} = e^{iφ_d} for d = 1..25 (and the conjugate below): a Hermitian circulant whose eigenvalues
        // are λ_k = Σ_d 2cos(φ_d + 2πkd/n), distinct for random phases.
        const int n = 3000, width = 25;
        var random = new Random(7);
        var phases = Enumerable.Range(0, width).Select(_ => 2 * Math.PI * random.NextDouble()).ToArray();
        var entries = new List<(int, int, Complex)>();
        for (int i = 0; i < n; i++)
        {
            for (int d = 1; d <= width; d++)
            {
                entries.Add((i, (i + d) % n, Complex.FromPolarCoordinates(1, phases[d - 1])));
            }
        }

        var matrix = new SparseHermitianMatrix(n, entries);
        Assert.Equal(2 * n * width, matrix.NonZeroCount);
        var expected = Enumerable.Range(0, n)
            .Select(k => Enumerable.Range(1, width).Sum(d => 2 * Math.Cos(phases[d - 1] + (2 * Math.PI * k * d / n))))
            .OrderByDescending(v => v).Take(3).ToArray();
        var result = LanczosEigensolver.Largest(matrix, 3, tolerance: 1e-9, maxRestarts: 200);
        for (int p = 0; p < 3; p++)
        {
            Assert.Equal(expected[p], result.Values[p], 1e-6 * expected[0]);
        }
    }

    [Fact]
    public void SparseAndDenseProductsAgree()
    {
        var dense = RandomHermitian(30, 9);
        var entries = new List<(int, int, Complex)>();
        for (int i = 0; i < 30; i++)
        {
            for (int j = i; j < 30; j++)
            {
                entries.Add((i, j, dense[i, j]));
            }
        }

        entries.Add((4, 7, new Complex(0.5, 0.25))); // a duplicate is summed
        dense.SetPair(4, 7, dense[4, 7] + new Complex(0.5, 0.25));
        var sparse = new SparseHermitianMatrix(30, entries);
        var x = Enumerable.Range(0, 30).Select(i => new Complex(Math.Sin(i), Math.Cos(3 * i))).ToArray();
        var a = new Complex[30];
        var b = new Complex[30];
        dense.Multiply(x, a);
        sparse.Multiply(x, b);
        for (int i = 0; i < 30; i++)
        {
            Assert.Equal(0, (a[i] - b[i]).Magnitude, 1e-12);
        }
    }


    [Fact]
    public void CompressedRowsInAnyOrderMultiplyAsTheDenseMatrix()
    {
        var dense = RandomHermitian(12, 4);
        var rowStart = new int[13];
        var columns = new List<int>();
        var values = new List<Complex>();
        for (int i = 0; i < 12; i++)
        {
            // Columns written backwards, and every third entry left out (on both sides, so the matrix stays Hermitian).
            for (int j = 11; j >= 0; j--)
            {
                if ((i + j) % 3 != 0)
                {
                    columns.Add(j);
                    values.Add(dense[i, j]);
                }
            }

            rowStart[i + 1] = columns.Count;
        }

        var sparse = SparseHermitianMatrix.FromCompressedRows(12, rowStart, [.. columns], [.. values]);
        var x = Enumerable.Range(0, 12).Select(i => new Complex(Math.Cos(i), Math.Sin(2 * i))).ToArray();
        var y = new Complex[12];
        sparse.Multiply(x, y);
        for (int i = 0; i < 12; i++)
        {
            Complex expected = 0;
            for (int j = 0; j < 12; j++)
            {
                expected += (i + j) % 3 != 0 ? dense[i, j] * x[j] : 0;
            }

            Assert.Equal(0, (y[i] - expected).Magnitude, 1e-12);
        }

        Assert.Throws<ArgumentException>(() => SparseHermitianMatrix.FromCompressedRows(12, rowStart[..^1], [.. columns], [.. values]));
        Assert.Throws<ArgumentOutOfRangeException>(() => SparseHermitianMatrix.FromCompressedRows(12, rowStart, [.. columns.Select(c => c + 1)], [.. values]));
    }
    [Fact]
    public void ABlockFindsEveryDirectionOfARepeatedEigenvalue()
    {
        // A real symmetric matrix Q·diag(9, 9, 9, 4, 3, ...)·Qᵀ: in exact arithmetic a single start vector sees only one
        // direction of the triple eigenvalue (rounding may or may not reveal the others); a block of 3 finds the whole
        // eigenspace by construction.
        const int n = 80;
        var q = Matrix<double>.Build.Random(n, n, new MathNet.Numerics.Distributions.Normal(new Random(4))).QR().Q;
        var diagonal = Enumerable.Range(0, n).Select(i => i < 3 ? 9.0 : 4.0 - (3.0 * i / n)).ToArray();
        var a = q * Matrix<double>.Build.DenseOfDiagonalArray(diagonal) * q.Transpose();
        var matrix = new DenseSymmetricMatrix(n);
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                matrix[i, j] = a[i, j];
            }
        }

        var block = LanczosEigensolver.Largest(matrix, 3, tolerance: 1e-10, blockSize: 3);
        Assert.All(block.Values, v => Assert.Equal(9, v, 1e-8));

        // The real basis of the found eigenvectors spans the planted eigenspace: its projector equals Q₃Q₃ᵀ.
        var basis = RealInvariantSubspace.Basis(block.Vectors);
        for (int i = 0; i < n; i += 7)
        {
            for (int j = 0; j < n; j += 5)
            {
                double projector = 0, planted = 0;
                for (int k = 0; k < 3; k++)
                {
                    projector += basis[(i * 3) + k] * basis[(j * 3) + k];
                    planted += q[i, k] * q[j, k];
                }

                Assert.Equal(planted, projector, 1e-7);
            }
        }
    }

    [Fact]
    public void RealSymmetricAndHermitianProductsAgree()
    {
        var random = new RandomStream(12);
        var real = new DenseSymmetricMatrix(25);
        var complex = new DenseHermitianMatrix(25);
        for (int i = 0; i < 25; i++)
        {
            for (int j = i; j < 25; j++)
            {
                double v = random.NextGaussian();
                real.SetPair(i, j, v);
                complex.SetPair(i, j, v);
            }
        }

        var x = Enumerable.Range(0, 25).Select(i => new Complex(Math.Sin(i), Math.Cos(2 * i))).ToArray();
        var a = new Complex[25];
        var b = new Complex[25];
        real.Multiply(x, a);
        complex.Multiply(x, b);
        for (int i = 0; i < 25; i++)
        {
            Assert.Equal(0, (a[i] - b[i]).Magnitude, 1e-12);
        }
    }

    private static DenseHermitianMatrix RandomHermitian(int n, int seed)
    {
        var random = new RandomStream((ulong)(seed));
        var m = new DenseHermitianMatrix(n);
        for (int i = 0; i < n; i++)
        {
            m[i, i] = random.NextGaussian();
            for (int j = i + 1; j < n; j++)
            {
                m.SetPair(i, j, new Complex(random.NextGaussian(), random.NextGaussian()));
            }
        }

        return m;
    }
}
