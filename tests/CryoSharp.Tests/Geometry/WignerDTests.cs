using CryoSharp.Geometry;
using CryoSharp.Numerics;
using MathNet.Numerics.Integration;

namespace CryoSharp.Tests.Geometry;

public class WignerDTests
{
    [Fact]
    public void SphericalHarmonicsAreOrthonormal()
    {
        // Gauss–Legendre in cos θ times equally spaced φ integrates products of degree ≤ 2L exactly.
        const int maxDegree = 6, count = (maxDegree + 1) * (maxDegree + 1);
        var rule = new GaussLegendreRule(-1, 1, maxDegree + 2);
        int phiCount = (2 * maxDegree) + 2;
        var gram = new double[count, count];
        var y = new double[count];
        for (int a = 0; a < rule.Order; a++)
        {
            double z = rule.Abscissas[a], s = Math.Sqrt(1 - (z * z));
            for (int b = 0; b < phiCount; b++)
            {
                double phi = 2 * Math.PI * b / phiCount, weight = rule.Weights[a] * 2 * Math.PI / phiCount;
                RealSphericalHarmonics.Evaluate(maxDegree, new Vector3d(s * Math.Cos(phi), s * Math.Sin(phi), z), y);
                for (int p = 0; p < count; p++)
                {
                    for (int q = 0; q < count; q++)
                    {
                        gram[p, q] += weight * y[p] * y[q];
                    }
                }
            }
        }

        for (int p = 0; p < count; p++)
        {
            for (int q = 0; q < count; q++)
            {
                Assert.Equal(p == q ? 1 : 0, gram[p, q], 10);
            }
        }
    }

    [Fact]
    public void DegreeOneIsTheCartesianVector()
    {
        // Y_1,−1, Y_10, Y_11 = √(3/4π)·(y, z, x).
        var y = new double[4];
        var x = new Vector3d(0.36, -0.48, 0.8);
        RealSphericalHarmonics.Evaluate(1, x, y);
        double c = Math.Sqrt(3 / (4 * Math.PI));
        Assert.Equal(1 / Math.Sqrt(4 * Math.PI), y[0], 12);
        Assert.Equal(c * x.Y, y[1], 12);
        Assert.Equal(c * x.Z, y[2], 12);
        Assert.Equal(c * x.X, y[3], 12);
    }

    [Fact]
    public void WignerMatricesAreAnOrthogonalRepresentation()
    {
        const int maxDegree = 6;
        var wigner = new RealWignerD(maxDegree);
        var rotations = Rotations.RandomUniform(6, new SeedSequence(17)).Select(q => q.ToMatrix()).ToArray();
        for (int l = 1; l <= maxDegree; l++)
        {
            int d = RealWignerD.Dimension(l);
            for (int t = 0; t + 1 < rotations.Length; t++)
            {
                var (r1, r2) = (rotations[t], rotations[t + 1]);
                var a = Compute(wigner, r1, l);
                var b = Compute(wigner, r2, l);
                var ab = Compute(wigner, r1 * r2, l);
                var transposed = Compute(wigner, r1.Transpose(), l);
                double angle = Rotations.Distance(r1, Matrix3.Identity);
                double trace = 0;
                for (int i = 0; i < d; i++)
                {
                    trace += a[i, i];
                    for (int j = 0; j < d; j++)
                    {
                        double product = 0, gram = 0;
                        for (int k = 0; k < d; k++)
                        {
                            product += a[i, k] * b[k, j];
                            gram += a[k, i] * a[k, j];
                        }

                        Assert.Equal(ab[i, j], product, 9);
                        Assert.Equal(i == j ? 1 : 0, gram, 9);
                        Assert.Equal(a[j, i], transposed[i, j], 9);
                    }
                }

                // The character of degree ℓ is sin((ℓ + ½)ω)/sin(ω/2).
                Assert.Equal(Math.Sin((l + 0.5) * angle) / Math.Sin(angle / 2), trace, 8);
            }
        }
    }

    [Fact]
    public void DegreeOneIsTheRotationInTheOrderYzx()
    {
        var wigner = new RealWignerD(2);
        var r = Rotations.RandomUniform(1, new SeedSequence(5))[0].ToMatrix();
        var d = Compute(wigner, r, 1);
        int[] axis = [1, 2, 0]; // harmonic m = −1, 0, 1 is y, z, x
        for (int i = 0; i < 3; i++)
        {
            for (int j = 0; j < 3; j++)
            {
                Assert.Equal(r[axis[i], axis[j]], d[i, j], 10);
            }
        }
    }

    private static double[,] Compute(RealWignerD wigner, Matrix3 r, int degree)
    {
        int d = RealWignerD.Dimension(degree);
        var flat = new double[d * d];
        wigner.Compute(r, degree, flat);
        var m = new double[d, d];
        for (int i = 0; i < d; i++)
        {
            for (int j = 0; j < d; j++)
            {
                m[i, j] = flat[(i * d) + j];
            }
        }

        return m;
    }
}
