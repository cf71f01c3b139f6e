using System.CommandLine;
using System.Globalization;
using CryoSharp.Cli.Options;
using CryoSharp.Detection;
using CryoSharp.Imaging;
using CryoSharp.IO;
using CryoSharp.Numerics;
using CryoSharp.Projection;
using CryoSharp.Reconstruction;
using CryoSharp.Refinement;
using CryoSharp.Reports;

namespace CryoSharp.Cli.Commands;

/// <summary>
/// <c>cryosharp mtd3d solve</c>: a small volume estimated straight from a micrograph, without picking, by the approximate
/// EM over patches with the volume in the spherical Bessel basis; per-iteration results under <c>DIR/iterNNN/</c>,
/// <c>--continue</c>, and the FSC against <c>--truth</c> after alignment (rotation, shift and hand, which projections
/// cannot tell).
/// </summary>
public static class Mtd3dCommand
{
    private const string RunFileName = "run.json";
    private const string StateFileName = "state.json";

    /// <summary>The settings of a run, saved as DIR/run.json so that <c>--continue DIR</c> needs nothing else.</summary>
    public sealed record Mtd3dRun(string Micrograph, int VolumeSize, double Sigma, int Degree, double BandLimit, int OrientationOrder, int Blocks,
        double Tolerance, double StartGamma, bool Centre, string? Truth, long Seed, double? StartBandLimit = null, int MarchingIterations = 0);

    /// <summary>An iteration's state, DIR/iterNNN/state.json.</summary>
    public sealed record Mtd3dState(int Iteration, double[] Coefficients, double[] ShiftPrior, double Gamma, double LogLikelihoodPerPatch, double Change,
        long Patches, double? Resolution05, double Seconds);

    /// <summary>What <c>mtd3d solve</c> found.</summary>
    /// <param name="Resolution05">FSC-0.5 resolution against the truth after alignment, Å (the FSC never falling below 0.5 gives Nyquist).</param>
    public sealed record Mtd3dResult(string Estimate, string Report, int VolumeSize, int Degree, int BasisFunctions, int Orientations, int Width, int Height,
        long Patches, double Sigma, double Gamma, double? GammaTrue, double? Resolution05, double? Resolution0143, bool? Reflected, int Iterations, int ContinuedFrom,
        double Seconds, double PatchesPerSecond, IReadOnlyList<Mtd3dState> History);

    /// <summary>Builds <c>mtd3d</c>.</summary>
    public static Command Create(GlobalOptions globals, CliConsole console)
    {
        ArgumentNullException.ThrowIfNull(globals);
        return new Command("mtd3d", "Multi-target detection in 3D: a small volume estimated from a whole micrograph, marginalising over every place and orientation of its projections.")
        {
            CreateSolve(globals, console),
        };
    }

