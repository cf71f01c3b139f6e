using CryoSharp.Geometry;
using CryoSharp.Numerics;

namespace CryoSharp.Simulation;

/// <summary>
/// Viewing directions from a mixture of von Mises–Fisher distributions on the sphere, with a uniform in-plane
/// angle: the non-uniform setting of the method-of-moments literature. Component j has mean direction μⱼ,
/// concentration κⱼ (0 is uniform; the angular spread is about 1/√κ radians) and weight wⱼ.
/// </summary>
public sealed class VonMisesFisherMixture : IOrientationDistribution
{
    private readonly (Vector3d Mean, double Kappa, double Weight)[] components;
    private readonly double[] cumulative;

    /// <summary>Creates the mixture; weights are normalised.</summary>
    public VonMisesFisherMixture(IEnumerable<(Vector3d Mean, double Kappa, double Weight)> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        components = [.. parts.Select(p => (p.Mean.Normalized(), p.Kappa, p.Weight))];
        if (components.Length == 0)
        {
            throw new InvalidParameterException("von Mises–Fisher components", 0, "need at least one");
        }

        foreach (var (mean, kappa, weight) in components)
        {
            if (!(kappa >= 0) || !(weight > 0) || !double.IsFinite(mean.X + mean.Y + mean.Z))
            {
                throw new InvalidParameterException("von Mises–Fisher component", $"κ = {kappa}, w = {weight}", "needs κ ≥ 0, w > 0 and a nonzero mean direction");
            }
        }

        double total = components.Sum(c => c.Weight);
        cumulative = new double[components.Length];
        double sum = 0;
        for (int i = 0; i < components.Length; i++)
        {
            sum += components[i].Weight / total;
            cumulative[i] = sum;
        }
    }

    /// <summary>
    /// The default non-uniform distribution of CryoSharp's simulations: three components (top view, a side view
    /// and an oblique view) of different concentration and weight.
    /// </summary>
    public static VonMisesFisherMixture Default() => new([
        (new Vector3d(0, 0, 1), 8, 0.5),
        (new Vector3d(1, 0, 0), 4, 0.3),
        (new Vector3d(0, 1, 1), 2, 0.2),
    ]);

    /// <inheritdoc />
    public string Description => $"mixture of {components.Length} von Mises–Fisher components on the viewing direction, uniform in-plane angle";

    /// <summary>The components (mean direction, κ, normalised weight).</summary>
    public IReadOnlyList<(Vector3d Mean, double Kappa, double Weight)> Components => components;

    /// <inheritdoc />
    public EulerAngles Sample(RandomStream random)
    {
        ArgumentNullException.ThrowIfNull(random);
        double u = random.NextDouble();
        int j = Array.FindIndex(cumulative, c => u < c);
        var (mean, kappa, _) = components[j < 0 ? components.Length - 1 : j];
        var d = SampleDirection(mean, kappa, random);
        double psi = 2 * Math.PI * random.NextDouble();
        return new EulerAngles(Math.Atan2(d.Y, d.X), Math.Acos(Math.Clamp(d.Z, -1, 1)), psi);
    }

    /// <summary>
    /// One direction from vMF(μ, κ) on S² (Wood 1994, closed form in 3D): the cosine to μ is
    /// w = 1 + ln(ξ + (1 − ξ)e^{−2κ})/κ, the azimuth about μ uniform.
    /// </summary>
    public static Vector3d SampleDirection(Vector3d mean, double kappa, RandomStream random)
    {
        ArgumentNullException.ThrowIfNull(random);
        double xi = random.NextDouble();
        double w = kappa < 1e-8 ? (2 * xi) - 1 : 1 + (Math.Log(xi + ((1 - xi) * Math.Exp(-2 * kappa))) / kappa);
        w = Math.Clamp(w, -1, 1);
        double phi = 2 * Math.PI * random.NextDouble();
        var mu = mean.Normalized();
        var helper = Math.Abs(mu.Z) < 0.9 ? new Vector3d(0, 0, 1) : new Vector3d(1, 0, 0);
        var e1 = mu.Cross(helper).Normalized();
        var e2 = mu.Cross(e1);
        double r = Math.Sqrt(1 - (w * w));
        var (s, c) = Math.SinCos(phi);
        return (w * mu) + (r * c * e1) + (r * s * e2);
    }
}
