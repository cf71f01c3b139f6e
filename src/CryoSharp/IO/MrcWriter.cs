using CryoSharp.Imaging;
using CryoSharp.Numerics;

namespace CryoSharp.IO;

/// <summary>Writes whole images, stacks and volumes as MRC mode 2, atomically (see <see cref="MrcStackWriter"/>).</summary>
public static class MrcWriter
{
    /// <summary>Writes a volume (space group 1).</summary>
    public static void Write(string path, Volume volume)
    {
        ArgumentNullException.ThrowIfNull(volume);
        Write(path, volume.Data, new GridShape(volume.Nx, volume.Ny), volume.PixelSizeA, MrcFileKind.Volume);
    }

    /// <summary>Writes one image as a single-section file.</summary>
    public static void Write(string path, Image image)
    {
        ArgumentNullException.ThrowIfNull(image);
        Write(path, image.Data, image.Shape, image.PixelSizeA, MrcFileKind.Stack);
    }

    /// <summary>Writes an image stack (space group 0).</summary>
    public static void Write(string path, ImageStack stack)
    {
        ArgumentNullException.ThrowIfNull(stack);
        Write(path, stack.Data, stack.ImageShape, stack.PixelSizeA, MrcFileKind.Stack);
    }

    private static void Write(string path, ReadOnlySpan<float> data, GridShape section, double pixelSizeA, MrcFileKind kind)
    {
        using var writer = new MrcStackWriter(path, section, pixelSizeA, kind);
        writer.Append(data);
        writer.Complete();
    }
}
