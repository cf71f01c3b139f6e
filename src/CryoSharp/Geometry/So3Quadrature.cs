using MathNet.Numerics.Integration;

namespace CryoSharp.Geometry;

/// <summary>
/// A quadrature rule on SO(3): rotations and weights (summing to 1) such that Σ wᵢ f(Rᵢ) approximates the
/// Haar average of f. Used by the method of moments to integrate over orientations.
/// </summary>
public sealed class So3Quadrature
{
    private So3Quadrature(EulerAngles[] nodes, double[] weights, int exactDegree, string description)
    {
        Nodes = nodes;
        Weights = weights;
        ExactDegree = exactDegree;
        Description = description;
    }

    /// <summary>The rotations.</summary>
    public IReadOnlyList<EulerAngles> Nodes { get; }

    /// <summary>The weights, one per node, summing to 1.</summary>
    public IReadOnlyList<double> Weights { get; }

    /// <summary>
    /// Degree up to which the rule is exact: for every Wigner-D function of degree ℓ ≤ this (equivalently, every
    /// polynomial of that degree in the entries of the rotation matrix). −1 when the rule is only approximate.
    /// </summary>
    public int ExactDegree { get; }

    /// <summary>What the rule is, in words.</summary>
    public string Description { get; }

    /// <summary>Number of nodes.</summary>
    public int Count => Nodes.Count;

    /// <summary>
    /// The Gauss product rule exact to degree L: viewing directions from a Gauss product rule on the sphere
    /// (Gauss–Legendre in cos θ with ⌈(L+1)/2⌉ nodes, L+1 equally spaced azimuths), times L+1 equally spaced
    /// in-plane angles. (L+1)²·⌈(L+1)/2⌉ nodes. Exactness: the azimuth and in-plane sums annihilate e^{imα} for
    /// 0 &lt; |m| ≤ L, leaving Legendre polynomials of degree ≤ L in cos θ, which Gauss–Legendre integrates exactly.
    /// </summary>
    public static So3Quadrature GaussProduct(int degree)
    {
        if (degree < 0)
        {
            throw new InvalidParameterException("quadrature degree", degree, "must not be negative");
        }

        int angles = degree + 1;
        int polar = Math.Max(1, (degree + 2) / 2);
        var legendre = new GaussLegendreRule(-1, 1, polar);
        var nodes = new List<EulerAngles>(angles * angles * polar);
        var weights = new List<double>(nodes.Capacity);
        for (int b = 0; b < polar; b++)
        {
            double tilt = Math.Acos(legendre.GetAbscissa(b));
            double w = legendre.GetWeight(b) / 2 / angles / angles;
            for (int a = 0; a < angles; a++)
            {
                for (int g = 0; g < angles; g++)
                {
                    nodes.Add(new EulerAngles(2 * Math.PI * a / angles, tilt, 2 * Math.PI * g / angles));
                    weights.Add(w);
                }
            }
        }

        return new So3Quadrature([.. nodes], [.. weights], degree,
            $"Gauss product rule exact to degree {degree}: {polar} polar × {angles} azimuthal × {angles} in-plane nodes");
    }

    /// <summary>
    /// Equal weights on the HEALPix orientation grid of order k (<see cref="OrientationGrid"/>): near-uniform,
    /// approximate (no exactness degree), with the spacing RELION searches at.
    /// </summary>
    public static So3Quadrature Healpix(int order)
    {
        var grid = new OrientationGrid(order);
        var nodes = new EulerAngles[grid.Count];
        for (int i = 0; i < nodes.Length; i++)
        {
            nodes[i] = grid[i];
        }

        var weights = Enumerable.Repeat(1.0 / nodes.Length, nodes.Length).ToArray();
        return new So3Quadrature(nodes, weights, -1, $"HEALPix order {order}: {grid.Directions.PixelCount} directions × {grid.PsiCount} in-plane angles, equal weights");
    }

    /// <summary>Σ wᵢ f(Rᵢ) with Rᵢ the RELION matrices of the nodes.</summary>
    public double Integrate(Func<Matrix3, double> f)
    {
        ArgumentNullException.ThrowIfNull(f);
        double sum = 0;
        for (int i = 0; i < Nodes.Count; i++)
        {
            sum += Weights[i] * f(Nodes[i].ToMatrix());
        }

        return sum;
    }
}
