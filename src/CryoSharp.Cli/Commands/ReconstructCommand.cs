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
        ReconstructionTimings Timings, IReadOnlyList<string> Warnings)
    {
        /// <summary>The resolution as people read it ("beyond Nyquist" when the FSC never falls below 0.143).</summary>
        public required string Resolution0143Text { get; init; }
    }

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
        var pixel = SharedOptions.PixelSize("of every particle, replacing the STAR file's (for files that have none or a wrong one)");
        var maxres = new Option<double?>("--maxres") { Description = "Use only frequencies up to 1/this (Å), as relion_reconstruct --maxres; the map has nothing beyond it." };
        var subset = new Option<int?>("--subset") { Description = "Reconstruct only the particles of half set 1 or 2 (rlnRandomSubset), as relion_reconstruct --subset; they are split again into two halves for the FSC." };
        var symmetry = new Option<string>("--symmetry", "--sym") { Description = "Point group of the particle by RELION's name (C1, Cn, Dn, T, O, I), imposed on the half maps as relion_reconstruct --sym.", DefaultValueFactory = _ => "C1" };
        var json = SharedOptions.Json();
        var command = new Command("reconstruct", "Reconstruct a map from particles with known orientations (direct Fourier inversion, 2× padding, Wiener-regularised), as two half maps (rlnRandomSubset, or a seeded split) and their sum.")
        {
            particles, output, ctf, regularisation, mask, dataRoot, pixel, subset, maxres, symmetry, json,
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
                MaxResolutionA = parse.GetValue(maxres),
                Symmetry = Geometry.SymmetryGroup.Parse(parse.GetValue(symmetry)!),
            };
            var result = Run(parse.GetValue(particles)!, parse.GetValue(dataRoot), parse.GetValue(output)!, options, console, parse.GetValue(pixel), parse.GetValue(subset),
                parse.GetValue(mask));
            return CommandOutput.Emit(console, parse.GetValue(json), result, (o, r) =>
            {
                o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{r.Particles} particles ({r.Half1Count} + {r.Half2Count}): gold-standard resolution {r.Resolution0143Text} (FSC 0.143) in {r.Seconds:0.0} s"));
                o.WriteLine($"  {r.Map}\n  {r.Report}");
            });
        });
        return command;
    }

    /// <summary>Reconstructs and writes every output.</summary>
    public static ReconstructResult Run(string starPath, string? dataRoot, string directory, ReconstructionOptions options, CliConsole console,
        double? pixelSizeA = null, int? subset = null, string? maskPath = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(console);
        var clock = Stopwatch.StartNew();
        var reconstruction = new ParticleReconstruction(options);
        var table = ParticleTable.Load(starPath, options.Context.Communicator);
        OutputSafety.RefuseOverwritingInputs([(starPath, "--particles"), (maskPath, "--mask"), .. OutputSafety.StacksOf(table, starPath, dataRoot, "--particles")],
            ReconstructionOutputs.Names.Select(name => (Path.Combine(directory, name), "--out")));
        if (!table.Columns.HasFlag(ParticleColumns.Angles) || !table.Columns.HasFlag(ParticleColumns.Image))
        {
            throw new InvalidFileException(starPath, "needs _rlnImageName and _rlnAngleRot/_rlnAngleTilt/_rlnAnglePsi columns");
        }

        if (options.Ctf && !table.Columns.HasFlag(ParticleColumns.Defocus))
        {
            throw new InvalidFileException(starPath, "--ctf needs _rlnDefocusU/_rlnDefocusV/_rlnDefocusAngle columns");
        }

        if (subset is int half)
        {
            if (half is not (1 or 2))
            {
                throw new InvalidParameterException("--subset", half, "must be 1 or 2");
            }

            int before = table.Count;
            table.Particles.RemoveAll(p => p.RandomSubset != half);
            if (table.Count == 0)
            {
                throw new InvalidFileException(starPath, $"has no particles in half set {half} (of {before}; rlnRandomSubset)");
            }

            // The chosen half is split again (seeded) for its own FSC.
            foreach (var p in table.Particles)
            {
                p.RandomSubset = 0;
            }
        }

        using var source = StarParticleSource.Open(table, starPath, dataRoot, pixelSizeA);
        if (options.Mask is { } maskVolume && (maskVolume.Nx != source.Box || maskVolume.Shape != Numerics.GridShape.Cube(source.Box)))
        {
            throw new InvalidFileException(maskPath ?? "--mask", $"the mask is {maskVolume.Shape}, but the particles make {source.Box}³ maps: give a mask of the same box");
        }

        // Under MPI every rank reconstructs its share and holds the summed maps; rank 0 alone writes them.
        bool writes = options.Context.Communicator.IsRoot;
        using var set = writes ? OutputSet.Begin(directory) : null;
        console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"reconstruct: {source.Count} particles of {source.Box} px at {source.PixelSizeA:0.###} Å from {starPath}"));
        ReconstructionResult result = null!;
        ProgressDisplay.Run(console, "Reconstructing", table.Count, progress => result = reconstruction.Run(source, progress));
        foreach (var warning in result.Warnings)
        {
            console.Error.WriteLine($"cryosharp: warning: {warning}");
        }

        var curve = result.HalfMapFsc;
        if (set is null)
        {
            return new ReconstructResult("", "", "", "", "", "", table.Count, result.Half1Count, result.Half2Count, result.Map.Nx, result.Map.PixelSizeA,
                result.Resolution0143, curve.Resolution(0.5), clock.Elapsed.TotalSeconds, result.Timings, result.Warnings)
            { Resolution0143Text = curve.DescribeResolution(0.143) };
        }

        var files = ReconstructionOutputs.Write(result, options, set, [.. source.Records.Select(r => r.Pose.Angles)]);
        set.Commit();
        return new ReconstructResult(files.Map, files.Half1, files.Half2, files.FscCsv, files.FscPlot, files.Report,
            table.Count, result.Half1Count, result.Half2Count, result.Map.Nx, result.Map.PixelSizeA, result.Resolution0143, curve.Resolution(0.5),
            clock.Elapsed.TotalSeconds, result.Timings, result.Warnings)
        { Resolution0143Text = curve.DescribeResolution(0.143) };
    }
}
