using System.Globalization;

namespace CryoSharp.Geometry;

/// <summary>
/// A point group of a particle, by RELION's names and axes (<c>--sym</c>): Cn (n-fold about z), Dn (Cn and a 2-fold
/// about x), T (3-fold about z, a 2-fold in the xz plane), O (4-fold about z, 3-fold along (1, 1, 1)) and I (I2,
/// RELION's default icosahedral setting: 2-fold about z, 5-fold and 3-fold in the planes RELION puts them; I1 the
/// other standard setting). The group is every product of the generators. A map with the symmetry has
/// V(R x) = V(x) for every element R; so a particle at orientation A is the same particle at A·Rᵀ.
/// </summary>
public sealed class SymmetryGroup
{
    private readonly Matrix3[] elements;

    private SymmetryGroup(string name, Matrix3[] elements)
    {
        Name = name;
        this.elements = elements;
    }

    /// <summary>The name (C1, C4, D2, T, O, I, I1, I2).</summary>
    public string Name { get; }

    /// <summary>The elements, the identity first.</summary>
    public IReadOnlyList<Matrix3> Elements => elements;

    /// <summary>Number of elements.</summary>
    public int Order => elements.Length;

    /// <summary>The trivial group.</summary>
    public static SymmetryGroup C1 { get; } = new("C1", [Matrix3.Identity]);

    /// <summary>The group RELION calls <paramref name="name"/> (case-insensitive); refuses other names, naming <paramref name="option"/>.</summary>
    public static SymmetryGroup Parse(string name, string option = "--symmetry")
    {
        ArgumentNullException.ThrowIfNull(name);
        string n = name.Trim().ToUpperInvariant();
        Vector3d z = new(0, 0, 1), x = new(1, 0, 0);
        Matrix3[] generators;
        if (n.Length >= 2 && (n[0] == 'C' || n[0] == 'D') && int.TryParse(n.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out int fold) && fold is >= 1 and <= 100)
        {
            generators = n[0] == 'C' ? [Rotation(z, fold)] : [Rotation(z, fold), Rotation(x, 2)];
        }
        else
        {
            generators = n switch
            {
                "T" => [Rotation(z, 3), Rotation(new Vector3d(0.816496, 0, 0.577350), 2)],
                "O" => [Rotation(new Vector3d(0.5773502, 0.5773502, 0.5773502), 3), Rotation(z, 4)],
                "I1" => [Rotation(z, 2), Rotation(new Vector3d(0.85065080702670, 0, 0.5257311142635), 5), Rotation(new Vector3d(0.9341723640, 0.3568220765, 0), 3)],
                "I" or "I2" => [Rotation(z, 2), Rotation(new Vector3d(0.5257311142635, 0, 0.85065080702670), 5), Rotation(new Vector3d(0, 0.3568220765, 0.9341723640), 3)],
                _ => throw new InvalidParameterException(option, name, "must be a point group by RELION's name: C1, Cn, Dn (n up to 100), T, O, I (= I2) or I1"),
            };
        }

        return new SymmetryGroup(n == "I" ? "I2" : n, Close(generators));
    }

    /// <summary>The rotation by 360°/<paramref name="fold"/> about <paramref name="axis"/>.</summary>
    private static Matrix3 Rotation(Vector3d axis, int fold) => UnitQuaternion.FromAxisAngle(axis.Normalized(), 2 * Math.PI / fold).ToMatrix();

    /// <summary>Every product of the generators (the identity first), rounded so that exact entries stay exact.</summary>
    private static Matrix3[] Close(Matrix3[] generators)
    {
        var list = new List<Matrix3> { Matrix3.Identity };
        var queue = new Queue<Matrix3>(list);
        while (queue.Count > 0)
        {
            var a = queue.Dequeue();
            foreach (var g in generators)
            {
                var product = Clean(g * a);
                if (!list.Any(m => m.DistanceFrobenius(product) < 1e-4))
                {
                    list.Add(product);
                    queue.Enqueue(product);
                    if (list.Count > 240)
                    {
                        throw new InvalidOperationException("The generators do not close into a finite point group.");
                    }
                }
            }
        }

        return [.. list];
    }

    private static Matrix3 Clean(Matrix3 m)
    {
        static double C(double v) => Math.Abs(v) < 1e-12 ? 0 : Math.Abs(Math.Abs(v) - 1) < 1e-12 ? Math.Sign(v) : Math.Abs(Math.Abs(v) - 0.5) < 1e-12 ? 0.5 * Math.Sign(v) : v;
        return new Matrix3(C(m[0, 0]), C(m[0, 1]), C(m[0, 2]), C(m[1, 0]), C(m[1, 1]), C(m[1, 2]), C(m[2, 0]), C(m[2, 1]), C(m[2, 2]));
    }

    /// <summary>The smallest geodesic angle, in radians, between <paramref name="truth"/> and any equivalent of <paramref name="estimate"/> (estimate·Rᵀ).</summary>
    public double Distance(Matrix3 truth, Matrix3 estimate)
    {
        double best = double.PositiveInfinity;
        foreach (var r in elements)
        {
            best = Math.Min(best, Rotations.Distance(truth, estimate * r.Transpose()));
        }

        return best;
    }
}
