using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using CryoSharp.Cli.Options;
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
        var particles = SharedOptions.Particles("with CTF parameters");
        var mode = SharedOptions.CtfCorrectionMode();
        var constant = SharedOptions.WienerConstant();
        var dataRoot = SharedOptions.DataRoot();
        var output = SharedOptions.OutputFolder("corrected.mrcs and corrected.star (the same particles, pointing to the new images)");
        var json = SharedOptions.Json();
        var command = new Command("ctf-correct", "Correct particle images for their CTF: phase flipping or Wiener filtering, image by image (streamed).")
        {
            particles, mode, constant, dataRoot, output, json,
        };
        command.SetAction(parse =>
        {
            var result = Run(parse.GetValue(particles)!, parse.GetValue(mode), parse.GetValue(constant), parse.GetValue(dataRoot), parse.GetValue(output)!,
                console, globals.Context(parse));
            return CommandOutput.Emit(console, parse.GetValue(json), result, (o, r) =>
                o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{r.Particles} particles corrected ({r.Mode}) in {r.Seconds:0.0} s: {r.Stack}, {r.Star}")));
        });
        return command;
    }

    /// <summary>Corrects every particle and writes the new stack and STAR file.</summary>
    public static CtfCorrectResult Run(string starPath, CtfCorrection mode, double wienerConstant, string? dataRoot, string directory, CliConsole console, ComputeContext context)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(context);
        var clock = Stopwatch.StartNew();
        if (mode == CtfCorrection.Wiener && !(wienerConstant > 0))
        {
            throw new InvalidParameterException("--wiener-constant", wienerConstant, "must be positive");
        }

        var table = ParticleTable.Load(starPath);
        if (!table.Columns.HasFlag(ParticleColumns.Defocus) || !table.Columns.HasFlag(ParticleColumns.Image))
        {
            throw new InvalidFileException(starPath, "ctf-correct needs _rlnImageName and _rlnDefocusU/_rlnDefocusV/_rlnDefocusAngle columns");
        }

        string stack = Path.Combine(directory, "corrected.mrcs"), star = Path.Combine(directory, "corrected.star");
        OutputSafety.RefuseOverwritingInputs([(starPath, "--particles"), .. OutputSafety.StacksOf(table, starPath, dataRoot, "--particles")],
            [(stack, "--out"), (star, "--out")]);
        using var source = StarParticleSource.Open(table, starPath, dataRoot);
        var corrected = new CtfCorrectedParticleSource(source, mode, wienerConstant, context);
        using var set = OutputSet.Begin(directory);

        // Flipped images are marked as such (rlnCtfDataArePhaseFlipped), so that a reconstruction applies |CTF| and
        // not the CTF again; Wiener-filtered ones lose their CTF columns, since the CTF has been divided out.
        var drop = mode == CtfCorrection.Wiener ? ParticleColumns.Defocus | ParticleColumns.PhaseShift | ParticleColumns.CtfEnvelope : ParticleColumns.None;
        ProgressDisplay.Run(console, "Correcting", table.Count, progress =>
            ParticleSet.Save(corrected, set.Stage("corrected.mrcs"), set.Stage("corrected.star"), ParticleColumns.None, table,
                ParticleSet.ProjectRelativePath(stack), progress, drop: drop));
        set.Commit();
        return new CtfCorrectResult(stack, star, table.Count, ChoiceOption.NameOf(SharedOptions.CtfCorrectionChoices, mode), wienerConstant, clock.Elapsed.TotalSeconds);
    }
}
