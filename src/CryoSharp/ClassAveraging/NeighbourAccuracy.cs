using CryoSharp.Geometry;
using CryoSharp.Particles;

namespace CryoSharp.ClassAveraging;

/// <summary>
/// How close neighbours' viewing directions are to their image's, when the true poses are known: the angle between
/// vᵢ and vⱼ (−vⱼ when the neighbour is taken reflected: the mirror image of a projection is the projection from the
/// opposite direction), so a neighbour with the wrong reflection counts as far.
/// </summary>
public static class NeighbourAccuracy
{
    /// <summary>Every image–neighbour angle in degrees, image by image.</summary>
    public static double[] Angles(ImageNeighbours neighbours, IReadOnlyList<ParticleRecord> records)
    {
        ArgumentNullException.ThrowIfNull(neighbours);
        ArgumentNullException.ThrowIfNull(records);
        var directions = records.Select(r => EulerAngles.FromDegrees(r.Pose.RotDeg, r.Pose.TiltDeg, r.Pose.PsiDeg).ViewingDirection()).ToArray();
        var angles = new double[neighbours.Count * neighbours.PerImage];
        for (int i = 0; i < neighbours.Count; i++)
        {
            for (int r = 0; r < neighbours.PerImage; r++)
            {
                int o = (i * neighbours.PerImage) + r;
                var a = directions[i];
                var b = directions[neighbours.Neighbour[o]];
                double dot = (a.X * b.X) + (a.Y * b.Y) + (a.Z * b.Z);
                angles[o] = Math.Acos(Math.Clamp(neighbours.Reflected[o] ? -dot : dot, -1, 1)) * 180 / Math.PI;
            }
        }

        return angles;
    }

    /// <summary>The fraction of neighbours within <paramref name="limitDeg"/> and the median angle, degrees.</summary>
    public static (double FractionWithin, double MedianDeg) Summarise(double[] angles, double limitDeg = 10)
    {
        ArgumentNullException.ThrowIfNull(angles);
        if (angles.Length == 0)
        {
            return (double.NaN, double.NaN);
        }

        var sorted = (double[])angles.Clone();
        Array.Sort(sorted);
        double median = sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : 0.5 * (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]);
        return ((double)sorted.Count(a => a <= limitDeg) / sorted.Length, median);
    }
}
