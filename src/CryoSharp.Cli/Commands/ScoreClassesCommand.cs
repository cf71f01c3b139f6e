using System.CommandLine;
using System.Globalization;
using CryoSharp.Classification;
using CryoSharp.Cli.Options;
using CryoSharp.IO;
using CryoSharp.IO.Star;

namespace CryoSharp.Cli.Commands;

/// <summary>
/// <c>cryosharp score-classes</c>: scores the 2D classes of simulated particles against their ground truth — class
/// averages against the true projections, and how well each class gathers one view — the same way for any program.
/// </summary>
public static class ScoreClassesCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create(GlobalOptions globals, CliConsole console)
    {
        ArgumentNullException.ThrowIfNull(globals);
        var classes = new Option<string>("--classes") { Description = "The class averages (MRC stack: CryoSharp's classes.mrcs or RELION's run_itNNN_classes.mrcs).", Required = true };
        var particles = new Option<string>("--particles", "-i") { Description = "The classified particles' STAR file (rlnClassNumber), in the order of --truth.", Required = true };
        var truth = new Option<string>("--truth") { Description = "STAR file with the particles' true angles (the simulation's particles.star), same particles, same order.", Required = true };
        var volume = new Option<string>("--volume") { Description = "The true map (same box and pixel size as the class averages).", Required = true };
        var diameter = new Option<double?>("--particle-diameter") { Description = "Diameter in Å of the circle the correlations are computed in [default: 90 % of the box]." };
        var json = SharedOptions.Json();
        var command = new Command("score-classes", "Score 2D class averages of simulated particles against the ground truth: correlation with the true projection at each class's mean view, and the spread of each class's true views.")
        {
            classes, particles, truth, volume, diameter, json,
        };
        command.SetAction(parse =>
        {
            string classesPath = parse.GetValue(classes)!, particlesPath = parse.GetValue(particles)!, truthPath = parse.GetValue(truth)!, volumePath = parse.GetValue(volume)!;
            var averages = MrcReader.ReadStack(classesPath);
            var map = MrcReader.ReadVolume(volumePath);
            if (map.Nx != averages.ImageShape.Nx || Math.Abs(map.PixelSizeA - averages.PixelSizeA) > 1e-3 * map.PixelSizeA)
            {
                throw new InvalidFileException(volumePath, string.Create(CultureInfo.InvariantCulture,
                    $"is {map.Nx} px at {map.PixelSizeA:0.###} Å, the classes {averages.ImageShape.Nx} px at {averages.PixelSizeA:0.###} Å: give the map at the classes' box and pixel size"));
            }

            var classified = ParticleTable.Load(particlesPath);
            if (!classified.Columns.HasFlag(ParticleColumns.ClassNumber))
            {
                throw new InvalidFileException(particlesPath, "has no _rlnClassNumber column");
            }

            var known = ParticleTable.Load(truthPath);
            if (!known.Columns.HasFlag(ParticleColumns.Angles))
            {
                throw new InvalidFileException(truthPath, "has no _rlnAngleRot/_rlnAngleTilt/_rlnAnglePsi columns");
            }

            if (known.Count != classified.Count)
            {
                throw new InvalidFileException(truthPath, $"holds {known.Count} particles, {particlesPath} {classified.Count}");
            }

            var score = ClassAverageScore.Score(
                Enumerable.Range(0, averages.Count).Select(i => averages[i].ToArray()).ToList(),
                classified.Particles.Select(p => p.ClassNumber).ToList(),
                known.Particles.Select(p => new Geometry.EulerAngles(p.AngleRotDeg * Math.PI / 180, p.AngleTiltDeg * Math.PI / 180, p.AnglePsiDeg * Math.PI / 180).ToMatrix()).ToList(),
                map, (parse.GetValue(diameter) ?? (0.9 * map.Nx * map.PixelSizeA)) / 2 / map.PixelSizeA, globals.Context(parse));
            return CommandOutput.Emit(console, parse.GetValue(json), score, (o, s) =>
                o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{s.Classes.Count} classes: correlation with the true projections {s.MeanCorrelation:0.000} (weighted by size {s.WeightedCorrelation:0.000}), view coherence {s.ViewCoherenceDeg:0.0}°")));
        });
        return command;
    }
}
