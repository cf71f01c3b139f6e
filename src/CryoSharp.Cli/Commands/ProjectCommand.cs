using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using CryoSharp.Cli.Options;
using CryoSharp.Imaging;
using CryoSharp.IO;
using CryoSharp.IO.Star;
using CryoSharp.Numerics;
using CryoSharp.Particles;
using CryoSharp.Projection;

namespace CryoSharp.Cli.Commands;

/// <summary><c>cryosharp project</c>: one projection per STAR row, the job of <c>relion_project --ang</c>.</summary>
public static class ProjectCommand
{
    /// <summary>What a projection run produced.</summary>
    public sealed record ProjectResult(string Stack, string Star, int Count, int Box, double PixelSize, bool Ctf, double Seconds, double ProjectionsPerSecond);

    /// <summary>Builds the command.</summary>
    public static Command Create(GlobalOptions globals, CliConsole console)
    {
        ArgumentNullException.ThrowIfNull(globals);
        var volume = SharedOptions.Volume("to project");
        volume.Required = true;
        var angles = new Option<string>("--angles") { Description = "STAR file with one row per projection: rlnAngleRot/Tilt/Psi (degrees), rlnOriginX/YAngst (Å) and, for --apply-ctf, the CTF columns.", Required = true };
        var ctf = SharedOptions.ApplyCtf("each projection");
        var pixel = SharedOptions.PixelSize("of the map, when its header has none or a wrong one");
        var output = SharedOptions.OutputFile("the stack (.mrcs); a STAR file of the same name (.star) is written beside it");
        var json = SharedOptions.Json();
        var command = new Command("project", "Project a map at the orientations (and origins, and with --apply-ctf the CTFs) of a STAR file's rows, as relion_project --ang does: Fourier-slice projection, 2× padding, trilinear interpolation.")
        {
            volume, angles, ctf, pixel, output, json,
        };
        command.SetAction(parse =>
        {
            var result = Run(parse.GetValue(volume)!, parse.GetValue(angles)!, parse.GetValue(ctf), parse.GetValue(pixel), parse.GetValue(output)!, console, globals.Context(parse));
            return CommandOutput.Emit(console, parse.GetValue(json), result, (o, r) => o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{r.Count} projections ({r.Box} px, {r.PixelSize:0.###} Å/px{(r.Ctf ? ", with CTF" : "")}) in {r.Seconds:0.00} s ({r.ProjectionsPerSecond:0} /s): {r.Stack}, {r.Star}")));
        });
        return command;
    }

    /// <summary>Projects and writes the stack and its STAR file.</summary>
    public static ProjectResult Run(string volumePath, string anglesPath, bool ctf, double? pixelSizeA, string outputPath, CliConsole console, ComputeContext context)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(context);
        var clock = Stopwatch.StartNew();
        if (Path.GetExtension(outputPath).Length == 0)
        {
            // A stack without an extension is not recognised as one by RELION or viewers.
            outputPath += ".mrcs";
        }

        var map = MrcReader.ReadVolume(volumePath, pixelSizeA);
        if (!map.Shape.IsSquareOrCubic || map.Shape.Rank != 3)
        {
            throw new InvalidFileException(volumePath, $"the volume is {map.Shape}; projection needs a cubic map");
        }

        OutputSafety.RequireFile(outputPath, "--out");
        string starPath = Path.ChangeExtension(outputPath, ".star");
        OutputSafety.RefuseOverwritingInputs([(volumePath, "--volume"), (anglesPath, "--angles")], [(outputPath, "--out"), (starPath, "--out (its STAR file)")]);
        var table = ParticleTable.Load(anglesPath);
        if (table.Count == 0)
        {
            throw new InvalidFileException(anglesPath, "has no rows: nothing to project");
        }

        if (!table.Columns.HasFlag(ParticleColumns.Angles))
        {
            throw new InvalidFileException(anglesPath, "has no _rlnAngleRot/_rlnAngleTilt/_rlnAnglePsi columns: every row needs its angles");
        }

        if (ctf && !table.Columns.HasFlag(ParticleColumns.Defocus))
        {
            throw new InvalidFileException(anglesPath, "--apply-ctf needs _rlnDefocusU/_rlnDefocusV/_rlnDefocusAngle columns");
        }

        // The projections carry the map's pixel size and box; every other column of the input is kept, the CTF
        // parameters too (as relion_project keeps them) whether or not they were applied.
        var records = ParticleRecords.FromTable(table, map.PixelSizeA, overridePixelSize: true);
        for (int i = 0; i < records.Length; i++)
        {
            records[i] = records[i] with { Ctf = ctf ? ParticleRecords.ValidatedCtf(records[i], anglesPath) : null, Optics = records[i].Optics with { ImageSize = map.Nx } };
        }

        console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"project: {table.Count} rows of {anglesPath}, map {volumePath} ({map.Nx} px, {map.PixelSizeA:0.###} Å/px)"));
        var source = new SimulatedParticleSource(new FourierProjector(map, context: context), records, 0, null, context);
        int chunk = Math.Clamp((1 << 22) / (map.Nx * map.Nx), 1, 1024);
        using var set = OutputSet.Begin(Path.GetDirectoryName(Path.GetFullPath(outputPath))!);
        ProgressDisplay.Run(console, "Projecting", table.Count, progress =>
            ParticleSet.Save(source, set.Stage(Path.GetFileName(outputPath)), set.Stage(Path.GetFileName(starPath)), ParticleColumns.None, table,
                ParticleSet.ProjectRelativePath(outputPath), progress, chunk));
        set.Commit();
        double seconds = clock.Elapsed.TotalSeconds;
        return new ProjectResult(outputPath, starPath, table.Count, map.Nx, map.PixelSizeA, ctf, seconds, table.Count / seconds);
    }
}
