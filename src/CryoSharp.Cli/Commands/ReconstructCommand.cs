using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using CryoSharp.Cli.Options;
using CryoSharp.Imaging;
using CryoSharp.IO;
using CryoSharp.IO.Star;
using CryoSharp.Particles;
using CryoSharp.Reconstruction;

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
        var particles = SharedOptions.Particles("with angles, origins and (for --ctf) CTF parameters");
        var output = SharedOptions.OutputFolder("map.mrc, half1.mrc, half2.mrc, fsc.csv, fsc.svg and report.html");
        var ctf = SharedOptions.CorrectCtf();
        var regularisation = SharedOptions.Regularisation();
        var mask = SharedOptions.Mask("the FSC and the maps");
        var dataRoot = SharedOptions.DataRoot();
        var json = SharedOptions.Json();
        var command = new Command("reconstruct", "Reconstruct a map from particles with known orientations (direct Fourier inversion, 2× padding, Wiener-regularised), as two half maps (rlnRandomSubset, or a seeded split) and their sum.")
        {
            particles, output, ctf, regularisation, mask, dataRoot, json,
        };
        command.SetAction(parse =>
        {
            Volume? maskVolume = parse.GetValue(mask) is { } maskPath ? MrcReader.ReadVolume(maskPath) : null;
            var options = new ReconstructionOptions
            {
                Ctf = parse.GetValue(ctf),
                Regularisation = SharedOptions.RegularisationValue(parse, regularisation),
                Mask = maskVolume,
                Seeds = globals.Seeds(parse),
                Context = globals.Context(parse),
            };
            var result = Run(parse.GetValue(particles)!, parse.GetValue(dataRoot), parse.GetValue(output)!, options, console);
            return CommandOutput.Emit(console, parse.GetValue(json), result, (o, r) =>
            {
                o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{r.Particles} particles ({r.Half1Count} + {r.Half2Count}): gold-standard resolution {r.Resolution0143:0.00} Å (FSC 0.143) in {r.Seconds:0.0} s"));
                o.WriteLine($"  {r.Map}\n  {r.Report}");
            });
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
            $"reconstruct: {source.Count} particles of {source.Box} px at {source.PixelSizeA:0.###} Å from {starPath}"));
        ReconstructionResult result = null!;
        ProgressDisplay.Run(console, "Reconstructing", table.Count, progress => result = reconstruction.Run(source, progress));
        var files = ReconstructionOutputs.Write(result, options, directory);
        var curve = result.HalfMapFsc;
        return new ReconstructResult(files.Map, files.Half1, files.Half2, files.FscCsv, files.FscPlot, files.Report,
            table.Count, result.Half1Count, result.Half2Count, result.Map.Nx, result.Map.PixelSizeA, result.Resolution0143, curve.Resolution(0.5),
            clock.Elapsed.TotalSeconds, result.Timings);
    }
}
