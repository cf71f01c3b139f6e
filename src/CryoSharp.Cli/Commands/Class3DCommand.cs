using System.CommandLine;
using System.Globalization;
using CryoSharp.Classification;
using CryoSharp.Cli.Options;
using CryoSharp.Geometry;
using CryoSharp.Refinement;

namespace CryoSharp.Cli.Commands;

/// <summary>
/// <c>cryosharp class3d</c>: 3D classification into K classes from one reference (RELION's Class3D): the refinement
/// engine with K maps seeded from random subsets of the particles, a fixed angular step and a fixed number of
/// iterations; each class keeps gold-standard halves, so every class map has an honest resolution.
/// </summary>
public static class Class3DCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create(GlobalOptions globals, CliConsole console)
    {
        ArgumentNullException.ThrowIfNull(globals);
        var defaults = new Refine3DOptions();
        var particles = new Option<string?>("--particles", "-i") { Description = "RELION STAR file of the particles to classify (not needed with --continue)." };
        var reference = new Option<string?>("--reference", "--ref") { Description = "Initial map (MRC) of the particles' box and pixel size, low-passed to --initial-lowpass; every class starts from it." };
        var classes = new Option<int?>("--classes", "-K") { Description = "Number of classes (RELION's --K), at least 2." };
        var iterations = new Option<int>("--iterations") { Description = "Iterations (RELION's --iter), the last at full size.", DefaultValueFactory = _ => 25 };
        var output = new Option<string?>("--out", "-o") { Description = "Output folder: class001.mrc…, their half maps, particles.star (rlnClassNumber), fsc.csv, report.html, iterNNN/." };
        var resume = new Option<string?>("--continue") { Description = "Continue the run in this folder from its last complete iteration." };
        var diameter = new Option<double?>("--particle-diameter") { Description = "Particle diameter in Å [default: 90 % of the box]." };
        var ctf = SharedOptions.CorrectCtf();
        var lowpass = new Option<double>("--initial-lowpass") { Description = "Low-pass the reference to this resolution (Å) first (RELION's --ini_high).", DefaultValueFactory = _ => 40.0 };
        var order = new Option<int>("--healpix-order") { Description = "HEALPix order of the angular search, kept throughout (2 = 15°, 7.5° after oversampling).", DefaultValueFactory = _ => defaults.HealpixOrder };
        var offsetRange = new Option<double>("--offset-range") { Description = "Translations searched within this many pixels of each particle's previous offset.", DefaultValueFactory = _ => defaults.OffsetRangePx };
        var offsetStep = new Option<double>("--offset-step") { Description = "Translation step in pixels.", DefaultValueFactory = _ => defaults.OffsetStepPx };
        var tau2 = new Option<double>("--tau2-fudge") { Description = "Regularisation T (RELION's Class3D default 4).", DefaultValueFactory = _ => 4.0 };
        var symmetry = new Option<string>("--symmetry", "--sym") { Description = "Point group by RELION's name, imposed on every class.", DefaultValueFactory = _ => "C1" };
        var search = Refine3DCommand.SearchOption();
        var dataRoot = SharedOptions.DataRoot();
        var pixel = SharedOptions.PixelSize("of every particle, replacing the STAR file's");
        var json = SharedOptions.Json();
        var command = new Command("class3d", "3D classification into K classes from one reference: maximum-likelihood EM over classes, orientations and translations (RELION's Class3D), classes seeded from random subsets.")
        {
            particles, reference, classes, iterations, output, resume, diameter, ctf, lowpass, order, offsetRange, offsetStep, tau2, symmetry, search, dataRoot, pixel, json,
        };
        command.SetAction(parse =>
        {
            Refine3DCommand.RunSettings settings;
            string directory;
            bool continuing = parse.GetValue(resume) is not null;
            if (parse.GetValue(resume) is { } folder)
            {
                directory = parse.GetValue(output) ?? folder;
                settings = Refine3DCommand.ReadSettings(folder);
            }
            else
            {
                directory = parse.GetValue(output) ?? throw new InvalidParameterException("--out", "(missing)", "is required: the folder to write the classification into");
                string star = parse.GetValue(particles) ?? throw new InvalidParameterException("--particles", "(missing)", "is required (or --continue DIR)");
                string map = parse.GetValue(reference) ?? throw new InvalidParameterException("--reference", "(missing)", "is required: the initial map");
                int k = parse.GetValue(classes) ?? throw new InvalidParameterException("--classes", "(missing)", "is required: the number of classes (RELION's --K)");
                if (k < 2)
                {
                    throw new InvalidParameterException("--classes", k, "must be at least 2 (for one class, refine3d)");
                }

                int it = parse.GetValue(iterations);
                if (it < 2)
                {
                    throw new InvalidParameterException("--iterations", it, "must be at least 2");
                }

                settings = new Refine3DCommand.RunSettings
                {
                    Particles = Path.GetFullPath(star),
                    Reference = Path.GetFullPath(map),
                    DataRoot = parse.GetValue(dataRoot) is { } root ? Path.GetFullPath(root) : null,
                    PixelSizeA = parse.GetValue(pixel),
                    ParticleDiameterA = parse.GetValue(diameter),
                    Ctf = parse.GetValue(ctf),
                    InitialLowpassA = parse.GetValue(lowpass),
                    Symmetry = SymmetryGroup.Parse(parse.GetValue(symmetry)!).Name,
                    HealpixOrder = parse.GetValue(order),
                    LocalFromOrder = 99,
                    MaxHealpixOrder = parse.GetValue(order),
                    OffsetRangePx = parse.GetValue(offsetRange),
                    OffsetStepPx = parse.GetValue(offsetStep),
                    Oversampling = 1,
                    Algorithm = ChoiceOption.NameOf(Class2DCommand.AlgorithmChoices, SearchAlgorithm.MaximumLikelihood),
                    Search = ChoiceOption.NameOf(Refine3DCommand.SearchChoices, parse.GetValue(search)),
                    Tau2Fudge = parse.GetValue(tau2),
                    IncrementShells = defaults.IncrementShells,
                    MaxSignificant = defaults.MaxSignificant,
                    MaxIterations = it,
                    FixedIterations = it,
                    Classes = k,
                    Seed = parse.GetValue(globals.Seed),
                    Threads = globals.Context(parse).Threads,
                };
            }

            var context = globals.Context(parse) with { Threads = Math.Min(settings.Threads, Environment.ProcessorCount) };
            var result = Refine3DCommand.Run(settings, directory, continuing, console, context);
            return CommandOutput.Emit(console, parse.GetValue(json), result, (o, r) =>
            {
                foreach (var c in r.Classes ?? [])
                {
                    o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"class {c.Class}: {c.Particles} particles, {c.Resolution0143:0.00} Å  {c.Map}"));
                }

                o.WriteLine($"  {r.ParticlesFile}\n  {r.Report}");
            });
        });
        return command;
    }
}
