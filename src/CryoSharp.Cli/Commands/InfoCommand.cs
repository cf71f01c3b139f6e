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
            object facts = FileFacts.IsStar(path) ? FileFacts.DescribeStar(path)
                : ProgressDisplay.Run(console, $"Reading {Path.GetFileName(path)}", SectionCount(path), progress => FileFacts.DescribeMrc(path, progress));
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

    private static long SectionCount(string path)
    {
        using var reader = new MrcReader(path);
        return reader.SectionCount;
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

                foreach (var warning in s.Warnings)
                {
                    output.WriteLine($"  WARNING      {warning}");
                }

                break;
        }
    }
}
