using System.Globalization;
using CryoSharp.IO;
using CryoSharp.IO.Star;

namespace CryoSharp.Particles;

/// <summary>
/// The particles of a RELION STAR file, their images read from the MRC stacks it refers to (found the way RELION
/// finds them: data root, working directory, then the STAR file's folder). Stacks are opened on first use and kept
/// open (an LRU of 64); reads are positional, so any number of threads may read at once.
/// </summary>
public sealed class StarParticleSource : IParticleSource, IDisposable
{
    private readonly ImagePathResolver resolver;
    private readonly ParticleStackCache stacks = new();
    private readonly ParticleRecord[] records;

    private StarParticleSource(ParticleTable table, string starPath, ImagePathResolver resolver, ParticleRecord[] records, int box, double pixelSizeA)
    {
        Table = table;
        StarPath = starPath;
        this.resolver = resolver;
        this.records = records;
        Box = box;
        PixelSizeA = pixelSizeA;
    }

    /// <summary>The STAR table the particles came from (for writing results back with every original column).</summary>
    public ParticleTable Table { get; }

    /// <summary>The STAR file.</summary>
    public string StarPath { get; }

    /// <inheritdoc/>
    public int Count => records.Length;

    /// <inheritdoc/>
    public int Box { get; }

    /// <inheritdoc/>
    public double PixelSizeA { get; }

    /// <inheritdoc/>
    public IReadOnlyList<ParticleRecord> Records => records;

    /// <inheritdoc/>
    public string Description => StarPath;

    /// <summary>Opens the particles of a STAR file.</summary>
    /// <param name="starPath">The STAR file.</param>
    /// <param name="dataRoot">Folder relative image paths are resolved from first (RELION's project folder), or null.</param>
    /// <param name="pixelSizeA">Pixel size in Å for every particle, overriding the file's (RELION's --angpix), or null.</param>
    public static StarParticleSource Open(string starPath, string? dataRoot = null, double? pixelSizeA = null) =>
        Open(ParticleTable.Load(starPath), starPath, dataRoot, pixelSizeA);

    /// <summary>Opens the particles of a table read from <paramref name="starPath"/>.</summary>
    public static StarParticleSource Open(ParticleTable table, string starPath, string? dataRoot = null, double? pixelSizeA = null)
    {
        ArgumentNullException.ThrowIfNull(table);
        if (pixelSizeA is double forced)
        {
            InvalidParameterException.ThrowIfNotPositive("--pixel-size", forced);
        }

        if (table.Count == 0)
        {
            throw new InvalidFileException(starPath, "has no particles");
        }

        if (!table.Columns.HasFlag(ParticleColumns.Image))
        {
            throw new InvalidFileException(starPath, "has no _rlnImageName column: the particles have no images");
        }

        var resolver = new ImagePathResolver(starPath, dataRoot);
        var first = table.Particles[0];
        int box;
        double headerPixel;
        using (var reader = new MrcReader(resolver.Resolve(first.Image.StackPath, first.SourceLine)))
        {
            var shape = reader.SectionShape;
            if (shape.Nx != shape.Ny)
            {
                throw new InvalidFileException(reader.FilePath, $"images are {shape}; particles must be square");
            }

            box = shape.Nx;
            headerPixel = reader.PixelSizeA;
        }

        var records = ParticleRecords.FromTable(table, pixelSizeA ?? (headerPixel > 0 ? headerPixel : null), overridePixelSize: pixelSizeA is not null);
        double pixel = CommonPixelSize(records, starPath);
        return new StarParticleSource(table, starPath, resolver, records, box, pixel);
    }

    /// <inheritdoc/>
    public void ReadImages(int start, int count, Span<float> destination)
    {
        ParticleSource.CheckRange(this, start, count, destination);
        int length = Box * Box;
        for (int i = 0; i < count; i++)
        {
            var r = records[start + i];
            var image = r.Image!.Value;
            var path = resolver.Resolve(image.StackPath, r.StarLine);
            var reader = stacks.Open(path);
            if (image.Index > reader.SectionCount)
            {
                throw new InvalidFileException(StarPath, $"image {image} is missing: {path} has {reader.SectionCount} images", r.StarLine);
            }

            if (reader.SectionShape.Nx != Box || reader.SectionShape.Ny != Box)
            {
                throw new InvalidFileException(StarPath, $"image {image} is {reader.SectionShape}, but the first particle's is {Box} × {Box}", r.StarLine);
            }

            reader.ReadSectionsInto(image.Index - 1, 1, destination.Slice(i * length, length));
        }
    }

    /// <summary>Closes the stacks.</summary>
    public void Dispose() => stacks.Dispose();

    /// <summary>
    /// The one pixel size of all particles. Groups of different pixel sizes are refused: one map cannot take them
    /// without rescaling the images first, and silently using one group's size would give a wrong map.
    /// </summary>
    private static double CommonPixelSize(ParticleRecord[] records, string starPath)
    {
        var first = records[0].Optics;
        if (!(first.PixelSizeA > 0) || double.IsInfinity(first.PixelSizeA))
        {
            throw new InvalidFileException(starPath, $"optics group {first.Number} has no usable pixel size ({first.PixelSizeA.ToString(CultureInfo.InvariantCulture)} Å) and neither does the image header: give --pixel-size");
        }

        foreach (var r in records)
        {
            if (r.Optics.PixelSizeA != first.PixelSizeA)
            {
                throw new InvalidFileException(starPath, string.Create(CultureInfo.InvariantCulture,
                    $"optics groups {first.Number} ({first.PixelSizeA} Å) and {r.Optics.Number} ({r.Optics.PixelSizeA} Å) have different pixel sizes; process each group separately (or rescale the images to one pixel size), or give --pixel-size if the file is wrong"),
                    r.StarLine);
            }
        }

        return first.PixelSizeA;
    }
}
