using CryoSharp.Geometry;
using CryoSharp.Numerics;

namespace CryoSharp.Simulation;

/// <summary>
/// Preferred orientation, as on a real grid: a fraction of the particles lie in one preferred view (viewing
/// directions from a von Mises–Fisher distribution about it), the rest are uniform.
/// </summary>
public sealed class PreferredViewOrientations : IOrientationDistribution
{
    private readonly UniformOrientations uniform = new();

    /// <summary>Creates the distribution.</summary>
    /// <param name="direction">The preferred viewing direction.</param>
    /// <param name="fraction">Fraction of particles in the preferred view, in [0, 1].</param>
    /// <param name="kappa">Concentration about it (spread ≈ 1/√κ radians).</param>
    public PreferredViewOrientations(Vector3d direction, double fraction = 0.7, double kappa = 20)
    {
        if (!(fraction is >= 0 and <= 1))
        {
            throw new InvalidParameterException("preferred-view fraction", fraction, "must be in [0, 1]");
        }

        if (!(kappa >= 0))
        {
            throw new InvalidParameterException("preferred-view κ", kappa, "must not be negative");
        }

        Direction = direction.Normalized();
        Fraction = fraction;
        Kappa = kappa;
    }

    /// <summary>The preferred viewing direction.</summary>
    public Vector3d Direction { get; }

    /// <summary>Fraction of particles in the preferred view.</summary>
    public double Fraction { get; }

    /// <summary>Concentration about the preferred view.</summary>
    public double Kappa { get; }

    /// <inheritdoc />
    public string Description => $"{Fraction:P0} in a preferred view (κ = {Kappa}), the rest uniform";

    /// <inheritdoc />
    public EulerAngles Sample(RandomStream random)
    {
        ArgumentNullException.ThrowIfNull(random);
        if (random.NextDouble() >= Fraction)
        {
            return uniform.Sample(random);
        }

        var d = VonMisesFisherMixture.SampleDirection(Direction, Kappa, random);
        return new EulerAngles(Math.Atan2(d.Y, d.X), Math.Acos(Math.Clamp(d.Z, -1, 1)), 2 * Math.PI * random.NextDouble());
    }
}
