using System.Runtime.InteropServices;
using CryoSharp.Numerics;

namespace CryoSharp.IO;

/// <summary>
/// Writes an MRC file (mode 2) section by section: a placeholder header, then the data in chunks as they are
/// produced, then on <see cref="Complete"/> the final header with the section count and density statistics, and
/// the rename from the temporary name. Memory use is independent of the number of sections.
/// </summary>
public sealed class MrcStackWriter : IDisposable
{
    private readonly AtomicFile file;
    private SampleStatistics.Accumulator statistics;
    private bool completed;
    private long pendingSamples;

    /// <summary>Starts writing <paramref name="path"/>.</summary>
    /// <param name="path">Destination (.mrc or .mrcs).</param>
    /// <param name="sectionShape">Shape of one section (an image).</param>
    /// <param name="pixelSizeA">Pixel size in Å, written as cell / sampling.</param>
    /// <param name="kind">Stack (space group 0) or volume (space group 1).</param>
    public MrcStackWriter(string path, GridShape sectionShape, double pixelSizeA, MrcFileKind kind = MrcFileKind.Stack)
    {
        if (sectionShape.Rank > 2)
        {
            throw new ArgumentException("A section is a 2D image.", nameof(sectionShape));
        }

        InvalidParameterException.ThrowIfNotPositive("pixel size (Å)", pixelSizeA);

        SectionShape = sectionShape;
        PixelSizeA = pixelSizeA;
        Kind = kind;
        file = new AtomicFile(path);
        file.Stream.Write(new byte[MrcHeader.Size]);
    }

    /// <summary>Shape of one section.</summary>
    public GridShape SectionShape { get; }

    /// <summary>Pixel size in Å.</summary>
    public double PixelSizeA { get; }

    /// <summary>Stack or volume.</summary>
    public MrcFileKind Kind { get; }

    /// <summary>Sections written so far.</summary>
    public int SectionCount { get; private set; }

    /// <summary>Appends whole sections (a multiple of the section size).</summary>
    public void Append(ReadOnlySpan<float> sections)
    {
        ObjectDisposedException.ThrowIf(completed, this);
        if (pendingSamples != 0)
        {
            throw new InvalidOperationException("Whole sections cannot follow a partial one.");
        }

        if (sections.Length % SectionShape.Length != 0)
        {
            throw new ArgumentException($"{sections.Length} samples are not whole {SectionShape} sections.");
        }

        // Section by section, so the header's statistics do not depend on how the data was chunked.
        for (int offset = 0; offset < sections.Length; offset += SectionShape.Length)
        {
            statistics.Add(sections.Slice(offset, SectionShape.Length));
        }

        try
        {
            file.Stream.Write(MemoryMarshal.AsBytes(sections));
        }
        catch (IOException e)
        {
            throw new CryoSharpException($"{file.FinalPath}: {FileSystemError.Writing(e, file.FinalPath)}", e);
        }

        SectionCount += sections.Length / SectionShape.Length;
    }

    /// <summary>
    /// Appends whole rows, which may end part-way through a section: a section as large as a micrograph can be
    /// written band by band. The header's statistics are accumulated per call, so they depend on the banding in
    /// their last bits only.
    /// </summary>
    public void AppendRows(ReadOnlySpan<float> rows)
    {
        ObjectDisposedException.ThrowIf(completed, this);
        if (rows.Length % SectionShape.Nx != 0)
        {
            throw new ArgumentException($"{rows.Length} samples are not whole rows of {SectionShape.Nx}.");
        }

        statistics.Add(rows);
        try
        {
            file.Stream.Write(MemoryMarshal.AsBytes(rows));
        }
        catch (IOException e)
        {
            throw new CryoSharpException($"{file.FinalPath}: {FileSystemError.Writing(e, file.FinalPath)}", e);
        }

        pendingSamples += rows.Length;
        SectionCount += (int)(pendingSamples / SectionShape.Length);
        pendingSamples %= SectionShape.Length;
    }

    /// <summary>Writes the final header and moves the file into place.</summary>
    public void Complete()
    {
        ObjectDisposedException.ThrowIf(completed, this);
        if (pendingSamples != 0)
        {
            throw new InvalidOperationException($"The last section is incomplete ({pendingSamples} of {SectionShape.Length} samples).");
        }

        if (SectionCount == 0)
        {
            throw new InvalidOperationException("An MRC file needs at least one section.");
        }

        var stats = statistics.Result;

        // A stack's sections are separate images, so its z sampling is one section (as RELION writes it).
        int mz = Kind == MrcFileKind.Stack ? 1 : SectionCount;
        var header = new MrcHeader
        {
            Nx = SectionShape.Nx,
            Ny = SectionShape.Ny,
            Nz = SectionCount,
            Mode = (int)MrcMode.Float32,
            Sampling = (SectionShape.Nx, SectionShape.Ny, mz),
            CellA = ((float)(PixelSizeA * SectionShape.Nx), (float)(PixelSizeA * SectionShape.Ny), (float)(PixelSizeA * mz)),
            DMin = (float)stats.Min,
            DMax = (float)stats.Max,
            DMean = (float)stats.Mean,
            Rms = (float)stats.StdDev,
            SpaceGroup = Kind == MrcFileKind.Volume ? 1 : 0,
        };
        header.Labels.Add("CryoSharp");
        Span<byte> bytes = stackalloc byte[MrcHeader.Size];
        header.WriteTo(bytes);
        file.Stream.Position = 0;
        file.Stream.Write(bytes);
        file.Commit();
        completed = true;
    }

    /// <summary>Abandons the file unless <see cref="Complete"/> was called.</summary>
    public void Dispose()
    {
        completed = true;
        file.Dispose();
    }
}
