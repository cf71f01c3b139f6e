using System.CommandLine;
using System.Globalization;
using CryoSharp.IO;
using CryoSharp.IO.Star;
using CryoSharp.Numerics;

namespace CryoSharp.Cli.Commands;

/// <summary><c>cryosharp info FILE</c>: what an MRC or STAR file holds.</summary>
public static class InfoCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create(CliConsole console)
    {
        var file = new Argument<string>("FILE") { Description = "An MRC map or stack (.mrc, .mrcs, .map) or a RELION STAR file (.star)." };
        var json = Options.SharedOptions.Json();
        var command = new Command("info", "Describe an MRC file (shape, mode, pixel size in Å, min/max/mean/std) or a STAR file (blocks, rows, columns, particles, optics groups).")
        {
            file,
            json,
        };
        command.SetAction(parse =>
        {
            string path = parse.GetValue(file)!;
            bool asJson = parse.GetValue(json);
            object facts = IsStar(path) ? DescribeStar(path) : DescribeMrc(path, console);
            if (asJson)
            {
                JsonOutput.Write(console.Out, facts);
            }
            else
            {
                PrintText(console.Out, facts);
            }

            return CryoSharpApp.Success;
        });
        return command;
    }

    /// <summary>Facts about an MRC file.</summary>
    public sealed record MrcFacts(
        string Path, string Format, string Kind, int Nx, int Ny, int Nz, int Mode, string ModeName, double PixelSize,
        double Min, double Max, double Mean, double Std, long NonFinite, bool BigEndian, int ExtendedHeaderBytes,
        IReadOnlyList<string> Labels);

    /// <summary>Facts about one STAR block.</summary>
    public sealed record StarBlockFacts(string Name, int Rows, int Columns, int Pairs);

    /// <summary>Facts about a STAR file.</summary>
    public sealed record StarFacts(string Path, string Format, IReadOnlyList<StarBlockFacts> Blocks, int? Particles,
        int? OpticsGroups, string? RelionVersion);

    private static bool IsStar(string path)
    {
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

    private static MrcFacts DescribeMrc(string path, CliConsole console)
    {
        using var reader = new MrcReader(path) { RejectNonFinite = false };
        var h = reader.Header;
        var accumulator = new SampleStatistics.Accumulator();
        long nonFinite = 0;
        int chunk = Math.Max(1, (1 << 24) / reader.SectionShape.Length);
        var buffer = new float[(long)chunk * reader.SectionShape.Length];
        ProgressDisplay.Run(console, $"Reading {Path.GetFileName(path)}", reader.SectionCount, progress =>
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
                progress.Report(first + count);
            }
        });
        var stats = accumulator.Result;
        return new MrcFacts(path, "mrc", reader.IsStack ? "stack" : h.Nz == 1 ? "image" : "volume", h.Nx, h.Ny, h.Nz, h.Mode,
            ((MrcMode)h.Mode).ToString().ToLowerInvariant(), reader.PixelSizeA, stats.Min, stats.Max, stats.Mean, stats.StdDev,
            nonFinite, h.BigEndian, h.ExtendedHeaderBytes, h.Labels);
    }

    private static StarFacts DescribeStar(string path)
    {
        var document = StarDocument.Load(path);
        var blocks = document.Blocks
            .Select(b => new StarBlockFacts(b.Name, b.Loop?.RowCount ?? 0, b.Loop?.Columns.Count ?? 0, b.Pairs.Count))
            .ToList();
        bool hasParticles = document.Find("particles") is not null ||
            document.Blocks.Any(b => b.Loop?.Contains(StarLabels.ImageName.Name) == true);
        if (!hasParticles)
        {
            return new StarFacts(path, "star", blocks, null, null, null);
        }

        var table = ParticleTable.FromDocument(document);
        return new StarFacts(path, "star", blocks, table.Count, table.OpticsGroups.Count, table.FromRelion30 ? "3.0" : "3.1");
    }

    private static void PrintText(TextWriter output, object facts)
    {
        var c = CultureInfo.InvariantCulture;
        switch (facts)
        {
            case MrcFacts m:
                output.WriteLine($"{m.Path}: MRC {m.Kind}");
                output.WriteLine(string.Create(c, $"  shape        {m.Nx} × {m.Ny} × {m.Nz}"));
                output.WriteLine(string.Create(c, $"  mode         {m.Mode} ({m.ModeName}){(m.BigEndian ? ", big-endian" : "")}"));
                output.WriteLine(m.PixelSize > 0 ? string.Create(c, $"  pixel size   {m.PixelSize:0.####} Å") : "  pixel size   not set in the header");
                output.WriteLine(string.Create(c, $"  min / max    {m.Min:G6} / {m.Max:G6}"));
                output.WriteLine(string.Create(c, $"  mean / std   {m.Mean:G6} / {m.Std:G6}"));
                if (m.NonFinite > 0)
                {
                    output.WriteLine(string.Create(c, $"  WARNING      {m.NonFinite} NaN or infinite samples"));
                }

                if (m.ExtendedHeaderBytes > 0)
                {
                    output.WriteLine(string.Create(c, $"  ext. header  {m.ExtendedHeaderBytes} bytes"));
                }

                foreach (var label in m.Labels)
                {
                    output.WriteLine($"  label        {label}");
                }

                break;
            case StarFacts s:
                output.WriteLine($"{s.Path}: STAR file{(s.RelionVersion is null ? "" : $" (RELION {s.RelionVersion})")}");
                foreach (var b in s.Blocks)
                {
                    output.WriteLine(string.Create(c, $"  data_{b.Name,-14} {b.Rows,9} rows  {b.Columns,3} columns{(b.Pairs > 0 ? $"  {b.Pairs} pairs" : "")}"));
                }

                if (s.Particles is int p)
                {
                    output.WriteLine(string.Create(c, $"  particles    {p}"));
                    output.WriteLine(string.Create(c, $"  optics groups {s.OpticsGroups}"));
                }

                break;
        }
    }
}
