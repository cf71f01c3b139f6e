using CryoSharp.IO.Star;
using CryoSharp.Numerics;

namespace CryoSharp.IO;

/// <summary>Facts about an MRC file.</summary>
/// <param name="Path">The file.</param>
/// <param name="Format">"mrc".</param>
/// <param name="Kind">stack, image or volume.</param>
/// <param name="Nx">Columns.</param>
/// <param name="Ny">Rows.</param>
/// <param name="Nz">Sections.</param>
/// <param name="Mode">The MRC mode number.</param>
/// <param name="ModeName">The mode's name.</param>
/// <param name="PixelSize">Pixel size in Å (0 when the header has none).</param>
/// <param name="Min">Smallest finite sample.</param>
/// <param name="Max">Largest finite sample.</param>
/// <param name="Mean">Mean of the finite samples.</param>
/// <param name="Std">Their standard deviation.</param>
/// <param name="NonFinite">NaN and infinite samples.</param>
/// <param name="BigEndian">The file is big-endian.</param>
/// <param name="ExtendedHeaderBytes">Size of the extended header.</param>
/// <param name="Labels">The header's text labels.</param>
public sealed record MrcFacts(
    string Path, string Format, string Kind, int Nx, int Ny, int Nz, int Mode, string ModeName, double PixelSize,
    double Min, double Max, double Mean, double Std, long NonFinite, bool BigEndian, int ExtendedHeaderBytes,
    IReadOnlyList<string> Labels);

/// <summary>Facts about one STAR block.</summary>
/// <param name="Name">Block name (after data_).</param>
/// <param name="Rows">Loop rows.</param>
/// <param name="Columns">Loop columns.</param>
/// <param name="Pairs">Key–value pairs outside loops.</param>
public sealed record StarBlockFacts(string Name, int Rows, int Columns, int Pairs);

/// <summary>Facts about a STAR file.</summary>
/// <param name="Path">The file.</param>
/// <param name="Format">"star".</param>
/// <param name="Blocks">Its blocks.</param>
/// <param name="Particles">Particles, for a particle file.</param>
/// <param name="OpticsGroups">Optics groups, for a particle file.</param>
/// <param name="RelionVersion">3.0 or 3.1, for a particle file.</param>
public sealed record StarFacts(string Path, string Format, IReadOnlyList<StarBlockFacts> Blocks, int? Particles,
    int? OpticsGroups, string? RelionVersion)
{
    /// <summary>What would stop RELION from reading the file although CryoSharp reads it.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
}

/// <summary>What an MRC or STAR file holds, as <c>cryosharp info</c> reports it.</summary>
public static class FileFacts
{
    /// <summary>Whether <paramref name="path"/> is a STAR file (by its extension, or for unknown ones its first bytes).</summary>
    public static bool IsStar(string path)
    {
        RegularFile.Require(path);
        if (path.EndsWith(".star", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (!File.Exists(path) || path.EndsWith(".mrc", StringComparison.OrdinalIgnoreCase) ||
            path.EndsWith(".mrcs", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".map", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        // Unknown extension: a STAR file starts with text such as "data_" or a comment.
        using var stream = File.OpenRead(path);
        var head = new byte[256];
        int n = stream.Read(head);
        var text = System.Text.Encoding.ASCII.GetString(head, 0, n).TrimStart();
        return text.StartsWith("data_", StringComparison.Ordinal) || text.StartsWith('#');
    }

    /// <summary>The facts of an MRC file, its statistics streamed section by section; progress in sections read.</summary>
    public static MrcFacts DescribeMrc(string path, IProgress<long>? progress = null)
    {
        using var reader = new MrcReader(path) { RejectNonFinite = false };
        var h = reader.Header;
        var accumulator = new SampleStatistics.Accumulator();
        long nonFinite = 0;
        int chunk = Math.Max(1, (1 << 24) / reader.SectionShape.Length);
        var buffer = new float[(long)chunk * reader.SectionShape.Length];
        {
            for (int first = 0; first < reader.SectionCount; first += chunk)
            {
                int count = Math.Min(chunk, reader.SectionCount - first);
                var span = buffer.AsSpan(0, count * reader.SectionShape.Length);
                reader.ReadSectionsInto(first, count, span);
                foreach (float v in span)
                {
                    if (!float.IsFinite(v))
                    {
                        nonFinite++;
                    }
                }

                accumulator.Add(span);
                progress?.Report(first + count);
            }
        }

        var stats = accumulator.Result;
        return new MrcFacts(path, "mrc", reader.IsStack ? "stack" : h.Nz == 1 ? "image" : "volume", h.Nx, h.Ny, h.Nz, h.Mode,
            ((MrcMode)h.Mode).ToString().ToLowerInvariant(), reader.PixelSizeA, stats.Min, stats.Max, stats.Mean, stats.StdDev,
            nonFinite, h.BigEndian, h.ExtendedHeaderBytes, h.Labels);
    }

    /// <summary>The facts of a STAR file: its blocks and, for particles, their count, optics groups and RELION version.</summary>
    public static StarFacts DescribeStar(string path)
    {
        var document = StarDocument.Load(path);
        var blocks = document.Blocks
            .Select(b => new StarBlockFacts(b.Name, b.Loop?.RowCount ?? 0, b.Loop?.Columns.Count ?? 0, b.Pairs.Count))
            .ToList();
        bool hasParticles = document.Find("particles") is not null ||
            document.Blocks.Any(b => b.Loop?.Contains(StarLabels.ImageName.Name) == true);

        // CryoSharp reads these, but RELION refuses them: say so before the file goes to RELION.
        var warnings = new List<string>();
        using (var reader = new StreamReader(path))
        {
            var head = new char[1 << 16];
            int n = reader.ReadBlock(head, 0, head.Length);
            if (head.AsSpan(0, n).IndexOf("\r\n".AsSpan()) >= 0)
            {
                warnings.Add("the file has Windows line endings (CRLF), which RELION does not read");
            }
        }

        if (document.Blocks.Any(b => b.Name.Length == 0))
        {
            warnings.Add("a data_ block has no name, which RELION does not read");
        }

        if (!hasParticles)
        {
            return new StarFacts(path, "star", blocks, null, null, null) { Warnings = warnings };
        }

        var table = ParticleTable.FromDocument(document);
        return new StarFacts(path, "star", blocks, table.Count, table.OpticsGroups.Count, table.FromRelion30 ? "3.0" : "3.1") { Warnings = warnings };
    }
}
