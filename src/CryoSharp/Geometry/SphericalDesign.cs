using CryoSharp.Numerics;
using CryoSharp.Numerics.Optimization;

namespace CryoSharp.Geometry;

/// <summary>
/// A spherical t-design: N points on S² whose equal-weight average integrates every polynomial of degree ≤ t exactly
/// (equivalently, Σᵢ Y_ℓm(xᵢ) = 0 for 1 ≤ ℓ ≤ t). Womersley publishes tables of such designs; CryoSharp makes its
/// own with the same variational characterisation (Sloan and Womersley 2009): by the addition theorem,
/// A(X) = Σ_{ℓ=1..t} (2ℓ+1)/N² Σᵢⱼ P_ℓ(xᵢ·xⱼ) = 4π/N² Σ_{ℓ,m} (Σᵢ Y_ℓm(xᵢ))² ≥ 0, with equality exactly for a
/// t-design. A is minimised by L-BFGS from the Fibonacci spiral (then from seeded perturbations of it, if needed);
/// because A's pairwise sum loses digits near 0, the last digits come from Gauss–Newton on the harmonic sums
/// themselves (minimum-norm steps in the points' polar angles), until every mean of Y_ℓm is below 1e-12. The design
/// is the same on every machine and needs no table.
/// </summary>
public sealed class SphericalDesign
{
    private SphericalDesign(Vector3d[] points, int degree, double residual)
    {
        Points = points;
        Degree = degree;
        Residual = residual;
    }

    /// <summary>The points, unit vectors.</summary>
    public IReadOnlyList<Vector3d> Points { get; }

    /// <summary>t, the degree integrated exactly.</summary>
    public int Degree { get; }

    /// <summary>The largest |mean of Y_ℓm over the points| for 1 ≤ ℓ ≤ t: 0 for an exact design, to rounding.</summary>
    public double Residual { get; }

    /// <summary>N.</summary>
    public int Count => Points.Count;

    /// <summary>What the design is, in words.</summary>
    public string Description => $"spherical {Degree}-design of {Count} points";

    /// <summary>
    /// A <paramref name="degree"/>-design of <paramref name="count"/> points. Designs are found reliably from about
    /// (t+1)²/2 points (2N − 3 free coordinates for (t+1)² − 1 conditions); fewer than Delsarte's bound are refused,
    /// and a count for which no start reaches an exact design throws.
    /// </summary>
    public static SphericalDesign Create(int degree, int count)
    {
        if (degree < 1 || degree > 60)
        {
            throw new InvalidParameterException("design degree", degree, "must be between 1 and 60");
        }

        // Delsarte's bound: no t-design has fewer points.
        int needed = degree % 2 == 1 ? (degree + 1) * (degree + 3) / 4 : (degree + 2) * (degree + 2) / 4;
        if (count < needed)
        {
            throw new InvalidParameterException("design points", count, $"too few for degree {degree}: a design needs at least {needed}");
        }

        var start = FibonacciSphere.Points(count);
        var y = new double[3 * count];
        var random = new SeedSequence(20090601).CreateStream();
        double best = double.PositiveInfinity;
        string reason = "";
        for (int attempt = 0; attempt < 12; attempt++)
        {
            for (int i = 0; i < count; i++)
            {
                double jitter = attempt == 0 ? 0 : 0.3 / Math.Sqrt(count);
                y[3 * i] = start[i].X + (jitter * random.NextGaussian());
                y[(3 * i) + 1] = start[i].Y + (jitter * random.NextGaussian());
                y[(3 * i) + 2] = start[i].Z + (jitter * random.NextGaussian());
            }

            var result = Lbfgs.Minimize((x, g) => Energy(x, g, degree), y,
                new LbfgsOptions { MaxIterations = 20000, GradientTolerance = 1e-16, FunctionTolerance = 0, Memory = 20 });
            if (result.Value < best)
            {
                best = result.Value;
                reason = $"{result.StopReason} after {result.Iterations} iterations";
            }

            if (result.Value < 1e-9)
            {
                var points = new Vector3d[count];
                for (int i = 0; i < count; i++)
                {
                    points[i] = new Vector3d(result.Minimizer[3 * i], result.Minimizer[(3 * i) + 1], result.Minimizer[(3 * i) + 2]).Normalized();
                }

                double residual = Polish(points, degree);
                if (residual < 1e-12)
                {
                    return new SphericalDesign(points, degree, residual);
                }
            }
        }

        throw new CryoSharpException($"no spherical {degree}-design of {count} points was found (best residual {best:G3}, {reason}); try more points");
    }

    /// <summary>
    /// Σᵢ f(xᵢ)/N for a function on the sphere, which is the surface average ∫f dΩ/4π exactly when f is a polynomial
    /// of degree ≤ <see cref="Degree"/>.
    /// </summary>
    public double Average(Func<Vector3d, double> f)
    {
        ArgumentNullException.ThrowIfNull(f);
        double sum = 0;
        foreach (var p in Points)
        {
            sum += f(p);
        }

        return sum / Count;
    }

