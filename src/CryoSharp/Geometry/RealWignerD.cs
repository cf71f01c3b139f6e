using MathNet.Numerics.LinearAlgebra;

namespace CryoSharp.Geometry;

/// <summary>
/// Real Wigner-D matrices: the (2ℓ+1) × (2ℓ+1) orthogonal matrices D^ℓ(R) of the rotation group acting on the real
/// spherical harmonics of degree ℓ (<see cref="RealSphericalHarmonics"/>), defined by Y_ℓ(R·x) = D^ℓ(R)·Y_ℓ(x) for
/// every unit vector x. They are a representation: D^ℓ(R₁R₂) = D^ℓ(R₁)·D^ℓ(R₂) and D^ℓ(Rᵀ) = D^ℓ(R)ᵀ, and their
/// trace is the character sin((ℓ+½)ω)/sin(ω/2) of the rotation angle ω. Because degree-ℓ harmonics span a space
/// closed under rotation, D^ℓ(R) is found exactly (to rounding) by least squares from the harmonics at a fixed set
/// of points: D^ℓ(R) = Y_ℓ(R·X)·Y_ℓ(X)⁺. Thread-safe after construction.
/// </summary>
public sealed class RealWignerD
{
    private readonly Vector3d[] points;
    private readonly double[][] pseudoInverses; // per degree: P × (2ℓ+1), row-major

    /// <summary>Prepares degrees 1..<paramref name="maxDegree"/>.</summary>
    public RealWignerD(int maxDegree)
    {
        if (maxDegree is < 1 or > 32)
        {
            throw new InvalidParameterException("Wigner-D degree", maxDegree, "must be between 1 and 32");
        }

        MaxDegree = maxDegree;

        // Twice as many well-spread points as the largest degree's dimension keeps Y_ℓ(X) well conditioned.
        points = FibonacciSphere.Points(2 * ((2 * maxDegree) + 1));
        int p = points.Length, count = RealSphericalHarmonics.Count(maxDegree);
        var y = new double[p * count];
        for (int k = 0; k < p; k++)
        {
            RealSphericalHarmonics.Evaluate(maxDegree, points[k], y.AsSpan(k * count, count));
        }

        pseudoInverses = new double[maxDegree + 1][];
        for (int l = 1; l <= maxDegree; l++)
        {
            int d = (2 * l) + 1;
            var a = Matrix<double>.Build.Dense(d, p, (r, c) => y[(c * count) + (l * l) + r]);
            var pinv = a.PseudoInverse(); // P × d
            var flat = new double[p * d];
            for (int r = 0; r < p; r++)
            {
                for (int c = 0; c < d; c++)
                {
                    flat[(r * d) + c] = pinv[r, c];
                }
            }

            pseudoInverses[l] = flat;
        }
    }

    /// <summary>Largest degree prepared.</summary>
    public int MaxDegree { get; }

    /// <summary>Dimension of degree ℓ: 2ℓ + 1.</summary>
    public static int Dimension(int degree) => (2 * degree) + 1;

    /// <summary>D^ℓ(R) for ℓ = <paramref name="degree"/>, row-major into <paramref name="destination"/> ((2ℓ+1)² values).</summary>
    public void Compute(Matrix3 rotation, int degree, Span<double> destination)
    {
        if (degree < 1 || degree > MaxDegree)
        {
            throw new ArgumentOutOfRangeException(nameof(degree), degree, $"Degrees 1..{MaxDegree} are prepared.");
        }

        Compute(rotation, degree, degree, destination);
    }

    /// <summary>D^ℓ(R) for every degree 1..<paramref name="maxDegree"/>, concatenated (Σ (2ℓ+1)² values).</summary>
    public void ComputeAll(Matrix3 rotation, int maxDegree, Span<double> destination)
    {
        if (maxDegree < 1 || maxDegree > MaxDegree)
        {
            throw new ArgumentOutOfRangeException(nameof(maxDegree), maxDegree, $"Degrees 1..{MaxDegree} are prepared.");
        }

        Compute(rotation, 1, maxDegree, destination);
    }

    private void Compute(Matrix3 rotation, int first, int last, Span<double> destination)
    {
        int p = points.Length, count = RealSphericalHarmonics.Count(last);

        // The harmonics of every degree at the rotated points, once: P × (L+1)².
        Span<double> rotated = p * count <= 8192 ? stackalloc double[p * count] : new double[p * count];
        for (int k = 0; k < p; k++)
        {
            RealSphericalHarmonics.Evaluate(last, rotation * points[k], rotated.Slice(k * count, count));
        }

        int offset = 0;
        for (int l = first; l <= last; l++)
        {
            int d = Dimension(l), start = l * l;
            var pinv = pseudoInverses[l];
            for (int r = 0; r < d; r++)
            {
                for (int c = 0; c < d; c++)
                {
                    double s = 0;
                    for (int k = 0; k < p; k++)
                    {
                        s += rotated[(k * count) + start + r] * pinv[(k * d) + c];
                    }

                    destination[offset + (r * d) + c] = s;
                }
            }

            offset += d * d;
        }
    }

    /// <summary>Σ_{ℓ=1}^{L} (2ℓ+1)²: the length of <see cref="ComputeAll"/>'s output.</summary>
    public static int TotalSize(int maxDegree)
    {
        int total = 0;
        for (int l = 1; l <= maxDegree; l++)
        {
            total += Dimension(l) * Dimension(l);
        }

        return total;
    }
}
