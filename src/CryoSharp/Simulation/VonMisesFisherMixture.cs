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

    /// <summary>
    /// A random mixture of <paramref name="count"/> components, as in the method-of-moments papers' experiments
    /// (a mixture of 8): mean directions uniform on the sphere, concentrations uniform in [4, 16] (spreads of about
    /// 15°–30°) by default and weights uniform in [0.5, 1.5] before normalising, all from <paramref name="seeds"/>.
    /// </summary>
    public static VonMisesFisherMixture Random(int count, SeedSequence seeds, double kappaMin = 4, double kappaMax = 16)
    {
        if (!(kappaMin >= 0) || !(kappaMax >= kappaMin) || double.IsInfinity(kappaMax))
        {
            throw new InvalidParameterException("--vmf-kappa", $"{kappaMin},{kappaMax}", "must be MIN,MAX with 0 ≤ MIN ≤ MAX");
        }

        ArgumentNullException.ThrowIfNull(seeds);
        if (count is < 1 or > 1000)
        {
            throw new InvalidParameterException("--vmf-components", count, "must be between 1 and 1000");
        }

        var random = seeds.CreateStream();
        var parts = new (Vector3d, double, double)[count];
        for (int i = 0; i < count; i++)
        {
            var mean = SampleDirection(new Vector3d(0, 0, 1), 0, random);
            parts[i] = (mean, kappaMin + ((kappaMax - kappaMin) * random.NextDouble()), 0.5 + random.NextDouble());
        }

        return new VonMisesFisherMixture(parts);
    }

    /// <summary>The density of viewing directions at the unit vector <paramref name="x"/>, per steradian: Σⱼ wⱼ κⱼ e^{κⱼ(μⱼ·x − 1)} / (2π(1 − e^{−2κⱼ})).</summary>
    public double Density(Vector3d x)
    {
        double sum = 0, total = components.Sum(c => c.Weight);
        foreach (var (mean, kappa, weight) in components)
        {
            double c = mean.Dot(x);
            sum += weight / total * (kappa < 1e-8 ? 1 / (4 * Math.PI) : kappa * Math.Exp(kappa * (c - 1)) / (2 * Math.PI * (1 - Math.Exp(-2 * kappa))));
        }

        return sum;
    }

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
