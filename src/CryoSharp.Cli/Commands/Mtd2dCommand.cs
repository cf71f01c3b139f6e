using System.CommandLine;
using System.Globalization;
using CryoSharp.ClassAveraging;
using CryoSharp.Cli.Options;
using CryoSharp.Detection;
using CryoSharp.Imaging;
using CryoSharp.IO;
using CryoSharp.Numerics;
using CryoSharp.Reports;

namespace CryoSharp.Cli.Commands;

/// <summary>
/// <c>cryosharp mtd2d solve</c>: a 2D target estimated straight from a micrograph, without picking, by the
/// approximate EM over patches, with per-iteration results under <c>DIR/iterNNN/</c> and <c>--continue</c>.
/// </summary>
public static class Mtd2dCommand
{
    private const string RunFileName = "run.json";
    private const string StateFileName = "state.json";

    /// <summary>The settings of a run, saved as DIR/run.json so that <c>--continue DIR</c> needs nothing else.</summary>
    public sealed record Mtd2dRun(string Micrograph, int TargetSize, double Sigma, string Method, int Rotations, double BandLimit, double Tolerance,
        double StartGamma, bool Centre, string? Truth, long Seed);

    /// <summary>An iteration's state, DIR/iterNNN/state.json.</summary>
    public sealed record Mtd2dState(int Iteration, float[] Real, float[] Imaginary, double[] ShiftPrior, double Gamma, double LogLikelihoodPerPatch,
        double Change, double? RelativeError, double Seconds);

    /// <summary>What <c>mtd2d solve</c> found.</summary>
    public sealed record Mtd2dResult(string Method, string Estimate, string Report, int TargetSize, int Width, int Height, long Patches, double Sigma,
        double Gamma, double? GammaTrue, double? RelativeError, double? RotationDeg, int Iterations, int ContinuedFrom, double Seconds,
        double PatchesPerSecond, IReadOnlyList<Mtd2dState> History);

    private static readonly (string Name, MtdMethod Value)[] MethodChoices = [("em", MtdMethod.Em)];

    /// <summary>Builds <c>mtd2d</c>.</summary>
    public static Command Create(GlobalOptions globals, CliConsole console)
    {
        ArgumentNullException.ThrowIfNull(globals);
        return new Command("mtd2d", "Multi-target detection in 2D: a target image estimated from a whole micrograph, marginalising over every place and in-plane rotation.")
        {
            CreateSolve(globals, console),
        };
    }

