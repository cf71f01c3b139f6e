using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using CryoSharp.Cli.Options;
using CryoSharp.Geometry;
using CryoSharp.Imaging;
using CryoSharp.IO;
using CryoSharp.IO.Star;
using CryoSharp.Numerics;
using CryoSharp.Particles;
using CryoSharp.Reports;
using CryoSharp.Simulation;

namespace CryoSharp.Cli.Commands;

/// <summary><c>cryosharp simulate</c>: a particle stack with ground truth, RELION's image formation.</summary>
public static class SimulateCommand
{
    /// <summary>What a simulation produced.</summary>
    public sealed record SimulateResult(string OutputDirectory, string Particles, string Star, string GroundTruth, string Report,
        int Count, int Box, double PixelSize, double Snr, double NoiseSigma, double MaskRadius, string Views, bool Ctf, double Seconds);

    /// <summary>Builds the command.</summary>
    public static Command Create(GlobalOptions globals, CliConsole console)
    {
        ArgumentNullException.ThrowIfNull(globals);
        var volume = SharedOptions.Volume("to project");
        var phantom = SharedOptions.Phantom();
        var pdb = SharedOptions.AtomicModel();
        var resolution = SharedOptions.ModelResolution();
        var box = SharedOptions.Box("of the particles (default: the map's box; 128 for a phantom or model); at most the map's box");
        var pixel = SharedOptions.PixelSize("of the particles (default: the map's; 2 Å for a phantom or model); the map is resampled to it");
        var count = SharedOptions.Count("particles", 1000);
        var snr = SharedOptions.Snr(0.1);
        var maskRadius = new Option<double?>("--mask-radius-px") { Description = "Radius in pixels of the circular mask the SNR is measured in (default: the radius holding 99% of the map's positive density)." };
        var ctf = SharedOptions.ApplyCtf("every particle");
        var defocusMin = new Option<double>("--defocus-min") { Description = "Smallest mean defocus in Å (underfocus positive).", DefaultValueFactory = _ => 10000 };
        var defocusMax = new Option<double>("--defocus-max") { Description = "Largest mean defocus in Å.", DefaultValueFactory = _ => 30000 };
        var astigmatism = new Option<double>("--astigmatism") { Description = "Largest |defocus U − defocus V| in Å.", DefaultValueFactory = _ => 200 };
        var voltage = new Option<double>("--voltage") { Description = "Acceleration voltage in kV.", DefaultValueFactory = _ => 300 };
        var cs = new Option<double>("--cs") { Description = "Spherical aberration in mm.", DefaultValueFactory = _ => 2.7 };
        var q0 = new Option<double>("--amplitude-contrast") { Description = "Amplitude contrast (fraction).", DefaultValueFactory = _ => 0.1 };
        var shift = new Option<double>("--shift-sigma") { Description = "Standard deviation of the particle origins along x and y, in Å.", DefaultValueFactory = _ => 0 };
        var views = SharedOptions.Views();
        var output = SharedOptions.OutputFolder("particles.mrcs, particles.star (RELION 3.1, true angles, origins, CTF, rlnRandomSubset), ground_truth.mrc and report.html");
        var json = SharedOptions.Json();
        var command = new Command("simulate",
            "Simulate particles with known ground truth, with RELION's image formation: projection, shift by −origin, CTF, noise. " +
            "Streams to disk, so memory does not grow with --count.")
        {
            volume, phantom, pdb, resolution, box, pixel, count, snr, maskRadius, ctf, defocusMin, defocusMax, astigmatism, voltage, cs, q0,
            shift, views, output, json,
        };
        command.SetAction(parse =>
        {
            var seeds = globals.Seeds(parse);
            var context = globals.Context(parse);
            var options = new SimulationOptions
            {
                Count = (int)SharedOptions.WholeCount(parse, count, int.MaxValue),
                Snr = parse.GetValue(snr),
                MaskRadiusPx = parse.GetValue(maskRadius),
                Ctf = parse.GetValue(ctf),
                DefocusMinA = parse.GetValue(defocusMin),
                DefocusMaxA = parse.GetValue(defocusMax),
                AstigmatismA = parse.GetValue(astigmatism),
                VoltageKv = parse.GetValue(voltage),
                SphericalAberrationMm = parse.GetValue(cs),
                AmplitudeContrast = parse.GetValue(q0),
                ShiftSigmaA = parse.GetValue(shift),
                Views = parse.GetValue(views) switch
                {
                    SharedOptions.ViewKind.VonMisesFisher => VonMisesFisherMixture.Default(),
                    SharedOptions.ViewKind.Preferred => new PreferredViewOrientations(new Vector3d(0, 0, 1)),
                    _ => new UniformOrientations(),
                },
                Seeds = seeds,
            };
            options.Validate();
            var map = VolumeInput.Load(parse.GetValue(volume), parse.GetValue(phantom), parse.GetValue(pdb), parse.GetValue(box),
                parse.GetValue(pixel), parse.GetValue(resolution), seeds, context);
            var result = Run(map, options, parse.GetValue(output)!, console, context, [(parse.GetValue(volume), "--volume"), (parse.GetValue(pdb), "--pdb")]);
            return CommandOutput.Emit(console, parse.GetValue(json), result, (o, r) =>
            {
                o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{r.Count} particles ({r.Box} px, {r.PixelSize:0.###} Å/px, SNR {r.Snr}, noise σ {r.NoiseSigma:G4}) in {r.Seconds:0.0} s"));
                o.WriteLine($"  {r.Particles}\n  {r.Star}\n  {r.GroundTruth}\n  {r.Report}");
            });
        });
        return command;
    }

    /// <summary>Simulates into <paramref name="directory"/> and writes the report.</summary>
    public static SimulateResult Run(Volume map, SimulationOptions options, string directory, CliConsole console, ComputeContext context,
        IEnumerable<(string? Path, string Option)> inputs)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(context);
        var clock = Stopwatch.StartNew();
        string stack = Path.Combine(directory, "particles.mrcs"), star = Path.Combine(directory, "particles.star");
        string truth = Path.Combine(directory, "ground_truth.mrc"), report = Path.Combine(directory, "report.html");
        OutputSafety.RefuseOverwritingInputs(inputs, [(stack, "--out"), (star, "--out"), (truth, "--out"), (report, "--out")]);
        using var set = OutputSet.Begin(directory);
        ParticleSimulator.CheckResources(options, map.Nx, directory);
        var simulator = new ParticleSimulator(map, options, context);
        console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"simulate: {options.Count} particles, box {map.Nx}, {map.PixelSizeA:0.###} Å/px, SNR {options.Snr} in a {simulator.MaskRadiusPx:0.#} px mask, " +
            $"CTF {(options.Ctf ? $"{options.DefocusMinA}–{options.DefocusMaxA} Å" : "off")}, views {options.Views.Description}"));
        var source = simulator.CreateSource();
        ProgressDisplay.Run(console, "Simulating", options.Count, progress => ParticleSet.Save(source, set.Stage("particles.mrcs"), set.Stage("particles.star"),
            simulator.Columns, imagePath: ParticleSet.ProjectRelativePath(stack), progress: progress));
        MrcWriter.Write(set.Stage("ground_truth.mrc"), map);
        SimulationReport.Write(set.Stage("report.html"), map, options, source, ParticleSimulator.Samples(source));
        set.Commit();
        return new SimulateResult(Path.GetFullPath(directory), stack, star, truth, report, options.Count, map.Nx, map.PixelSizeA, options.Snr,
            source.NoiseSigma, simulator.MaskRadiusPx, options.Views.Description, options.Ctf, clock.Elapsed.TotalSeconds);
    }

}