    private static Command CreateSolve(GlobalOptions globals, CliConsole console)
    {
        var micrograph = new Option<string?>("--micrograph", "-i") { Description = "The micrograph (MRC, one section, background at zero); not needed with --continue." };
        var volumeSize = new Option<int?>("--volume-size", "-L") { Description = "L, the volume's box in voxels (default: truth.json beside the micrograph)." };
        var sigma = new Option<double?>("--sigma") { Description = "Noise standard deviation (default: truth.json beside the micrograph)." };
        var degree = new Option<int>("--degree") { Description = "Highest spherical-harmonic degree of the volume's spherical Bessel expansion.", DefaultValueFactory = _ => 10 };
        var bandLimit = new Option<double>("--band-limit") { Description = "Highest radial frequency of the expansion, cycles per voxel.", DefaultValueFactory = _ => 0.5 };
        var order = new Option<int>("--orientation-order") { Description = "HEALPix order of the orientations tried: 0 = 72 (about 60° apart), 1 = 576 (30°), 2 = 4,608 (15°).", DefaultValueFactory = _ => 1 };
        var blocks = new Option<int>("--blocks") { Description = "Incremental EM: the rows of patches fall into this many interleaved blocks; each iteration's E-step covers one, and its M-step the latest statistics of every block seen (so this many iterations make one pass). 1: plain EM.", DefaultValueFactory = _ => 1 };
        var startBand = new Option<double?>("--start-band-limit") { Description = "Frequency marching: the band limit (cycles per voxel) the first M-steps solve within, growing linearly to --band-limit over --marching-iterations." };
        var marching = new Option<int>("--marching-iterations") { Description = "Iterations over which the band limit marches from --start-band-limit to --band-limit.", DefaultValueFactory = _ => 0 };
        var iterations = SharedOptions.MaxIterations(30);
        var tolerance = SharedOptions.Tolerance(1e-4);
        var startGamma = new Option<double>("--start-gamma") { Description = "The density the shift prior starts from.", DefaultValueFactory = _ => 0.05 };
        var centre = new Option<bool>("--centre") { Description = "Centre the volume on its centre of mass after each iteration (the patch model cannot fix where it sits in its box).", DefaultValueFactory = _ => true };
        var truth = new Option<string?>("--truth") { Description = "The true volume (MRC, L³): report the FSC against it after alignment." };
        var output = SharedOptions.OutputFolder("estimate.mrc, report.html, run.json and iterNNN/ (estimate.mrc, state.json)");
        var resume = new Option<string?>("--continue") { Description = "Continue the run in this folder from its last complete iteration (its run.json gives every setting; --max-iterations may raise the count, and --orientation-order and --blocks may change the search)." };
        var json = SharedOptions.Json();
        output.Required = false;
        var command = new Command("solve", "Estimate the volume and the density γ from the micrograph by approximate EM over patches, with the FSC against --truth.")
        {
            micrograph, volumeSize, sigma, degree, bandLimit, startBand, marching, order, blocks, iterations, tolerance, startGamma, centre, truth, output, resume, json,
        };
        command.SetAction(parse =>
        {
            Mtd3dRun run;
            string dir;
            Mtd3dState? last = null;
            if (parse.GetValue(resume) is { } folder)
            {
                if (parse.GetValue(micrograph) is not null)
                {
                    throw new InvalidParameterException("--continue", folder, "takes the micrograph and every setting from the run's run.json; do not give --micrograph");
                }

                dir = folder;
                run = TruthFile.Read<Mtd3dRun>(Path.Combine(folder, RunFileName), "cryosharp mtd3d solve");

                // The search may be refined on the way (coarse orientations first, then finer): neither changes the model.
                if (parse.GetResult(order) is { Implicit: false })
                {
                    run = run with { OrientationOrder = parse.GetValue(order) };
                }

                if (parse.GetResult(blocks) is { Implicit: false })
                {
                    run = run with { Blocks = parse.GetValue(blocks) };
                }

                TruthFile.Write(Path.Combine(folder, RunFileName), run);
                last = IterationFolders.All(folder).Select(x => Path.Combine(x.Folder, StateFileName)).Where(File.Exists)
                    .Select(p => TruthFile.Read<Mtd3dState>(p, "cryosharp mtd3d solve")).LastOrDefault()
                    ?? throw new InvalidParameterException("--continue", folder, "holds no complete iteration (iterNNN/state.json)");
            }
            else
            {
                string path = parse.GetValue(micrograph) ?? throw new InvalidParameterException("--micrograph", "(missing)", "is required (or --continue DIR)");
                dir = parse.GetValue(output) ?? throw new InvalidParameterException("--out", "(missing)", "is required (or --continue DIR)");
                OutputSafety.RequireFile(path, "--micrograph");
                string folderOfMicrograph = Path.GetDirectoryName(Path.GetFullPath(path))!;
                MicrographTruth? simulated = File.Exists(Path.Combine(folderOfMicrograph, MicrographDataset.TruthFileName)) ? MicrographDataset.OpenTruth(folderOfMicrograph) : null;
                int l = parse.GetValue(volumeSize) ?? simulated?.TargetSize
                    ?? throw new InvalidParameterException("--volume-size", "(missing)", $"is required: there is no {MicrographDataset.TruthFileName} beside the micrograph");
                double s = parse.GetValue(sigma) ?? simulated?.Sigma
                    ?? throw new InvalidParameterException("--sigma", "(missing)", $"is required: there is no {MicrographDataset.TruthFileName} beside the micrograph");
                run = new Mtd3dRun(Path.GetFullPath(path), l, s, parse.GetValue(degree), parse.GetValue(bandLimit), parse.GetValue(order), parse.GetValue(blocks),
                    parse.GetValue(tolerance), parse.GetValue(startGamma), parse.GetValue(centre), parse.GetValue(truth) is { } t ? Path.GetFullPath(t) : null,
                    globals.Seeds(parse).Seed, parse.GetValue(startBand), parse.GetValue(marching));
                OutputSafety.RefuseOverwritingInputs([(run.Micrograph, "--micrograph"), (run.Truth, "--truth")],
                    ((string[])["estimate.mrc", "report.html", RunFileName]).Select(n => (Path.Combine(dir, n), "--out")));
            }

            // Settings checked before anything is written (the rest once the micrograph is open).
            Options(run).Validate();
            _ = new SphericalBesselBasis(run.VolumeSize, run.Degree, run.BandLimit);
            var result = Solve(console, globals, parse, run, dir, last, parse.GetValue(iterations));
            return CommandOutput.Emit(console, parse.GetValue(json), result, (o, r) =>
            {
                o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"em: L = {r.VolumeSize}, degree {r.Degree} ({r.BasisFunctions} functions), {r.Orientations} orientations, {r.Patches} patches, σ = {r.Sigma:G4}: {(r.Resolution05 is { } a ? $"FSC 0.5 against the truth at {a:0.00} Å{(r.Reflected == true ? " (other hand)" : "")}, " : "")}γ̂ = {r.Gamma:0.#####}{(r.GammaTrue is { } g ? $" (γ = {g:0.#####})" : "")}, {r.Iterations} iterations, {r.Seconds:0.0} s ({r.PatchesPerSecond:0} patches/s)."));
                o.WriteLine($"Estimate: {r.Estimate}; report: {r.Report}");
            });
        });
        return command;
    }

    private static Mtd3dResult Solve(CliConsole console, GlobalOptions globals, ParseResult parse, Mtd3dRun run, string dir, Mtd3dState? last, int maxIterations)
    {
        using var micrograph = new MrcMicrograph(run.Micrograph);
        var context = globals.Context(parse);
        Volume? truth = null;
        if (run.Truth is not null)
        {
            truth = MrcReader.ReadVolume(run.Truth, micrograph.PixelSizeA, "--truth");
            if (truth.Nx != run.VolumeSize || truth.Ny != run.VolumeSize || truth.Nz != run.VolumeSize)
            {
                throw new InvalidFileException(run.Truth, $"is {truth.Nx} × {truth.Ny} × {truth.Nz}; the truth is one {run.VolumeSize}³ volume");
            }
        }

        double? gammaTrue = null;
        string folderOfMicrograph = Path.GetDirectoryName(run.Micrograph)!;
        if (File.Exists(Path.Combine(folderOfMicrograph, MicrographDataset.TruthFileName)))
        {
            gammaTrue = MicrographDataset.OpenTruth(folderOfMicrograph).Gamma;
        }

        using var set = OutputSet.Begin(dir);
        if (last is null)
        {
            IterationFolders.RemoveAll(dir);
            TruthFile.Write(Path.Combine(dir, RunFileName), run);
        }

        var history = new List<Mtd3dState>();
        int firstIteration = last?.Iteration ?? 0;
        int remaining = Math.Max(0, maxIterations - firstIteration);
        var options = Options(run) with
        {
            MaxIterations = remaining,
            Start = last?.Coefficients,
            StartPrior = last?.ShiftPrior,
            FirstIteration = firstIteration,
            Context = context,
        };

        MicrographVolumeEmResult result = null!;
        ProgressDisplay.Run(console, "EM", remaining, progress =>
        {
            SphericalBesselBasis? basis = null;
            result = MicrographVolumeExpectationMaximization.Solve(micrograph, run.VolumeSize, run.Sigma, options with
            {
                Progress = step =>
                {
                    basis ??= new SphericalBesselBasis(run.VolumeSize, run.Degree, run.BandLimit);
                    var volume = basis.Evaluate(step.Coefficients, micrograph.PixelSizeA);
                    double? resolution = truth is null ? null : Compare(volume, truth, context).Fsc.Resolution(0.5);
                    var state = new Mtd3dState(step.Iteration, step.Coefficients, step.ShiftPrior, step.Gamma, step.LogLikelihoodPerPatch, step.Change, step.Patches,
                        resolution, step.Seconds);
                    history.Add(state);
                    using var iterationSet = OutputSet.Begin(IterationFolders.Folder(dir, state.Iteration));
                    MrcWriter.Write(iterationSet.Stage("estimate.mrc"), volume);
                    TruthFile.Write(iterationSet.Stage(StateFileName), state);
                    iterationSet.Commit();
                    progress.Report(step.Iteration - firstIteration);
                },
            });
        });

        FscCurve? fsc = null;
        bool? reflected = null;
        var estimate = result.Estimate;
        if (truth is not null)
        {
            var (aligned, curve, hand) = Compare(estimate, truth, context);
            (estimate, fsc, reflected) = (aligned, curve, hand);
        }

        MrcWriter.Write(set.Stage("estimate.mrc"), estimate);
        SaveReport(set.Stage("report.html"), dir, run, result, estimate, truth, fsc, gammaTrue);
        set.Commit();
        double perIteration = history.Count == 0 ? 0 : history.Average(h => h.Seconds);
        long perIterationPatches = history.Count == 0 ? 0 : (long)history.Average(h => h.Patches);
        return new Mtd3dResult(Path.Combine(dir, "estimate.mrc"), Path.Combine(dir, "report.html"), run.VolumeSize, run.Degree, result.Basis.Count,
            result.Orientations, micrograph.Width, micrograph.Height, result.Patches, run.Sigma, result.Gamma, gammaTrue, fsc?.Resolution(0.5), fsc?.Resolution(0.143),
            reflected, result.Iterations, firstIteration, result.Seconds, perIteration > 0 ? perIterationPatches / perIteration : 0, history);
    }

    /// <summary>The EM's settings saved in <paramref name="run"/>.</summary>
    private static MicrographVolumeEmOptions Options(Mtd3dRun run) => new()
    {
        MaxDegree = run.Degree,
        BandLimit = run.BandLimit,
        OrientationOrder = run.OrientationOrder,
        Blocks = run.Blocks,
        StartBandLimit = run.StartBandLimit,
        MarchingIterations = run.MarchingIterations,
        Tolerance = run.Tolerance,
        StartGamma = run.StartGamma,
        Centre = run.Centre,
        Seeds = new SeedSequence(run.Seed).Spawn("em"),
    };

    /// <summary>The estimate fitted onto the truth (rotation, shift, hand) and their FSC.</summary>
    private static (Volume Aligned, FscCurve Fsc, bool Reflected) Compare(Volume estimate, Volume truth, ComputeContext context)
    {
        // The search at 1.5 × Nyquist: an 11³ box holds little else.
        var alignment = MapAlignment.Align(estimate, truth, allowReflection: true, searchResolutionA: 3 * truth.PixelSizeA, context);
        var aligned = MapAlignment.Apply(estimate, alignment);
        return (aligned, FourierShellCorrelation.Compute(aligned, truth), alignment.Reflected);
    }

    private static void SaveReport(string path, string dir, Mtd3dRun run, MicrographVolumeEmResult em, Volume estimate, Volume? truth, FscCurve? fsc, double? gammaTrue)
    {
        int l = run.VolumeSize, scale = Math.Max(1, 120 / l);
        var montage = new Montage { Columns = 3, Scale = scale };
        string[] axes = ["x", "y", "z"];
        for (int axis = 0; axis < 3; axis++)
        {
            montage.Add(estimate.CentralSlice(axis), $"estimate {axes[axis]}");
        }

        if (truth is not null)
        {
            for (int axis = 0; axis < 3; axis++)
            {
                montage.Add(truth.CentralSlice(axis), $"truth {axes[axis]}");
            }
        }

        var rows = new List<(string, string)>
        {
            ("micrograph", run.Micrograph),
            ("L, degree, band limit", string.Create(CultureInfo.InvariantCulture, $"{l}, {run.Degree}, {run.BandLimit} ({em.Basis.Count} spherical Bessel functions)")),
            ("orientations", string.Create(CultureInfo.InvariantCulture, $"{em.Orientations} (HEALPix order {run.OrientationOrder})")),
            ("frequency marching", run.StartBandLimit is { } start && run.MarchingIterations > 0
                ? string.Create(CultureInfo.InvariantCulture, $"{start} → {run.BandLimit} cycles per voxel over the first {run.MarchingIterations} iterations")
                : "none"),
            ("patches", string.Create(CultureInfo.InvariantCulture, $"{em.Patches}{(run.Blocks > 1 ? $", in {run.Blocks} blocks, one per iteration (incremental EM)" : "")}")),
            ("σ", run.Sigma.ToString("G4", CultureInfo.InvariantCulture)),
            ("γ̂", em.Gamma.ToString("0.#####", CultureInfo.InvariantCulture) + (gammaTrue is { } g ? string.Create(CultureInfo.InvariantCulture, $" (true {g:0.#####})") : "")),
            ("iterations", string.Create(CultureInfo.InvariantCulture, $"{em.Iterations}, {em.Seconds:0} s in this run")),
        };
        if (fsc is not null)
        {
            rows.Add(("FSC against the truth", $"{fsc.DescribeResolution(0.5)} at 0.5, {fsc.DescribeResolution(0.143)} at 0.143 (after alignment: rotation, shift, hand)"));
        }

        var report = new HtmlReport("Multi-target detection in 3D")
            .Paragraph("The volume estimated from the whole micrograph without picking: L × L patches, each a shifted piece of the projection at one orientation or empty, marginalised over every shift and orientation; the volume in a spherical Bessel × spherical harmonic basis.")
            .Table(rows)
            .Picture(PngEncoder.Encode(montage.Render()), truth is null ? "Central slices of the estimate, perpendicular to x, y and z." : "Central slices, perpendicular to x, y and z, of the estimate aligned onto the truth and of the truth.");
        if (fsc is not null)
        {
            report.Plot(FscFigure.Create(fsc, "estimate against the truth").Render(), "FSC of the aligned estimate against the truth.");
        }

        var history = IterationFolders.All(dir)
            .Select(x => Path.Combine(x.Folder, StateFileName)).Where(File.Exists)
            .Select(p => TruthFile.Read<Mtd3dState>(p, "cryosharp mtd3d solve")).Where(h => h.Iteration <= em.Iterations).ToList();
        if (history.Count > 1)
        {
            var x = history.Select(h => (double)h.Iteration).ToArray();
            report.Plot(new LinePlot { Title = "Log-likelihood per patch", XLabel = "iteration", YLabel = "log-likelihood" }
                .Add("EM", x, [.. history.Select(h => h.LogLikelihoodPerPatch)], markers: true).Render(),
                run.Blocks > 1 ? "The mean log-likelihood of a patch of each iteration's block (up to a constant)." : "The mean log-likelihood of a patch (up to a constant) rises at every iteration.");
            if (history.All(h => h.Resolution05 is not null))
            {
                report.Plot(new LinePlot { Title = "FSC-0.5 resolution against the truth", XLabel = "iteration", YLabel = "resolution (Å)" }
                    .Add("EM", x, [.. history.Select(h => h.Resolution05!.Value)], markers: true).Render(), "After alignment at each iteration.");
            }
        }

        report.Save(path);
    }
}
