using CryoSharp.Imaging;
using CryoSharp.IO;
using CryoSharp.IO.Atoms;
using CryoSharp.Numerics;
using CryoSharp.Simulation;

namespace CryoSharp.Cli.Commands;

/// <summary>Reads the map a command works on: an MRC file, a built-in phantom, or an atomic model.</summary>
internal static class VolumeInput
{
    /// <summary>The built-in phantoms.</summary>
    public static readonly (string Name, PhantomKind Value)[] Phantoms = [("blobs", PhantomKind.Blobs), ("four-gaussians", PhantomKind.FourGaussians), ("shepp-logan", PhantomKind.SheppLogan)];

    /// <summary>
    /// Exactly one of the three sources, at the requested box and pixel size. A map keeps its own box and pixel
    /// size when they are not given; a phantom or a model needs them (defaults 128 and 2 Å).
    /// </summary>
    public static Volume Load(string? volumePath, PhantomKind? phantom, string? pdbPath, int? box, double? pixelSizeA,
        double? resolutionA, SeedSequence seeds, ComputeContext context)
    {
        int sources = (volumePath is null ? 0 : 1) + (phantom is null ? 0 : 1) + (pdbPath is null ? 0 : 1);
        if (sources != 1)
        {
            throw new CryoSharpException("give exactly one of --volume, --phantom and --pdb");
        }

        if (volumePath is not null)
        {
            var volume = MrcReader.ReadVolume(volumePath, pixelSizeA);
            if (!volume.Shape.IsSquareOrCubic || volume.Shape.Rank != 3)
            {
                throw new InvalidFileException(volumePath, $"the volume is {volume.Shape}; a cubic map is needed");
            }

            return SimulationVolume.Prepare(volume, box ?? volume.Nx, pixelSizeA ?? volume.PixelSizeA);
        }

        int n = box ?? 128;
        double pixel = pixelSizeA ?? 2.0;
        InvalidParameterException.ThrowIfNotPositive("--pixel-size", pixel);
        if (n is < 8 or > 1024)
        {
            throw new InvalidParameterException("--box", n, "must be between 8 and 1024 pixels");
        }

        if (phantom is not null)
        {
            return phantom switch
            {
                PhantomKind.Blobs => new GaussianBlobPhantom { Seeds = seeds.Spawn("phantom") }.Create(n, pixel),
                PhantomKind.FourGaussians => new GaussianBlobPhantom { Seeds = seeds.Spawn("phantom"), BlobCount = 4 }.Create(n, pixel),
                _ => SheppLoganPhantom.Create(n, pixel),
            };
        }

        var atoms = AtomicModelReader.Read(pdbPath!);
        return AtomicModelDensity.Create(atoms, n, pixel, resolutionA ?? (2 * pixel), context);
    }
}
