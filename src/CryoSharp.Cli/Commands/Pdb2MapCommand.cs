using System.CommandLine;
using System.Globalization;
using CryoSharp.IO;
using CryoSharp.IO.Atoms;
using CryoSharp.Simulation;

namespace CryoSharp.Cli.Commands;

/// <summary><c>cryosharp pdb2map</c>: a density map from an atomic model.</summary>
public static class Pdb2MapCommand
{
    /// <summary>What pdb2map produced.</summary>
    public sealed record Pdb2MapResult(string Map, int Atoms, int Box, double PixelSize, double Resolution, double Electrons);

    /// <summary>Builds the command.</summary>
    public static Command Create(GlobalOptions globals, CliConsole console)
    {
        ArgumentNullException.ThrowIfNull(globals);
        var model = new Argument<string>("MODEL") { Description = "Atomic model: PDB (.pdb, .ent) or mmCIF (.cif), optionally gzipped (.gz). The first model is used." };
        var pixel = new Option<double>("--pixel-size") { Description = "Voxel size in Å.", DefaultValueFactory = _ => 1.0 };
        var resolution = new Option<double?>("--resolution") { Description = "Resolution in Å: each atom is a Gaussian of σ = 0.225 × resolution (default: 2 × pixel size)." };
        var box = new Option<int>("--box") { Description = "Box in voxels (0: the smallest even box that holds the model).", DefaultValueFactory = _ => 0 };
        var output = new Option<string>("--out", "-o") { Description = "Output map (.mrc).", Required = true };
        var json = CommandOptions.Json();
        var command = new Command("pdb2map", "Turn an atomic model into a density map: element-weighted Gaussians (electrons per atom = atomic number × occupancy), centre of mass at the box centre.")
        {
            model, pixel, resolution, box, output, json,
        };
        command.SetAction(parse =>
        {
            string path = parse.GetValue(model)!;
            double pixelSize = parse.GetValue(pixel);
            InvalidParameterException.ThrowIfNotPositive("--pixel-size", pixelSize);
            double res = parse.GetValue(resolution) ?? (2 * pixelSize);
            var atoms = AtomicModelReader.Read(path);
            var map = AtomicModelDensity.Create(atoms, parse.GetValue(box), pixelSize, res, globals.Context(parse));
            string outPath = parse.GetValue(output)!;
            MrcWriter.Write(outPath, map);
            var result = new Pdb2MapResult(outPath, atoms.Count, map.Nx, pixelSize, res, map.Data.Sum(v => (double)v));
            if (parse.GetValue(json))
            {
                JsonOutput.Write(console.Out, result);
            }
            else
            {
                console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{result.Atoms} atoms → {result.Map}: {result.Box}³ voxels of {result.PixelSize} Å at {result.Resolution} Å resolution ({result.Electrons:0} electrons)"));
            }

            return CryoSharpApp.Success;
        });
        return command;
    }
}
