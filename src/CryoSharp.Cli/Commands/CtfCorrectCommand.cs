using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using CryoSharp.Imaging;
using CryoSharp.IO;
using CryoSharp.IO.Star;
using CryoSharp.Numerics;
using CryoSharp.Particles;

namespace CryoSharp.Cli.Commands;

/// <summary><c>cryosharp ctf-correct</c>: phase-flipped or Wiener-filtered copies of particle images.</summary>
public static class CtfCorrectCommand
{
    /// <summary>What the correction produced.</summary>
    public sealed record CtfCorrectResult(string Stack, string Star, int Particles, string Mode, double WienerConstant, double Seconds);

    /// <summary>Builds the command.</summary>
    public static Command Create(GlobalOptions globals, CliConsole console)
    {
        ArgumentNullException.ThrowIfNull(globals);
        var particles = new Option<string>("--particles", "-i") { Description = "RELION STAR file of particles with CTF parameters.", Required = true };
        var mode = new Option<string>("--mode") { Description = "flip: multiply by the sign of the CTF; wiener: X·C/(C² + K).", DefaultValueFactory = _ => "flip" };
        mode.AcceptOnlyFromAmong("flip", "wiener");
        var constant = new Option<double>("--wiener-constant") { Description = "K = 1/SSNR of the Wiener filter (same for all frequencies).", DefaultValueFactory = _ => 0.1 };
        var dataRoot = new Option<string?>("--data-root") { Description = "Folder relative image paths are resolved from (the RELION project folder)." };
        var output = new Option<string>("--out", "-o") { Description = "Output folder: corrected.mrcs and corrected.star (the same particles, pointing to the new images).", Required = true };
        var json = CommandOptions.Json();
        var command = new Command("ctf-correct", "Correct particle images for their CTF: phase flipping or Wiener filtering, image by image (streamed).")
        {
            particles, mode, constant, dataRoot, output, json,
        };
        command.SetAction(parse =>
        {
            var result = Run(parse.GetValue(particles)!, parse.GetValue(mode)!, parse.GetValue(constant), parse.GetValue(dataRoot), parse.GetValue(output)!, console, globals.Context(parse));
            if (parse.GetValue(json))
            {
                JsonOutput.Write(console.Out, result);
            }
            else
            {
                console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{result.Particles} particles corrected ({result.Mode}) in {result.Seconds:0.0} s: {result.Stack}, {result.Star}"));
            }

            return CryoSharpApp.Success;
        });
        return command;
    }

    /// <summary>Corrects every particle and writes the new stack and STAR file.</summary>
    public static CtfCorrectResult Run(string starPath, string mode, double wienerConstant, string? dataRoot, string directory, CliConsole console, ComputeContext context)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(context);
        var clock = Stopwatch.StartNew();
        if (mode == "wiener" && !(wienerConstant > 0))
        {
            throw new InvalidParameterException("--wiener-constant", wienerConstant, "must be positive");
        }

        var table = ParticleTable.Load(starPath);
        if (!table.Columns.HasFlag(ParticleColumns.Defocus) || !table.Columns.HasFlag(ParticleColumns.Image))
        {
            throw new InvalidFileException(starPath, "ctf-correct needs _rlnImageName and _rlnDefocusU/_rlnDefocusV/_rlnDefocusAngle columns");
        }

        using var source = StarParticleSource.Open(table, starPath, dataRoot);
        var correction = mode == "flip" ? CtfCorrection.Flip : CtfCorrection.Wiener;
        var corrected = new CtfCorrectedParticleSource(source, correction, wienerConstant, context);
        Directory.CreateDirectory(directory);
        string stackPath = Path.Combine(directory, "corrected.mrcs");
        ParticleRecord[] written = null!;
        ProgressDisplay.Run(console, "Correcting", table.Count, progress => written = ParticleStackWriter.Write(corrected, stackPath, "corrected.mrcs", progress));

        // Flipped images are marked as such (rlnCtfDataArePhaseFlipped), so that a reconstruction applies |CTF| and
        // not the CTF again; Wiener-filtered ones lose their CTF columns, since the CTF has been divided out.
        table = ParticleRecords.ToTable(written, ParticleColumns.Image, table);
        if (correction == CtfCorrection.Wiener)
        {
            table.Columns &= ~(ParticleColumns.Defocus | ParticleColumns.PhaseShift | ParticleColumns.CtfEnvelope);
        }

        string star = Path.Combine(directory, "corrected.star");
        table.Save(star);
        return new CtfCorrectResult(stackPath, star, table.Count, mode, wienerConstant, clock.Elapsed.TotalSeconds);
    }
}
