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
/// <c>cryosharp mtd2d solve</c>: a 2D target estimated straight from a micrograph, without picking, by fitting its
/// rotation-averaged autocorrelations (<c>--method autocorrelation</c>, saved under <c>DIR/autocorrelation/</c>) or by
/// the approximate EM over patches started from that fit or at random (<c>--method em</c>), with per-iteration
/// results under <c>DIR/iterNNN/</c> and <c>--continue</c>.
/// </summary>
public static class Mtd2dCommand
{
    private const string RunFileName = "run.json";
    private const string StateFileName = "state.json";

    /// <summary>The settings of a run, saved as DIR/run.json so that <c>--continue DIR</c> needs nothing else.</summary>
    public sealed record Mtd2dRun(string Micrograph, int TargetSize, double? Sigma, string Method, string EmStart, int Restarts, int Rotations, double BandLimit,
        double Tolerance, double StartGamma, bool Centre, string? Truth, long Seed);

    /// <summary>The autocorrelation fit, DIR/autocorrelation/state.json.</summary>
    public sealed record Mtd2dAutocorrelation(float[] Real, float[] Imaginary, double Gamma, double Sigma, double Objective, double? ObjectiveAtTruth,
        double[] StartObjectives, int RejectedStarts, double? RelativeError, double PassSeconds, double FitSeconds, double PixelsPerSecond);

    /// <summary>An iteration's state, DIR/iterNNN/state.json.</summary>
    public sealed record Mtd2dState(int Iteration, float[] Real, float[] Imaginary, double[] ShiftPrior, double Gamma, double LogLikelihoodPerPatch,
        double Change, double? RelativeError, double Seconds);

    /// <summary>What <c>mtd2d solve</c> found.</summary>
    public sealed record Mtd2dResult(string Method, string EmStart, string Estimate, string Report, int TargetSize, int Width, int Height, long Patches,
        double Sigma, double Gamma, double? GammaTrue, double? RelativeError, double? RotationDeg, int Iterations, int ContinuedFrom, double Seconds,
        double PatchesPerSecond, Mtd2dAutocorrelation? Autocorrelation, IReadOnlyList<Mtd2dState> History);

    private const string AutocorrelationFolder = "autocorrelation";

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
        var sigma = new Option<double?>("--sigma") { Description = "Noise standard deviation (default: truth.json beside the micrograph, else estimated by the autocorrelation fit)." };
        var method = ChoiceOption.Create("--method", "autocorrelation: fit the micrograph's rotation-averaged first three autocorrelations (one pass); em: approximate EM over L × L patches.",
            SharedOptions.MtdMethodChoices, MtdMethod.Em);
        var emStart = SharedOptions.EmStart();
        var restarts = SharedOptions.Restarts(6, "the autocorrelation fit");
        var rotations = new Option<int>("--rotations", "-K") { Description = "K, in-plane rotations tried (2π/K apart); 16 is the paper's setting, but its 22.5° steps leave a floor on the error (a 9-px target at SNR 2: 0.027 with K = 16, 0.009 with 32, at twice the time per iteration).", DefaultValueFactory = _ => 16 };
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
        var command = new Command("solve", "Estimate the target and the density γ from the micrograph by its autocorrelations or by approximate EM, with the error against --truth.")
        {
            micrograph, targetSize, sigma, method, emStart, restarts, rotations, iterations, tolerance, bandLimit, startGamma, centre, truth, output, resume, json,
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
                if (run.Method == "autocorrelation")
                {
                    throw new InvalidParameterException("--continue", folder, "holds an autocorrelation fit, which has no iterations to continue");
                }

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
                var chosen = parse.GetValue(method);
                var start = parse.GetValue(emStart);
                double? s = parse.GetValue(sigma) ?? simulated?.Sigma;
                if (s is null && chosen == MtdMethod.Em && start == SharedOptions.EmStartKind.Random)
                {
                    throw new InvalidParameterException("--sigma", "(missing)", $"is required for EM from a random start: there is no {MicrographDataset.TruthFileName} beside the micrograph");
                }

                if (parse.GetValue(restarts) < 1)
                {
                    throw new InvalidParameterException("--restarts", parse.GetValue(restarts), "must be at least 1");
                }

                run = new Mtd2dRun(Path.GetFullPath(path), l, s, chosen == MtdMethod.Em ? "em" : "autocorrelation", start == SharedOptions.EmStartKind.Random ? "random" : "autocorrelation",
                    parse.GetValue(restarts), parse.GetValue(rotations), parse.GetValue(bandLimit), parse.GetValue(tolerance), parse.GetValue(startGamma),
                    parse.GetValue(centre), parse.GetValue(truth) is { } t ? Path.GetFullPath(t) : null, globals.Seeds(parse).Seed);
                OutputSafety.RefuseOverwritingInputs([(run.Micrograph, "--micrograph"), (run.Truth, "--truth")],
                    ((string[])["estimate.mrc", "report.html", RunFileName]).Select(n => (Path.Combine(dir, n), "--out")));
            }

