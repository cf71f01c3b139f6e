using CryoSharp.Imaging;

namespace CryoSharp.Simulation;

/// <summary>Brings a map to the box and pixel size particles are simulated at.</summary>
public static class SimulationVolume
{
    /// <summary>
    /// Resamples <paramref name="volume"/> to <paramref name="pixelSizeA"/> (Fourier cropping or padding, the
    /// nearest even box) when it differs by more than 0.1%, then windows it to <paramref name="box"/> about its
    /// centre. A box larger than the map is an error: the particle would be cut off by the map's own edge.
    /// </summary>
    public static Volume Prepare(Volume volume, int box, double pixelSizeA)
    {
        ArgumentNullException.ThrowIfNull(volume);
        if (!volume.Shape.IsSquareOrCubic)
        {
            throw new InvalidParameterException("volume", volume.Shape, "must be cubic");
        }

        InvalidParameterException.ThrowIfNotPositive("--pixel-size", pixelSizeA);
        var resampled = Math.Abs(volume.PixelSizeA - pixelSizeA) > 1e-3 * pixelSizeA
            ? (Volume)FourierResampling.ToPixelSize(volume, pixelSizeA)
            : volume;
        if (box > resampled.Nx)
        {
            throw new InvalidParameterException("--box", box,
                $"is larger than the volume ({resampled.Nx} voxels at {resampled.PixelSizeA:0.###} Å); choose at most {resampled.Nx}");
        }

        if (box < 8)
        {
            throw new InvalidParameterException("--box", box, "must be at least 8 pixels");
        }

        return box == resampled.Nx ? resampled : (Volume)RealSpaceWindow.Window(resampled, box);
    }
}
