using CryoSharp.Numerics;

namespace CryoSharp.Imaging;

/// <summary>
/// A soft solvent mask made from a map, as <c>relion_mask_create</c> makes one: the voxels at or above a threshold
/// (of the map, optionally low-passed first), extended outwards by a distance, then given a raised-cosine edge of a
/// width, from 1 inside to 0 outside. Distances are Euclidean (<see cref="DistanceTransform"/>), in Å.
/// </summary>
public static class SolventMask
{
    /// <summary>The mask of <paramref name="map"/> (values in [0, 1], the map's box and pixel size).</summary>
    /// <param name="map">The map.</param>
    /// <param name="threshold">Density at and above which a voxel is inside.</param>
    /// <param name="extendA">Distance in Å the binary mask is grown by (≥ 0).</param>
    /// <param name="softEdgeA">Width in Å of the cosine edge beyond it (≥ 0).</param>
    /// <param name="lowpassA">Resolution in Å the map is low-passed to before thresholding, or null.</param>
    public static Volume Create(Volume map, double threshold, double extendA, double softEdgeA, double? lowpassA = null)
    {
        ArgumentNullException.ThrowIfNull(map);
        if (!double.IsFinite(threshold))
        {
            throw new InvalidParameterException("--threshold", threshold, "must be a number");
        }

        if (!(extendA >= 0) || double.IsInfinity(extendA))
        {
            throw new InvalidParameterException("--extend", extendA, "must be a distance ≥ 0 (Å)");
        }

        if (!(softEdgeA >= 0) || double.IsInfinity(softEdgeA))
        {
            throw new InvalidParameterException("--soft-edge", softEdgeA, "must be a width ≥ 0 (Å)");
        }

        var source = lowpassA is double resolution ? LowPassFilter.Apply(map, resolution, "--lowpass") : map;
        var inside = new bool[source.Data.Length];
        int count = 0;
        for (int i = 0; i < inside.Length; i++)
        {
            inside[i] = source.Data[i] >= threshold;
            count += inside[i] ? 1 : 0;
        }

        if (count == 0)
        {
            var stats = source.Statistics();
            throw new InvalidParameterException("--threshold", threshold, string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"no voxel reaches it (the map's maximum is {stats.Max:G4})"));
        }

        var distance = DistanceTransform.Compute(inside, map.Nx, map.Ny, map.Nz);
        double extend = extendA / map.PixelSizeA, width = softEdgeA / map.PixelSizeA;
        var mask = new Volume(map.Nx, map.Ny, map.Nz, map.PixelSizeA);
        for (int i = 0; i < distance.Length; i++)
        {
            double d = distance[i];
            mask.Data[i] = d <= extend ? 1f
                : width > 0 && d < extend + width ? (float)(0.5 + (0.5 * Math.Cos(Math.PI * (d - extend) / width)))
                : 0f;
        }

        return mask;
    }
}
