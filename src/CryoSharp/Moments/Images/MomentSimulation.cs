using CryoSharp.Imaging;
using CryoSharp.Numerics;
using CryoSharp.Particles;
using CryoSharp.Projection;
using CryoSharp.Simulation;

namespace CryoSharp.Moments.Images;

/// <summary>
/// Images for the method of moments as its papers make them: line-integral projections of a map (scaled to norm 1
/// by default, ‖v‖² = Σ voxel² = 1), at views drawn from a distribution, no shift and no CTF, plus white Gaussian
/// noise of a given standard deviation per pixel. Made on demand (<see cref="SimulatedParticleSource"/>), so any
/// number of images streams through <see cref="ImageMomentPass"/> in bounded memory; views come from one seeded
/// stream and each image's noise from its own seed.
/// </summary>
public static class MomentSimulation
{
    /// <summary>The factor that brings <paramref name="map"/> to norm 1.</summary>
    public static double UnitNormScale(Volume map)
    {
        ArgumentNullException.ThrowIfNull(map);
        double sum = 0;
        foreach (float v in map.Data)
        {
            sum += (double)v * v;
        }

        if (!(sum > 0))
        {
            throw new CryoSharpException("the map is empty (all zeros): it cannot be scaled to norm 1");
        }

        return 1 / Math.Sqrt(sum);
    }

    /// <summary>The particle source.</summary>
    /// <param name="map">The map, already scaled as wanted.</param>
    /// <param name="count">Images.</param>
    /// <param name="views">The view distribution.</param>
    /// <param name="noiseSigma">Noise standard deviation per pixel.</param>
    /// <param name="seeds">Where views and noise come from.</param>
    /// <param name="context">Threads of image formation.</param>
    /// <param name="padding">Oversampling of the projector's Fourier grid: 4 by default, so that the images are close to exact line integrals (RELION's 2 leaves errors of a few per cent at the edge of the particle).</param>
    public static SimulatedParticleSource Source(Volume map, int count, IOrientationDistribution views, double noiseSigma, SeedSequence seeds, ComputeContext? context = null,
        int padding = 4)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(views);
        ArgumentNullException.ThrowIfNull(seeds);
        if (count < 1)
        {
            throw new InvalidParameterException("--count", count, "must be at least 1");
        }

        var optics = new ParticleOptics { PixelSizeA = map.PixelSizeA, ImageSize = map.Nx };
        var table = new SimulatedParticleTable(count, seeds.Spawn("views").CreateStream(), (random, index) =>
        {
            var (rot, tilt, psi) = views.Sample(random).ToDegrees();
            return new ParticleRecord { Index = index, Pose = new Pose(rot, tilt, psi), Optics = optics, Subset = 1 + (index % 2) };
        });
        return new SimulatedParticleSource(new FourierProjector(map, padding, context), table, noiseSigma, seeds.Spawn("noise"), context);
    }
}
