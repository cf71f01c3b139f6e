using System.CommandLine;
using System.Globalization;
using CryoSharp.Cli.Options;
using CryoSharp.IO;
using CryoSharp.IO.Atoms;
using CryoSharp.Simulation;

namespace CryoSharp.Cli.Commands;

/// <summary><c>cryosharp pdb2map</c>: a density map from an atomic model.</summary>
public static class Pdb2MapCommand
{
    /// <summary>What pdb2map produced.</summary>
    public sealed record Pdb2MapResult(string Map, int Atoms, int Box, double PixelSize, double Resolution, double Electrons)
    {
        /// <summary>Electrons of the whole model (Σ atomic number × occupancy); more than the map's when the box cuts it off.</summary>
        public double ModelElectrons { get; init; }
    }

    /// <summary>Builds the command.</summary>
    public static Command Create(GlobalOptions globals, CliConsole console)
    {
        ArgumentNullException.ThrowIfNull(globals);
        var model = new Argument<string>("MODEL") { Description = "Atomic model: PDB (.pdb, .ent) or mmCIF (.cif), optionally gzipped (.gz). The first model is used." };
        var pixel = SharedOptions.PixelSize("of the map [default: 1]");
        var resolution = SharedOptions.ModelResolution();
        var box = SharedOptions.Box("of the map (default: the smallest even box that holds the model)");
        var output = SharedOptions.OutputFile("the map (.mrc)");
        var json = SharedOptions.Json();
        var command = new Command("pdb2map", "Turn an atomic model into a density map: element-weighted Gaussians (electrons per atom = atomic number × occupancy), centre of mass at the box centre.")
        {
            model, pixel, resolution, box, output, json,
        };
        command.SetAction(parse =>
        {
            string path = parse.GetValue(model)!;
            double pixelSize = parse.GetValue(pixel) ?? 1.0;
            InvalidParameterException.ThrowIfNotPositive("--pixel-size", pixelSize);
            double res = parse.GetValue(resolution) ?? (2 * pixelSize);
            string outPath = parse.GetValue(output)!;
            OutputSafety.RequireFile(outPath, "--out");
            OutputSafety.RefuseOverwritingInputs([(path, "MODEL")], [(outPath, "--out")]);
            if (parse.GetValue(box) is int requested && requested is < 0 or > 1024)
            {
                throw new InvalidParameterException("--box", requested, "must be between 8 and 1024 voxels (or left out for the smallest box that holds the model)");
            }

            var atoms = AtomicModelReader.Read(path);
            var map = AtomicModelDensity.Create(atoms, parse.GetValue(box) ?? 0, pixelSize, res, globals.Context(parse));
            MrcWriter.Write(outPath, map);
            double electrons = map.Data.Sum(v => (double)v), modelElectrons = atoms.Sum(a => Elements.AtomicNumber(a.Element) * a.Occupancy);
            if (electrons < 0.99 * modelElectrons)
            {
                console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"cryosharp: warning: the {map.Nx}-voxel box holds {electrons:0} of the model's {modelElectrons:0} electrons: the model is cut off (leave out --box for the smallest box that holds it)"));
            }

            var result = new Pdb2MapResult(outPath, atoms.Count, map.Nx, pixelSize, res, electrons) { ModelElectrons = modelElectrons };
            return CommandOutput.Emit(console, parse.GetValue(json), result, (o, r) => o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{r.Atoms} atoms → {r.Map}: {r.Box}³ voxels of {r.PixelSize} Å at {r.Resolution} Å resolution ({r.Electrons:0} electrons)")));
        });
        return command;
    }
}
