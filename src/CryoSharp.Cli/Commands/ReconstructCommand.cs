using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using CryoSharp.Imaging;
using CryoSharp.IO;
using CryoSharp.IO.Star;
using CryoSharp.Numerics;
using CryoSharp.Particles;
using CryoSharp.Reconstruction;
using CryoSharp.Reports;

namespace CryoSharp.Cli.Commands;

/// <summary><c>cryosharp reconstruct</c>: a map from particles with known poses, with the gold-standard FSC.</summary>
public static class ReconstructCommand
{
    /// <summary>What a reconstruction produced.</summary>
    public sealed record ReconstructResult(string Map, string Half1, string Half2, string FscCsv, string FscPlot, string Report,
        int Particles, int Half1Count, int Half2Count, int Box, double PixelSize, double Resolution0143, double Resolution05, double Seconds,
        ReconstructionTimings Timings);

    /// <summary>Builds the command.</summary>
    public static Command Create(GlobalOptions globals, CliConsole console)
    {
        ArgumentNullException.ThrowIfNull(globals);
        var particles = new Option<string>("--particles", "-i") { Description = "RELION STAR file of particles with angles, origins and (for --ctf) CTF parameters.", Required = true };
        var output = new Option<string>("--out", "-o") { Description = "Output folder (created if needed).", Required = true };
        var ctf = new Option<bool>("--ctf") { Description = "Correct for each particle's CTF (Wiener: Σ CX / (Σ C² + 1/SSNR))." };
        var regularisation = new Option<string>("--regularisation")
        {
            Description = "Wiener term of the division: a constant 1/SSNR ≥ 0 (0: plain division, as relion_reconstruct), or 'auto': per-shell 1/SSNR " +
                "from the half-map FSC (as RELION's refinement tau²), which suppresses noise beyond the resolution but there lowers the map's FSC against the truth.",
            DefaultValueFactory = _ => "0",
        };
        var mask = new Option<string?>("--mask") { Description = "A soft mask (MRC, same box) for the FSC (phase-randomisation corrected) and the maps." };
        var dataRoot = new Option<string?>("--data-root") { Description = "Folder relative image paths are resolved from (the RELION project folder); tried before the current folder and the STAR file's." };
        var json = CommandOptions.Json();
        var command = new Command("reconstruct", "Reconstruct a map from particles with known orientations (direct Fourier inversion, 2× padding, Wiener-regularised), as two half maps (rlnRandomSubset, or a seeded split) and their sum. Writes DIR/map.mrc, half1.mrc, half2.mrc, fsc.csv, fsc.svg and report.html.")
        {
            particles, output, ctf, regularisation, mask, dataRoot, json,
        };
        command.SetAction(parse =>
        {
            var text = parse.GetValue(regularisation)!;
            double? k = text.Equals("auto", StringComparison.OrdinalIgnoreCase) ? null
                : double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) ? value
                : throw new InvalidParameterException("--regularisation", text, "must be 'auto' or a number ≥ 0 (1/SSNR)");
            Volume? maskVolume = parse.GetValue(mask) is { } maskPath ? MrcReader.ReadVolume(maskPath) : null;
            var options = new ReconstructionOptions
            {
                Ctf = parse.GetValue(ctf),
                Regularisation = k,
                Mask = maskVolume,
                Seed = parse.GetValue(globals.Seed),
                Context = globals.Context(parse),
            };
            var result = Run(parse.GetValue(particles)!, parse.GetValue(dataRoot), parse.GetValue(output)!, options, console);
            if (parse.GetValue(json))
            {
                JsonOutput.Write(console.Out, result);
            }
            else
            {
                console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{result.Particles} particles ({result.Half1Count} + {result.Half2Count}): gold-standard resolution {result.Resolution0143:0.00} Å (FSC 0.143) in {result.Seconds:0.0} s"));
                console.Out.WriteLine($"  {result.Map}\n  {result.Report}");
            }

            return CryoSharpApp.Success;
        });
        return command;
    }

    /// <summary>Reconstructs and writes every output.</summary>
    public static ReconstructResult Run(string starPath, string? dataRoot, string directory, ReconstructionOptions options, CliConsole console)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(console);
        var clock = Stopwatch.StartNew();
        var reconstruction = new ParticleReconstruction(options);
        var table = ParticleTable.Load(starPath);
        if (!table.Columns.HasFlag(ParticleColumns.Angles) || !table.Columns.HasFlag(ParticleColumns.Image))
        {
            throw new InvalidFileException(starPath, "needs _rlnImageName and _rlnAngleRot/_rlnAngleTilt/_rlnAnglePsi columns");
        }

        if (options.Ctf && !table.Columns.HasFlag(ParticleColumns.Defocus))
        {
            throw new InvalidFileException(starPath, "--ctf needs _rlnDefocusU/_rlnDefocusV/_rlnDefocusAngle columns");
        }

        using var source = StarParticleSource.Open(table, starPath, dataRoot);
        console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"reconstruct: {table.Count} particles from {starPath}, CTF {(options.Ctf ? "on" : "off")}, regularisation {(options.Regularisation is double k ? k.ToString(CultureInfo.InvariantCulture) : "auto")}, " +
            $"mask {(options.Mask is null ? "none" : "yes")}, threads {options.Context.Threads}"));
        ReconstructionResult result = null!;
        ProgressDisplay.Run(console, "Reconstructing", table.Count, progress => result = reconstruction.Run(source, progress));
        Directory.CreateDirectory(directory);
        string Out(string name) => Path.Combine(directory, name);
        MrcWriter.Write(Out("map.mrc"), result.Map);
        MrcWriter.Write(Out("half1.mrc"), result.Half1);
        MrcWriter.Write(Out("half2.mrc"), result.Half2);
        var curve = result.HalfMapFsc;
        var csv = new StringBuilder("shell,frequency_per_A,resolution_A,fsc\n");
        for (int s = 0; s < curve.Values.Length; s++)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{s},{curve.Frequency(s):G6},{(s == 0 ? double.PositiveInfinity : 1 / curve.Frequency(s)):G6},{curve.Values[s]:G6}\n");
        }

        AtomicFile.WriteAllText(Out("fsc.csv"), csv.ToString());
        string svg = FscCommand.Plot(curve, options.Mask is null ? "half maps" : "half maps, masked (corrected)").Render();
        AtomicFile.WriteAllText(Out("fsc.svg"), svg);
        var slices = new Montage { Columns = 3 };
        foreach (var (name, v) in new[] { ("map", result.Map), ("half 1", result.Half1), ("half 2", result.Half2) })
        {
            slices.Add(v.CentralSlice(2), $"{name} z");
        }

        var c = CultureInfo.InvariantCulture;
        new HtmlReport("CryoSharp reconstruction")
            .Table([
                ("particles", string.Create(c, $"{table.Count} ({result.Half1Count} in half 1, {result.Half2Count} in half 2)")),
                ("box, pixel size", string.Create(c, $"{result.Map.Nx} px, {result.Map.PixelSizeA:0.###} Å")),
                ("resolution (FSC 0.143)", string.Create(c, $"{result.Resolution0143:0.00} Å")),
                ("resolution (FSC 0.5)", string.Create(c, $"{curve.Resolution(0.5):0.00} Å")),
                ("CTF correction", options.Ctf ? "Wiener" : "none"),
                ("regularisation", options.Regularisation is double constant ? string.Create(c, $"constant 1/SSNR = {constant}") : "per shell from the half-map FSC"),
            ])
            .Heading("Gold-standard FSC")
            .Plot(svg, "FSC between the half maps; the resolution is read where it crosses 0.143.")
            .Heading("Maps")
            .Picture(PngEncoder.Encode(slices.Render()), "Central z slices of the map and the half maps.")
            .Save(Out("report.html"));
        return new ReconstructResult(Out("map.mrc"), Out("half1.mrc"), Out("half2.mrc"), Out("fsc.csv"), Out("fsc.svg"), Out("report.html"),
            table.Count, result.Half1Count, result.Half2Count, result.Map.Nx, result.Map.PixelSizeA, result.Resolution0143, curve.Resolution(0.5),
            clock.Elapsed.TotalSeconds, result.Timings);
    }
}
