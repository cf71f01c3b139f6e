using System.CommandLine;
using System.Globalization;
using CryoSharp.Cli.Options;
using CryoSharp.IO.Star;
using CryoSharp.Refinement;

namespace CryoSharp.Cli.Commands;

/// <summary>
/// <c>cryosharp score-poses</c>: how far any program's estimated particle orientations are from a simulation's true
/// ones (median and mean angle, the fractions within 5° and beyond 20°), particles matched by their image.
/// </summary>
public static class ScorePosesCommand
{
    /// <summary>The scores.</summary>
    public sealed record ScorePosesResult(string Particles, string Truth, int Count, double MedianDeg, double MeanDeg, double Within5Deg, double Beyond20Deg,
        bool Aligned, bool Reflected, double MedianOffsetErrorA);

    /// <summary>Builds the command.</summary>
    public static Command Create(CliConsole console)
    {
        var particles = new Option<string>("--particles", "-i") { Description = "The refined particles' STAR file (CryoSharp's particles.star or RELION's run_data.star).", Required = true };
        var truth = new Option<string>("--truth") { Description = "STAR file with the particles' true angles and origins (the simulation's), the same images.", Required = true };
        var align = new Option<bool>("--align") { Description = "First fit the one global rotation (and hand) that best maps the estimates onto the truth: for maps refined in their own frame (ab initio)." };
        var symmetry = new Option<string>("--symmetry", "--sym") { Description = "Point group of the map (RELION's name): each estimate is compared with the truth at its nearest equivalent.", DefaultValueFactory = _ => "C1" };
        var json = SharedOptions.Json();
        var command = new Command("score-poses", "Score estimated particle orientations against a simulation's truth: geodesic angle per particle; median, mean, fraction within 5° and beyond 20°.")
        {
            particles, truth, align, symmetry, json,
        };
        command.SetAction(parse =>
        {
            string estimatedPath = parse.GetValue(particles)!, truthPath = parse.GetValue(truth)!;
            var estimated = ParticleTable.Load(estimatedPath);
            var known = ParticleTable.Load(truthPath);
            foreach (var (table, path) in new[] { (estimated, estimatedPath), (known, truthPath) })
            {
                if (!table.Columns.HasFlag(ParticleColumns.Angles))
                {
                    throw new InvalidFileException(path, "has no _rlnAngleRot/_rlnAngleTilt/_rlnAnglePsi columns");
                }

                if (!table.Columns.HasFlag(ParticleColumns.Image))
                {
                    throw new InvalidFileException(path, "has no _rlnImageName column to match particles by");
                }
            }

            // Particles are matched by image (index and stack file name): programs may reorder them or rewrite paths.
            var byImage = new Dictionary<(int, string), Particle>();
            foreach (var p in known.Particles)
            {
                byImage[(p.Image!.Index, Path.GetFileName(p.Image.StackPath))] = p;
            }

            var trueRotations = new List<Geometry.Matrix3>();
            var estimatedRotations = new List<Geometry.Matrix3>();
            var offsetErrors = new List<double>();
            foreach (var p in estimated.Particles)
            {
                if (!byImage.TryGetValue((p.Image!.Index, Path.GetFileName(p.Image.StackPath)), out var t))
                {
                    throw new InvalidFileException(estimatedPath, $"image {p.Image.Index}@{p.Image.StackPath} is not in {truthPath}", p.SourceLine > 0 ? p.SourceLine : null);
                }

                trueRotations.Add(Geometry.EulerAngles.FromDegrees(t.AngleRotDeg, t.AngleTiltDeg, t.AnglePsiDeg).ToMatrix());
                estimatedRotations.Add(Geometry.EulerAngles.FromDegrees(p.AngleRotDeg, p.AngleTiltDeg, p.AnglePsiDeg).ToMatrix());
                double dx = p.OriginXA - t.OriginXA, dy = p.OriginYA - t.OriginYA;
                offsetErrors.Add(Math.Sqrt((dx * dx) + (dy * dy)));
            }

            var group = Geometry.SymmetryGroup.Parse(parse.GetValue(symmetry)!);
            for (int i = 0; i < estimatedRotations.Count; i++)
            {
                // The equivalent of the estimate nearest the truth: A·Rᵀ for the group element R that brings it closest.
                var best = estimatedRotations[i];
                double bestDistance = double.PositiveInfinity;
                foreach (var r in group.Elements)
                {
                    var candidate = estimatedRotations[i] * r.Transpose();
                    double d = Geometry.Rotations.Distance(trueRotations[i], candidate);
                    if (d < bestDistance)
                    {
                        bestDistance = d;
                        best = candidate;
                    }
                }

                estimatedRotations[i] = best;
            }

            bool aligned = parse.GetValue(align);
            var errors = PoseErrors.Compute(trueRotations, estimatedRotations, aligned, allowReflection: aligned);
            offsetErrors.Sort();
            var result = new ScorePosesResult(estimatedPath, truthPath, errors.Count, errors.MedianDeg, errors.MeanDeg, errors.Within5Deg, errors.Beyond20Deg,
                errors.Aligned, errors.Reflected, offsetErrors[offsetErrors.Count / 2]);
            return CommandOutput.Emit(console, parse.GetValue(json), result, (o, r) => o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{r.Count} particles: median error {r.MedianDeg:0.00}°, mean {r.MeanDeg:0.00}°, {100 * r.Within5Deg:0.0} % within 5°, {100 * r.Beyond20Deg:0.0} % beyond 20°{(r.Aligned ? $" (after global alignment{(r.Reflected ? ", other hand" : "")})" : "")}; median origin error {r.MedianOffsetErrorA:0.00} Å")));
        });
        return command;
    }
}
