using CryoSharp.Geometry;

namespace CryoSharp.Moments.Volumes;

/// <summary>
/// The SO(3) quadrature the analytic moments are integrated on: the directions of a spherical t-design
/// (<see cref="SphericalDesign"/>) as viewing directions, each with <see cref="InPlaneAngles"/> equally spaced in-plane
/// angles. A view density is a weight per direction, spread evenly over its in-plane angles (views are uniform in
/// plane). Node q = direction·InPlaneAngles + angle; its rotation is the RELION matrix of (rot, tilt) of the direction
/// and ψ = 2π·angle/InPlaneAngles, so the direction is the matrix's third row. With uniform weights the rule is exact
/// for Wigner-D functions of degree ≤ min(t, InPlaneAngles − 1).
/// </summary>
public sealed class ViewQuadrature
{
    /// <summary>Makes the rule from a design and an in-plane count.</summary>
    public ViewQuadrature(SphericalDesign design, int inPlaneAngles)
    {
        Design = design ?? throw new ArgumentNullException(nameof(design));
        if (inPlaneAngles < 1 || inPlaneAngles > 720)
        {
            throw new InvalidParameterException("in-plane angles", inPlaneAngles, "must be between 1 and 720");
        }

        InPlaneAngles = inPlaneAngles;
        var rotations = new Matrix3[design.Count * inPlaneAngles];
        for (int i = 0; i < design.Count; i++)
        {
            var d = design.Points[i];
            double rot = Math.Atan2(d.Y, d.X), tilt = Math.Acos(Math.Clamp(d.Z, -1, 1));
            for (int g = 0; g < inPlaneAngles; g++)
            {
                rotations[(i * inPlaneAngles) + g] = new EulerAngles(rot, tilt, 2 * Math.PI * g / inPlaneAngles).ToMatrix();
            }
        }

        Rotations = rotations;
    }

    /// <summary>
    /// The rule "<c>DIRECTIONSxANGLES</c>" (the paper's is 100x12): a design of that many directions, of the highest
    /// degree t ≤ 60 for which one is found (Delsarte's bound and (t+1)²/2 ≤ directions), times the in-plane angles.
    /// </summary>
    public static ViewQuadrature Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split('x', 'X', '×');
        if (parts.Length != 2 || !int.TryParse(parts[0], out int directions) || !int.TryParse(parts[1], out int angles))
        {
            throw new InvalidParameterException("--quadrature", text, "must be DIRECTIONSxANGLES, e.g. 100x12");
        }

        if (directions < 6 || directions > 2000)
        {
            throw new InvalidParameterException("--quadrature", text, "needs between 6 and 2000 directions");
        }

        int degree = 1;
        while (degree < 60 && (degree + 2) * (degree + 2) / 2 <= directions)
        {
            degree++;
        }

        for (; degree >= 1; degree--)
        {
            try
            {
                return new ViewQuadrature(SphericalDesign.Create(degree, directions), angles);
            }
            catch (CryoSharpException) when (degree > 1)
            {
                // Try the next lower degree.
            }
        }

        throw new InvalidParameterException("--quadrature", text, "no design was found");
    }

    /// <summary>The viewing directions.</summary>
    public SphericalDesign Design { get; }

    /// <summary>In-plane angles per direction.</summary>
    public int InPlaneAngles { get; }

    /// <summary>Number of directions.</summary>
    public int Directions => Design.Count;

    /// <summary>All nodes' rotations (RELION matrices).</summary>
    public IReadOnlyList<Matrix3> Rotations { get; }

    /// <summary>Nodes: directions × in-plane angles.</summary>
    public int Count => Rotations.Count;

    /// <summary>In words.</summary>
    public string Description => $"{Design.Description} × {InPlaneAngles} in-plane angles = {Count} rotations";
}