    /// <summary>Gauss–Newton on r_ℓm = mean of Y_ℓm (1 ≤ ℓ ≤ t) in the points' (θ, φ); returns max |r|.</summary>
    private static double Polish(Vector3d[] points, int t)
    {
        int n = points.Length, harmonics = RealSphericalHarmonics.Count(t), rows = harmonics - 1;
        var theta = new double[n];
        var phi = new double[n];
        for (int i = 0; i < n; i++)
        {
            theta[i] = Math.Acos(Math.Clamp(points[i].Z, -1, 1));
            phi[i] = Math.Atan2(points[i].Y, points[i].X);
        }

        var values = new double[harmonics];
        var plus = new double[harmonics];
        var minus = new double[harmonics];
        var r = new double[rows];
        double worst = Residuals(theta, phi, t, values, r);
        const double h = 1e-6;
        for (int iteration = 0; iteration < 30 && worst > 1e-15; iteration++)
        {
            var jacobian = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.Dense(rows, 2 * n);
            for (int i = 0; i < n; i++)
            {
                for (int c = 0; c < 2; c++)
                {
                    double th = theta[i], ph = phi[i];
                    RealSphericalHarmonics.Evaluate(t, Vector3d.FromSpherical(th + (c == 0 ? h : 0), ph + (c == 1 ? h : 0)), plus);
                    RealSphericalHarmonics.Evaluate(t, Vector3d.FromSpherical(th - (c == 0 ? h : 0), ph - (c == 1 ? h : 0)), minus);
                    for (int k = 1; k < harmonics; k++)
                    {
                        jacobian[k - 1, (2 * i) + c] = (plus[k] - minus[k]) / (2 * h * n);
                    }
                }
            }

            // The minimum-norm least-squares step δ = J⁺r (the system is square-ish, and rank-deficient for symmetric designs).
            var svd = jacobian.Svd(computeVectors: true);
            var rhs = svd.U.TransposeThisAndMultiply(MathNet.Numerics.LinearAlgebra.Vector<double>.Build.DenseOfArray(r));
            double cutoff = 1e-10 * svd.S[0];
            var scaled = MathNet.Numerics.LinearAlgebra.Vector<double>.Build.Dense(2 * n);
            for (int k = 0; k < svd.S.Count; k++)
            {
                scaled[k] = svd.S[k] > cutoff ? rhs[k] / svd.S[k] : 0;
            }

            var step = svd.VT.TransposeThisAndMultiply(scaled);
            var oldTheta = (double[])theta.Clone();
            var oldPhi = (double[])phi.Clone();
            for (int i = 0; i < n; i++)
            {
                theta[i] -= step[2 * i];
                phi[i] -= step[(2 * i) + 1];
            }

            double next = Residuals(theta, phi, t, values, r);
            if (!(next < worst))
            {
                oldTheta.CopyTo(theta, 0);
                oldPhi.CopyTo(phi, 0);
                break;
            }

            worst = next;
        }

        for (int i = 0; i < n; i++)
        {
            points[i] = Vector3d.FromSpherical(theta[i], phi[i]);
        }

        return worst;
    }

    private static double Residuals(double[] theta, double[] phi, int t, double[] values, double[] r)
    {
        Array.Clear(r);
        for (int i = 0; i < theta.Length; i++)
        {
            RealSphericalHarmonics.Evaluate(t, Vector3d.FromSpherical(theta[i], phi[i]), values);
            for (int k = 1; k < values.Length; k++)
            {
                r[k - 1] += values[k] / theta.Length;
            }
        }

        double worst = 0;
        foreach (double v in r)
        {
            worst = Math.Max(worst, Math.Abs(v));
        }

        return worst;
    }

    /// <summary>A(X) for xᵢ = yᵢ/|yᵢ| and its gradient in y.</summary>
    private static double Energy(ReadOnlySpan<double> y, Span<double> gradient, int t)
    {
        int n = y.Length / 3;
        var x = new double[y.Length];
        var norms = new double[n];
        for (int i = 0; i < n; i++)
        {
            double r = Math.Sqrt((y[3 * i] * y[3 * i]) + (y[(3 * i) + 1] * y[(3 * i) + 1]) + (y[(3 * i) + 2] * y[(3 * i) + 2]));
            norms[i] = r;
            x[3 * i] = y[3 * i] / r;
            x[(3 * i) + 1] = y[(3 * i) + 1] / r;
            x[(3 * i) + 2] = y[(3 * i) + 2] / r;
        }

        var gx = new double[y.Length];
        double sum = 0;
        for (int i = 0; i < n; i++)
        {
            for (int j = i + 1; j < n; j++)
            {
                double z = (x[3 * i] * x[3 * j]) + (x[(3 * i) + 1] * x[(3 * j) + 1]) + (x[(3 * i) + 2] * x[(3 * j) + 2]);
                z = Math.Clamp(z, -1, 1);

                // Σ_ℓ (2ℓ+1)P_ℓ(z) and its derivative, with P'_{ℓ+1} = P'_{ℓ−1} + (2ℓ+1)P_ℓ.
                double p0 = 1, p1 = z, d0 = 0, d1 = 1, value = 3 * z, slope = 3;
                for (int l = 1; l < t; l++)
                {
                    double p2 = ((((2 * l) + 1) * z * p1) - (l * p0)) / (l + 1);
                    double d2 = d0 + (((2 * l) + 1) * p1);
                    value += ((2 * l) + 3) * p2;
                    slope += ((2 * l) + 3) * d2;
                    (p0, p1, d0, d1) = (p1, p2, d1, d2);
                }

                sum += 2 * value;
                for (int c = 0; c < 3; c++)
                {
                    gx[(3 * i) + c] += 2 * slope * x[(3 * j) + c];
                    gx[(3 * j) + c] += 2 * slope * x[(3 * i) + c];
                }
            }
        }

        // The diagonal: P_ℓ(1) = 1 for every ℓ, constant on the sphere.
        sum += n * (((t + 1) * (t + 1)) - 1);
        double scale = 1.0 / ((double)n * n);
        for (int i = 0; i < n; i++)
        {
            double radial = 0;
            for (int c = 0; c < 3; c++)
            {
                radial += gx[(3 * i) + c] * x[(3 * i) + c];
            }

            for (int c = 0; c < 3; c++)
            {
                gradient[(3 * i) + c] = scale * (gx[(3 * i) + c] - (radial * x[(3 * i) + c])) / norms[i];
            }
        }

        return scale * sum;
    }
}