            var result = Solve(console, globals, parse, run, dir, last, parse.GetValue(iterations));
            return CommandOutput.Emit(console, parse.GetValue(json), result, (o, r) =>
            {
                if (r.Autocorrelation is { } a)
                {
                    o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"autocorrelation: L = {r.TargetSize}, σ{(run.Sigma is null ? "̂" : "")} = {a.Sigma:0.####}: {(a.RelativeError is { } ae ? $"relative error {ae:0.0000}, " : "")}γ̂ = {a.Gamma:0.#####}, objective {a.Objective:0.###e0}{(a.ObjectiveAtTruth is { } ot ? $" ({ot:0.###e0} at the truth)" : "")}; pass {a.PassSeconds:0.0} s ({a.PixelsPerSecond / 1e6:0.00} Mpixel/s), fit {a.FitSeconds:0.0} s."));
                }

                if (r.Method == "em")
                {
                    o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"em from {r.EmStart}: L = {r.TargetSize}, {r.Patches} patches, σ = {r.Sigma:0.####}: {(r.RelativeError is { } e ? $"relative error {e:0.0000} (rotation {r.RotationDeg:0.0}°), " : "")}γ̂ = {r.Gamma:0.#####}{(r.GammaTrue is { } g ? $" (γ = {g:0.#####})" : "")}, {r.Iterations} iterations, {r.Seconds:0.0} s ({r.PatchesPerSecond:0} patches/s per iteration)."));
                }

                o.WriteLine($"Estimate: {r.Estimate}; report: {r.Report}");
            });
        });
        return command;
    }

    private static Mtd2dResult Solve(CliConsole console, GlobalOptions globals, ParseResult parse, Mtd2dRun run, string dir, Mtd2dState? last, int maxIterations)
    {
        using var micrograph = new MrcMicrograph(run.Micrograph);
        var seeds = new SeedSequence(run.Seed);
        // The basis the EM works in: the truth is expanded and every iteration's image evaluated in it.
        var basis = new FourierBesselBasis(run.TargetSize, bandLimit: run.BandLimit);
        ComplexF[]? truthCoefficients = null, truthAsGiven = null;
        if (run.Truth is not null)
        {
            using var reader = new MrcReader(run.Truth);
            if (reader.SectionCount != 1 || reader.SectionShape.Nx != run.TargetSize || reader.SectionShape.Ny != run.TargetSize)
            {
                throw new InvalidFileException(run.Truth, $"is {reader.SectionShape} × {reader.SectionCount}; the truth is one {run.TargetSize} × {run.TargetSize} image");
            }

            var truthImage = reader.ReadImage(0);

            // Scored centred (so is the estimate); the objective at the truth takes it where it is, as the copies were made.
            truthAsGiven = new ComplexF[basis.Count];
            basis.FitLeastSquares(truthImage.Data, truthAsGiven);
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

        // The autocorrelation fit: the answer, or EM's start; a continued EM run shows the saved one again.
        Mtd2dAutocorrelation? fit = null;
        string fitState = Path.Combine(dir, AutocorrelationFolder, StateFileName);
        if (run.Method == "autocorrelation" || (run.EmStart == "autocorrelation" && last is null))
        {
            fit = FitAutocorrelations(console, globals, parse, run, dir, micrograph, basis, truthCoefficients, truthAsGiven, gammaTrue, seeds);
        }
        else if (last is null)
        {
            // A fresh EM run from a random start: an earlier run's fit in this folder is not this run's.
            if (Directory.Exists(Path.Combine(dir, AutocorrelationFolder)))
            {
                Directory.Delete(Path.Combine(dir, AutocorrelationFolder), recursive: true);
            }
        }
        else if (File.Exists(fitState))
        {
            fit = TruthFile.Read<Mtd2dAutocorrelation>(fitState, "cryosharp mtd2d solve");
        }

        if (run.Method == "autocorrelation")
        {
            var coefficients = Coefficients(fit!.Real, fit.Imaginary);
            var image = new Image(basis.Box, basis.Box, micrograph.PixelSizeA);
            basis.Evaluate(coefficients, 1, image.Data);
            double? degrees = truthCoefficients is null ? null : RotatedImageError.Of(basis, coefficients, truthCoefficients).AngleRad * 180 / Math.PI;
            MrcWriter.Write(set.Stage("estimate.mrc"), image);
            SaveReport(set.Stage("report.html"), dir, run, image, fit, null, [], basis, truthCoefficients, degrees, fit.Gamma, gammaTrue);
            set.Commit();
            return new Mtd2dResult("autocorrelation", "-", Path.Combine(dir, "estimate.mrc"), Path.Combine(dir, "report.html"), run.TargetSize, micrograph.Width,
                micrograph.Height, 0, fit.Sigma, fit.Gamma, gammaTrue, fit.RelativeError, degrees, 0, 0, fit.PassSeconds + fit.FitSeconds, 0, fit, []);
        }

        double sigma = run.Sigma ?? fit?.Sigma
            ?? throw new InvalidParameterException("--continue", dir, $"has no σ in {RunFileName} and no autocorrelation fit to take it from");
        var history = new List<Mtd2dState>();
        int firstIteration = last?.Iteration ?? 0;
        int remaining = Math.Max(0, maxIterations - firstIteration);
        bool fromFit = last is null && fit is not null;
        var options = new MicrographEmOptions
        {
            Rotations = run.Rotations,
            MaxIterations = remaining,
            Tolerance = run.Tolerance,
            BandLimit = run.BandLimit,

            // The prior must leave mass for the empty patch: γ/L² on (2L − 1)² shifts stays below 1.
            StartGamma = fromFit ? Math.Clamp(fit!.Gamma, 1e-4, 0.25) : run.StartGamma,
            Centre = run.Centre,
            Seeds = seeds.Spawn("em"),
            Start = last is not null ? Coefficients(last.Real, last.Imaginary) : fromFit ? Coefficients(fit!.Real, fit.Imaginary) : null,
            StartPrior = last?.ShiftPrior,
            FirstIteration = firstIteration,
            Context = globals.Context(parse),
        };

        MicrographEmResult result = null!;
        ProgressDisplay.Run(console, "EM", remaining, progress =>
        {
            result = MicrographExpectationMaximization.Solve(micrograph, run.TargetSize, sigma, options with
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
        SaveReport(set.Stage("report.html"), dir, run, result.Estimate, fit, result, history, basis, truthCoefficients, rotation, result.Gamma, gammaTrue);
        set.Commit();
        double perIteration = history.Count == 0 ? 0 : history.Average(h => h.Seconds);
        return new Mtd2dResult("em", run.EmStart, Path.Combine(dir, "estimate.mrc"), Path.Combine(dir, "report.html"), run.TargetSize, micrograph.Width, micrograph.Height,
            result.Patches, sigma, result.Gamma, gammaTrue, relative, rotation, result.Iterations, firstIteration, result.Seconds,
            perIteration > 0 ? result.Patches / perIteration : 0, fit, history);
    }

    private static ComplexF[] Coefficients(float[] real, float[] imaginary) => [.. real.Select((re, c) => new ComplexF(re, imaginary[c]))];

    /// <summary>The autocorrelation pass and fit, saved as DIR/autocorrelation/ (estimate.mrc, state.json).</summary>
    private static Mtd2dAutocorrelation FitAutocorrelations(CliConsole console, GlobalOptions globals, ParseResult parse, Mtd2dRun run, string dir,
        MrcMicrograph micrograph, FourierBesselBasis basis, ComplexF[]? truthCoefficients, ComplexF[]? truthAsGiven, double? gammaTrue, SeedSequence seeds)
    {
        // Progress in units of one start, the pass counted as one: a start takes about as long as the pass over 10⁸ pixels.
        const int passUnits = 100;
        const int unitsPerStart = 100;
        MicrographAutocorrelations raw = null!;
        MicrographAutocorrelationEstimate estimate = null!;
        ProgressDisplay.RunPhases(console, "autocorrelation pass", passUnits + (unitsPerStart * run.Restarts), (progress, phase) =>
        {
            var options = new MicrographAutocorrelationFitOptions
            {
                TargetSize = run.TargetSize,
                Sigma = run.Sigma,
                BandLimit = run.BandLimit,
                Restarts = run.Restarts,
                Centre = run.Centre,
                Seeds = seeds.Spawn("autocorrelation"),
                Context = globals.Context(parse),
            };
            int shown = 0;
            raw = MicrographAutocorrelations.Compute(micrograph, run.TargetSize, options.Context, fraction =>
            {
                // Bands finish on several threads; report only forward.
                int units = (int)(fraction * passUnits);
                lock (progress)
                {
                    if (units > shown)
                    {
                        shown = units;
                        progress.Report(units);
                    }
                }
            });
            phase("autocorrelation fit");
            estimate = MicrographAutocorrelationFitting.Fit(raw, micrograph.PixelSizeA, options with
            {
                Progress = done =>
                {
                    lock (progress)
                    {
                        progress.Report(passUnits + (unitsPerStart * done));
                    }
                },
            });
        });

        double? error = truthCoefficients is null ? null : RotatedImageError.Of(basis, estimate.Coefficients, truthCoefficients).Error;
        double? atTruth = truthAsGiven is not null && gammaTrue is { } g
            ? MicrographAutocorrelationFitting.Objective(raw, basis, truthAsGiven, g, estimate.Sigma)
            : null;
        var state = new Mtd2dAutocorrelation([.. estimate.Coefficients.Select(c => c.Re)], [.. estimate.Coefficients.Select(c => c.Im)], estimate.Gamma,
            estimate.Sigma, estimate.Objective, atTruth, estimate.StartObjectives, estimate.RejectedStarts, error, estimate.PassSeconds, estimate.FitSeconds, estimate.PixelsPerSecond);
        using var set = OutputSet.Begin(Path.Combine(dir, AutocorrelationFolder));
        MrcWriter.Write(set.Stage("estimate.mrc"), estimate.Estimate);
        TruthFile.Write(set.Stage(StateFileName), state);
        set.Commit();
        return state;
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

    private static void SaveReport(string path, string dir, Mtd2dRun run, Image estimate, Mtd2dAutocorrelation? fit, MicrographEmResult? em,
        List<Mtd2dState> history, FourierBesselBasis basis, ComplexF[]? truthCoefficients, double? rotationDeg, double gamma, double? gammaTrue)
    {
        int l = run.TargetSize, scale = Math.Max(1, 160 / l);
        int panels = 1 + (em is not null && fit is not null ? 1 : 0) + (truthCoefficients is not null && rotationDeg is not null ? 1 : 0);
        var montage = new Montage { Columns = panels, Scale = scale }.Add(estimate, em is null ? "fit" : "EM");
        if (em is not null && fit is not null)
        {
            var start = new Image(l, l, estimate.PixelSizeA);
            basis.Evaluate(Coefficients(fit.Real, fit.Imaginary), 1, start.Data);
            montage.Add(start, "fit");
        }

        if (truthCoefficients is not null && rotationDeg is { } degrees)
        {
            // The truth turned onto the estimate, so the two can be compared by eye.
            var turned = (ComplexF[])truthCoefficients.Clone();
            basis.Rotate(turned, degrees * Math.PI / 180);
            var image = new Image(l, l, estimate.PixelSizeA);
            basis.Evaluate(turned, 1, image.Data);
            montage.Add(image, "truth");
        }

        var rows = new List<(string, string)>
        {
            ("micrograph", run.Micrograph),
            ("method", em is null ? "autocorrelation" : $"EM from {run.EmStart}"),
            ("L, band limit", string.Create(CultureInfo.InvariantCulture, $"{l}, {run.BandLimit}")),
            ("σ", (run.Sigma ?? fit?.Sigma ?? 0).ToString("0.#####", CultureInfo.InvariantCulture) + (run.Sigma is null ? " (estimated)" : "")),
            ("γ̂", gamma.ToString("0.#####", CultureInfo.InvariantCulture) + (gammaTrue is { } g ? string.Create(CultureInfo.InvariantCulture, $" (true {g:0.#####})") : "")),
        };
        if (fit is not null)
        {
            rows.Add(("autocorrelation fit", string.Create(CultureInfo.InvariantCulture,
                $"{fit.StartObjectives.Length} starts{(fit.RejectedStarts > 0 ? $" ({fit.RejectedStarts} more rejected: γ ≤ 0 or σ² < 0)" : "")}, objective {fit.Objective:0.###e0}{(fit.ObjectiveAtTruth is { } t ? $" ({t:0.###e0} at the truth)" : "")}; pass {fit.PassSeconds:0.0} s ({fit.PixelsPerSecond / 1e6:0.00} Mpixel/s), fit {fit.FitSeconds:0.0} s")));
            if (fit.RelativeError is { } fe)
            {
                rows.Add(("autocorrelation relative error", fe.ToString("0.0000", CultureInfo.InvariantCulture)));
            }
        }

        if (em is not null)
        {
            rows.Add(("EM", string.Create(CultureInfo.InvariantCulture, $"{em.Patches} patches, K = {run.Rotations}, {em.Iterations} iterations")));
            if (history.Count > 0 && history[^1].RelativeError is { } e)
            {
                rows.Add(("EM relative error (up to rotation)", e.ToString("0.0000", CultureInfo.InvariantCulture)));
            }
        }

        var report = new HtmlReport("Multi-target detection in 2D")
            .Paragraph(em is null
                ? "The target estimated from the whole micrograph without picking, from its first three autocorrelations: their model for copies under uniformly random in-plane rotations, fitted by least squares from random starts. An objective below the truth's means the data, not the fit, limit the estimate."
                : "The target estimated from the whole micrograph without picking: L × L patches, each a shifted, rotated piece of the target or empty, marginalised over every shift and rotation.")
            .Table(rows)
            .Picture(PngEncoder.Encode(montage.Render()), "The estimate (fit: the autocorrelation fit; EM), the fit EM started from (when it did), and the truth (when given) turned onto the estimate.");
        if (em is not null)
        {
            // The whole run, earlier runs continued from included.
            var all = IterationFolders.All(dir)
                .Select(x => Path.Combine(x.Folder, StateFileName)).Where(File.Exists)
                .Select(p => TruthFile.Read<Mtd2dState>(p, "cryosharp mtd2d solve")).Where(h => h.Iteration <= em.Iterations).ToList();
            history = all.Count >= history.Count ? all : history;
            if (history.Count > 1)
            {
                var x = history.Select(h => (double)h.Iteration).ToArray();
                report.Plot(new LinePlot { Title = "Log-likelihood per patch", XLabel = "iteration", YLabel = "log-likelihood" }
                    .Add("EM", x, [.. history.Select(h => h.LogLikelihoodPerPatch)], markers: true).Render(), "The mean log-likelihood of a patch (up to a constant) rises at every iteration.");
                if (history.All(h => h.RelativeError is not null))
                {
                    var plot = new LinePlot { Title = "Relative error against the truth", XLabel = "iteration", YLabel = "relative error" }
                        .Add("EM", x, [.. history.Select(h => h.RelativeError!.Value)], markers: true);
                    if (fit?.RelativeError is { } start)
                    {
                        plot.Add("autocorrelation", [x[0], x[^1]], [start, start]);
                    }

                    report.Plot(plot.Render(), "Up to rotation, both centred.");
                }
            }
        }

        report.Save(path);
    }
}