    private static Command CreateSolve(GlobalOptions globals, CliConsole console)
    {
        var micrograph = new Option<string?>("--micrograph", "-i") { Description = "The micrograph (MRC, one section, background at zero); not needed with --continue." };
        var targetSize = new Option<int?>("--target-size", "-L") { Description = "L, the target's box in pixels (default: truth.json beside the micrograph)." };
        var sigma = new Option<double?>("--sigma") { Description = "Noise standard deviation (default: truth.json beside the micrograph)." };
        var method = ChoiceOption.Create("--method", "em: approximate EM over L × L patches (the autocorrelation method is not built yet).", MethodChoices, MtdMethod.Em);
        var rotations = new Option<int>("--rotations", "-K") { Description = "K, in-plane rotations tried (2π/K apart).", DefaultValueFactory = _ => 16 };
        var iterations = SharedOptions.MaxIterations(100);
        var tolerance = SharedOptions.Tolerance(1e-4);
        var bandLimit = new Option<double>("--band-limit") { Description = "Highest radial frequency of the Fourier–Bessel basis, cycles per pixel.", DefaultValueFactory = _ => 0.5 };
        var startGamma = new Option<double>("--start-gamma") { Description = "The density the shift prior starts from.", DefaultValueFactory = _ => 0.05 };
        var centre = new Option<bool>("--centre") { Description = "Centre the estimate on its centre of mass after each iteration (the patch model cannot fix where the target sits in its box).", DefaultValueFactory = _ => true };
        var truth = new Option<string?>("--truth") { Description = "The true target (MRC image): report the relative error up to rotation, both centred." };
        var output = SharedOptions.OutputFolder("estimate.mrc, report.html, run.json and iterNNN/ (estimate.mrc, state.json)");
        var resume = new Option<string?>("--continue") { Description = "Continue the run in this folder from its last complete iteration (its run.json gives every setting; --max-iterations may raise the count)." };
        var json = SharedOptions.Json();
        output.Required = false;
        var command = new Command("solve", "Estimate the target and the density γ from the micrograph by approximate EM, with the error against --truth.")
        {
            micrograph, targetSize, sigma, method, rotations, iterations, tolerance, bandLimit, startGamma, centre, truth, output, resume, json,
        };
        command.SetAction(parse =>
        {
            Mtd2dRun run;
            string dir;
            Mtd2dState? last = null;
            if (parse.GetValue(resume) is { } folder)
            {
                if (parse.GetValue(micrograph) is not null)
                {
                    throw new InvalidParameterException("--continue", folder, "takes the micrograph and every setting from the run's run.json; do not give --micrograph");
                }

                dir = folder;
                run = TruthFile.Read<Mtd2dRun>(Path.Combine(folder, RunFileName), "cryosharp mtd2d solve");
                last = IterationFolders.All(folder).Select(x => Path.Combine(x.Folder, StateFileName)).Where(File.Exists)
                    .Select(p => TruthFile.Read<Mtd2dState>(p, "cryosharp mtd2d solve")).LastOrDefault()
                    ?? throw new InvalidParameterException("--continue", folder, "holds no complete iteration (iterNNN/state.json)");
            }
            else
            {
                string path = parse.GetValue(micrograph) ?? throw new InvalidParameterException("--micrograph", "(missing)", "is required (or --continue DIR)");
                dir = parse.GetValue(output) ?? throw new InvalidParameterException("--out", "(missing)", "is required (or --continue DIR)");
                OutputSafety.RequireFile(path, "--micrograph");
                string beside = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, MicrographDataset.TruthFileName);
                MicrographTruth? simulated = File.Exists(beside) ? MicrographDataset.OpenTruth(Path.GetDirectoryName(Path.GetFullPath(path))!) : null;
                int l = parse.GetValue(targetSize) ?? simulated?.TargetSize
                    ?? throw new InvalidParameterException("--target-size", "(missing)", $"is required: there is no {MicrographDataset.TruthFileName} beside the micrograph");
                double s = parse.GetValue(sigma) ?? simulated?.Sigma
                    ?? throw new InvalidParameterException("--sigma", "(missing)", $"is required: there is no {MicrographDataset.TruthFileName} beside the micrograph");
                run = new Mtd2dRun(Path.GetFullPath(path), l, s, "em", parse.GetValue(rotations), parse.GetValue(bandLimit), parse.GetValue(tolerance),
                    parse.GetValue(startGamma), parse.GetValue(centre), parse.GetValue(truth) is { } t ? Path.GetFullPath(t) : null, globals.Seeds(parse).Seed);
                OutputSafety.RefuseOverwritingInputs([(run.Micrograph, "--micrograph"), (run.Truth, "--truth")],
                    ((string[])["estimate.mrc", "report.html", RunFileName]).Select(n => (Path.Combine(dir, n), "--out")));
            }

            var result = Solve(console, globals, parse, run, dir, last, parse.GetValue(iterations));
            return CommandOutput.Emit(console, parse.GetValue(json), result, (o, r) => o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"em: L = {r.TargetSize}, {r.Patches} patches, σ = {r.Sigma:0.####}: {(r.RelativeError is { } e ? $"relative error {e:0.0000} (rotation {r.RotationDeg:0.0}°), " : "")}γ̂ = {r.Gamma:0.#####}{(r.GammaTrue is { } g ? $" (γ = {g:0.#####})" : "")}, {r.Iterations} iterations, {r.Seconds:0.0} s ({r.PatchesPerSecond:0} patches/s per iteration). Estimate: {r.Estimate}; report: {r.Report}")));
        });
        return command;
    }

    private static Mtd2dResult Solve(CliConsole console, GlobalOptions globals, ParseResult parse, Mtd2dRun run, string dir, Mtd2dState? last, int maxIterations)
    {
        using var micrograph = new MrcMicrograph(run.Micrograph);
        var seeds = new SeedSequence(run.Seed);
        // The basis the EM works in: the truth is expanded and every iteration's image evaluated in it.
        var basis = new FourierBesselBasis(run.TargetSize, bandLimit: run.BandLimit);
        ComplexF[]? truthCoefficients = null;
        if (run.Truth is not null)
        {
            using var reader = new MrcReader(run.Truth);
            if (reader.SectionCount != 1 || reader.SectionShape.Nx != run.TargetSize || reader.SectionShape.Ny != run.TargetSize)
            {
                throw new InvalidFileException(run.Truth, $"is {reader.SectionShape} × {reader.SectionCount}; the truth is one {run.TargetSize} × {run.TargetSize} image");
            }

            var truthImage = reader.ReadImage(0);
            ImageCentring.Centre(truthImage);
            truthCoefficients = new ComplexF[basis.Count];
            basis.FitLeastSquares(truthImage.Data, truthCoefficients);
        }

        double? gammaTrue = null;
        string besideTruth = Path.Combine(Path.GetDirectoryName(run.Micrograph)!, MicrographDataset.TruthFileName);
        if (File.Exists(besideTruth))
        {
            gammaTrue = MicrographDataset.OpenTruth(Path.GetDirectoryName(run.Micrograph)!).Gamma;
        }

        using var set = OutputSet.Begin(dir);
        if (last is null)
        {
            IterationFolders.RemoveAll(dir);
            TruthFile.Write(Path.Combine(dir, RunFileName), run);
        }

        var history = new List<Mtd2dState>();
        int firstIteration = last?.Iteration ?? 0;
        int remaining = Math.Max(0, maxIterations - firstIteration);
        var options = new MicrographEmOptions
        {
            Rotations = run.Rotations,
            MaxIterations = remaining,
            Tolerance = run.Tolerance,
            BandLimit = run.BandLimit,
            StartGamma = run.StartGamma,
            Centre = run.Centre,
            Seeds = seeds.Spawn("em"),
            Start = last is null ? null : [.. last.Real.Select((re, c) => new ComplexF(re, last.Imaginary[c]))],
            StartPrior = last?.ShiftPrior,
            FirstIteration = firstIteration,
            Context = globals.Context(parse),
        };

        MicrographEmResult result = null!;
        ProgressDisplay.Run(console, "EM", remaining, progress =>
        {
            result = MicrographExpectationMaximization.Solve(micrograph, run.TargetSize, run.Sigma, options with
            {
                Progress = step =>
                {
                    double? error = truthCoefficients is null ? null : RotatedImageError.Of(basis, step.Coefficients, truthCoefficients).Error;
                    var state = new Mtd2dState(step.Iteration, [.. step.Coefficients.Select(c => c.Re)], [.. step.Coefficients.Select(c => c.Im)], step.ShiftPrior,
                        step.Gamma, step.LogLikelihoodPerPatch, step.Change, error, step.Seconds);
                    history.Add(state);
                    SaveIteration(dir, state, step, basis, micrograph.PixelSizeA);
                    progress.Report(step.Iteration - firstIteration);
                },
            });
        });

        double? relative = null, rotation = null;
        if (truthCoefficients is not null)
        {
            var (e, angle) = RotatedImageError.Of(basis, result.Coefficients, truthCoefficients);
            (relative, rotation) = (e, angle * 180 / Math.PI);
        }

        MrcWriter.Write(set.Stage("estimate.mrc"), result.Estimate);
        SaveReport(set.Stage("report.html"), dir, run, result, history, basis, truthCoefficients, rotation, relative, gammaTrue);
        set.Commit();
        double perIteration = history.Count == 0 ? 0 : history.Average(h => h.Seconds);
        return new Mtd2dResult("em", Path.Combine(dir, "estimate.mrc"), Path.Combine(dir, "report.html"), run.TargetSize, micrograph.Width, micrograph.Height,
            result.Patches, run.Sigma, result.Gamma, gammaTrue, relative, rotation, result.Iterations, firstIteration, result.Seconds,
            perIteration > 0 ? result.Patches / perIteration : 0, history);
    }

    private static void SaveIteration(string dir, Mtd2dState state, MicrographEmIteration step, FourierBesselBasis basis, double pixelSizeA)
    {
        using var set = OutputSet.Begin(IterationFolders.Folder(dir, state.Iteration));
        var image = new Image(basis.Box, basis.Box, pixelSizeA);
        basis.Evaluate(step.Coefficients, 1, image.Data);
        MrcWriter.Write(set.Stage("estimate.mrc"), image);
        TruthFile.Write(set.Stage(StateFileName), state);
        set.Commit();
    }

    private static void SaveReport(string path, string dir, Mtd2dRun run, MicrographEmResult result, List<Mtd2dState> history,
        FourierBesselBasis basis, ComplexF[]? truthCoefficients, double? rotationDeg, double? error, double? gammaTrue)
    {
        int l = run.TargetSize, scale = Math.Max(1, 160 / l);
        var montage = new Montage { Columns = 2, Scale = scale }.Add(result.Estimate, "estimate");
        if (truthCoefficients is not null && rotationDeg is { } degrees)
        {
            // The truth turned onto the estimate, so the two can be compared by eye.
            var turned = (ComplexF[])truthCoefficients.Clone();
            basis.Rotate(turned, degrees * Math.PI / 180);
            var image = new Image(l, l, result.Estimate.PixelSizeA);
            basis.Evaluate(turned, 1, image.Data);
            montage.Add(image, "truth");
        }

        var rows = new List<(string, string)>
        {
            ("micrograph", run.Micrograph),
            ("patches", result.Patches.ToString(CultureInfo.InvariantCulture)),
            ("L, K, band limit", string.Create(CultureInfo.InvariantCulture, $"{l}, {run.Rotations}, {run.BandLimit}")),
            ("σ", run.Sigma.ToString("0.#####", CultureInfo.InvariantCulture)),
            ("γ̂", result.Gamma.ToString("0.#####", CultureInfo.InvariantCulture) + (gammaTrue is { } g ? string.Create(CultureInfo.InvariantCulture, $" (true {g:0.#####})") : "")),
            ("iterations", result.Iterations.ToString(CultureInfo.InvariantCulture)),
        };
        if (error is { } e)
        {
            rows.Add(("relative error (up to rotation)", e.ToString("0.0000", CultureInfo.InvariantCulture)));
        }

        var report = new HtmlReport("Multi-target detection in 2D: approximate EM")
            .Paragraph("The target estimated from the whole micrograph without picking: L × L patches, each a shifted, rotated piece of the target or empty, marginalised over every shift and rotation.")
            .Table(rows)
            .Picture(PngEncoder.Encode(montage.Render()), "The estimate, and the truth (when given) turned onto it.");
        // The whole run, earlier runs continued from included.
        var all = IterationFolders.All(dir)
            .Select(x => Path.Combine(x.Folder, StateFileName)).Where(File.Exists)
            .Select(p => TruthFile.Read<Mtd2dState>(p, "cryosharp mtd2d solve")).Where(h => h.Iteration <= result.Iterations).ToList();
        history = all.Count >= history.Count ? all : history;
        if (history.Count > 1)
        {
            var x = history.Select(h => (double)h.Iteration).ToArray();
            report.Plot(new LinePlot { Title = "Log-likelihood per patch", XLabel = "iteration", YLabel = "log-likelihood" }
                .Add("EM", x, [.. history.Select(h => h.LogLikelihoodPerPatch)], markers: true).Render(), "The mean log-likelihood of a patch (up to a constant) rises at every iteration.");
            if (history.All(h => h.RelativeError is not null))
            {
                report.Plot(new LinePlot { Title = "Relative error against the truth", XLabel = "iteration", YLabel = "relative error" }
                    .Add("EM", x, [.. history.Select(h => h.RelativeError!.Value)], markers: true).Render(), "Up to rotation, both centred.");
            }
        }

        report.Save(path);
    }
}
