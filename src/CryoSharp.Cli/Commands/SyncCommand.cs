using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using CryoSharp.Cli.Options;
using CryoSharp.Experiments;
using CryoSharp.Numerics;
using CryoSharp.Reports;
using CryoSharp.Synchronization;

namespace CryoSharp.Cli.Commands;

/// <summary>
/// <c>cryosharp sync phase</c> and <c>cryosharp sync so3</c>: synchronization experiments, |Corr| against noise
/// for several k_max (phases) or ℓ_max (rotations).
/// </summary>
public static class SyncCommand
{
    /// <summary>
    /// One (k_max, noise) cell of a sweep. For rotations k_max is ℓ_max, and the mean angular error after the best
    /// global alignment is reported as well.
    /// </summary>
    public sealed record SyncPoint(int Kmax, double Noise, double CorrMean, double CorrStd, double Seconds,
        double? ErrorMeanDeg = null, double? ErrorStdDeg = null);

    /// <summary>A whole sweep.</summary>
    public sealed record SyncResult(string Group, string Model, int N, double EdgeProbability, int Repetitions, bool SecondStage,
        IReadOnlyList<SyncPoint> Results, string? Plot);

    /// <summary>Builds <c>sync</c> with its subcommands.</summary>
    public static Command Create(GlobalOptions globals, CliConsole console)
    {
        ArgumentNullException.ThrowIfNull(globals);
        return new Command("sync", "Synchronization: recover group elements from noisy pairwise ratios.")
        {
            CreatePhase(globals, console),
            CreateSo3(globals, console),
        };
    }

    private enum NoiseModel
    {
        Corruption,
        Gaussian,
        Perturbation,
    }

    private static readonly (string Name, NoiseModel Value)[] PhaseModels = [("corruption", NoiseModel.Corruption), ("gaussian", NoiseModel.Gaussian)];

    private static readonly (string Name, NoiseModel Value)[] RotationModels = [("corruption", NoiseModel.Corruption), ("perturbation", NoiseModel.Perturbation)];

    private static Command CreatePhase(GlobalOptions globals, CliConsole console)
    {
        var model = ChoiceOption.Create("--model", "corruption: Hᵢⱼ = zᵢz̄ⱼ with probability r = λ/√(n·p), else a random phase; gaussian: H = zz* + σW.", PhaseModels, NoiseModel.Corruption);
        var n = SharedOptions.Count("phases n (the matrices are dense)", 1000);
        var levels = Levels("Noise levels: λ for the corruption model (r = λ/√(n·p), larger is easier), σ/√(n·p) for the Gaussian one (larger is harder), p the edge probability; the spectral threshold is 1 for both.", "0.5:3:0.25");
        var kmax = NumberListOption.Whole("--kmax", "Comma list of k_max (1 is the spectral method).", "1,2,5,10", 64);
        var (repetitions, edges, plot, json) = CommonOptions();
        var secondStage = new Option<bool>("--second-stage") { Description = "Refine with the multi-frequency generalized power method (the paper's second stage)." };
        var phase = new Command("phase", "Phase synchronization by the multi-frequency method (Gao and Zhao, ICML 2019): for each k_max and noise level, the mean and spread of |Corr(x̂, z)| = |x̂*z|/n over seeded repetitions. With the defaults a repetition takes about 45 s on 2 cores, so the 10 take about 8 minutes (progress is shown as it goes).")
        {
            model, n, levels, kmax, repetitions, edges, secondStage, plot, json,
        };
        phase.SetAction(parse =>
        {
            var context = globals.Context(parse);
            bool gaussian = parse.GetValue(model) == NoiseModel.Gaussian;
            int size = (int)SharedOptions.WholeCount(parse, n, 20000, 2, " (the matrices are dense)");
            double p = CheckEdgeProbability(parse.GetValue(edges));
            bool refine = parse.GetValue(secondStage);
            double scale = Math.Sqrt(size * p);
            var result = Sweep("phase", ChoiceOption.NameOf(PhaseModels, parse.GetValue(model)), size, p, parse.GetValue(levels)!, parse.GetValue(kmax)!,
                parse.GetValue(repetitions), refine, globals.Seeds(parse), parse.GetValue(plot), parse.GetValue(json), console, (k, level, seeds) =>
                {
                    var problem = gaussian
                        ? PhaseSynchronizationProblem.Gaussian(size, level * scale, seeds.Spawn("problem"), p, context)
                        : PhaseSynchronizationProblem.Corruption(size, Math.Min(1, level / scale), seeds.Spawn("problem"), p, context);
                    var estimate = PhaseSynchronization.MultiFrequency(problem.Measurements, k, seeds.Spawn("solver"));
                    if (refine)
                    {
                        estimate = PhaseSynchronization.MultiFrequencyRefine(problem.Measurements, k, estimate);
                    }

                    return (problem.Correlation(estimate), null);
                });
            return Report(result, parse.GetValue(json), console);
        });
        return phase;
    }

    private static Command CreateSo3(GlobalOptions globals, CliConsole console)
    {
        var model = ChoiceOption.Create("--model", "corruption: R̃ᵢⱼ = RᵢRⱼᵀ with probability r = λ/√(n·p), else a uniformly random rotation; perturbation: RᵢRⱼᵀ rotated by σ·g radians, g standard normal in ℝ³.", RotationModels, NoiseModel.Corruption);
        var n = SharedOptions.Count("rotations n (the block matrices are 3n to (2ℓ_max+1)·n square)", 300);
        var levels = Levels("Noise levels: λ for the corruption model (r = λ/√(n·p), p the edge probability; larger is easier), σ in degrees for the perturbation one (larger is harder).", "0.5:2.5:0.25");
        var lmax = NumberListOption.Whole("--lmax", "Comma list of ℓ_max, the largest Wigner-D degree (1 is the spectral method).", "1,2,3,4", 8);
        var (repetitions, edges, plot, json) = CommonOptions();
        var so3 = new Command("so3", "Rotation synchronization: the spectral method on the 3n × 3n block matrix with rounding to SO(3), and its multi-frequency extension through Wigner-D representations of degree 1..ℓ_max. For each ℓ_max and noise level, |Corr| (the mean of (1 + 2 cos e)/3 over the angular errors e after the best global rotation) and the mean angular error. With the defaults a repetition takes about 3 minutes on 2 cores (ℓ_max = 4 most of it), so the 10 take about half an hour; --lmax 1,2,3 --repetitions 2 takes about two minutes.")
        {
            model, n, levels, lmax, repetitions, edges, plot, json,
        };
        so3.SetAction(parse =>
        {
            var context = globals.Context(parse);
            bool perturbation = parse.GetValue(model) == NoiseModel.Perturbation;
            int size = (int)SharedOptions.WholeCount(parse, n, 3000, 2, " (the matrices are dense)");
            double p = CheckEdgeProbability(parse.GetValue(edges));
            double scale = Math.Sqrt(size * p);
            var result = Sweep("so3", ChoiceOption.NameOf(RotationModels, parse.GetValue(model)), size, p, parse.GetValue(levels)!, parse.GetValue(lmax)!,
                parse.GetValue(repetitions), false, globals.Seeds(parse), parse.GetValue(plot), parse.GetValue(json), console, (l, level, seeds) =>
                {
                    var problem = perturbation
                        ? RotationSynchronizationProblem.Perturbation(size, level * Math.PI / 180, seeds.Spawn("problem"), p)
                        : RotationSynchronizationProblem.Corruption(size, Math.Min(1, level / scale), seeds.Spawn("problem"), p);
                    var estimate = RotationSynchronization.MultiFrequency(problem.Measurements, l, seeds.Spawn("solver"), context: context);
                    var alignment = problem.Align(estimate);
                    return (problem.Correlation(estimate), alignment.MeanErrorRad * 180 / Math.PI);
                });
            return Report(result, parse.GetValue(json), console);
        });
        return so3;
    }

    private static Option<double[]> Levels(string description, string defaultText) => NumberListOption.Range("--levels", description, defaultText);

    private static (Option<int> Repetitions, Option<double> Edges, Option<string?> Plot, Option<bool> Json) CommonOptions() =>
        (SharedOptions.Repetitions(10),
         new Option<double>("--edge-probability") { Description = "Probability that a pair is observed (1: the complete graph).", DefaultValueFactory = _ => 1.0 },
         SharedOptions.Plot("|Corr| against the noise level, one curve per k_max or ℓ_max"),
         SharedOptions.Json());

    private static int Report(SyncResult result, bool json, CliConsole console) =>
        CommandOutput.Emit(console, json, result, (o, r) => o.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{r.Group}, {r.Model} model, n = {r.N}{(r.EdgeProbability < 1 ? $", edge probability {r.EdgeProbability}" : "")}, {r.Repetitions} repetitions{(r.SecondStage ? ", with the second stage" : "")}: {r.Results.Count} points")));

    private static void PrintPoint(TextWriter output, SyncPoint p, string parameter)
    {
        string error = p.ErrorMeanDeg is { } e ? string.Create(CultureInfo.InvariantCulture, $"  error {e:0.00}° ± {p.ErrorStdDeg:0.00}°") : "";
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {parameter} {p.Kmax,2}  noise {p.Noise,5:0.###}  |Corr| {p.CorrMean:F3} ± {p.CorrStd:F3}{error}  ({p.Seconds:0.00} s per repetition)"));
        output.Flush();
    }

    /// <summary>
    /// Runs <paramref name="trial"/> (k, noise level, seeds) → (|Corr|, angular error or null) for every k, level and
    /// repetition; repetition r draws from the same seeds for every k and level, so every k sees the same instances.
    /// </summary>
    public static SyncResult Sweep(string group, string model, int n, double edgeProbability, IReadOnlyList<double> levels,
        IReadOnlyList<int> kmaxes, int repetitions, bool secondStage, SeedSequence seeds, string? plotPath, bool json, CliConsole console,
        Func<int, double, SeedSequence, (double Corr, double? ErrorDeg)> trial)
    {
        ArgumentNullException.ThrowIfNull(levels);
        ArgumentNullException.ThrowIfNull(kmaxes);
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(trial);
        var cells = (from k in kmaxes from level in levels select (K: k, Level: level)).ToArray();
        string parameter = group == "so3" ? "ℓ_max" : "k_max";
        SyncPoint[] results = [];
        ProgressDisplay.Run(console, "Synchronizing", ExperimentSweep.TotalRepetitions(cells, _ => repetitions), progress =>
            results = ExperimentSweep.Run(cells, _ => repetitions, seeds, (c, repetition) =>
            {
                var clock = Stopwatch.StartNew();
                var (corr, error) = trial(c.K, c.Level, repetition);
                return (Corr: corr, Error: error, clock.Elapsed.TotalSeconds);
            }, (c, trials) =>
            {
                var corr = MeanAndSpread.Of([.. trials.Select(t => t.Corr)]);
                MeanAndSpread? error = trials[0].Error is null ? null : MeanAndSpread.Of([.. trials.Select(t => t.Error!.Value)]);
                return new SyncPoint(c.K, c.Level, corr.Mean, corr.Std, trials.Average(t => t.TotalSeconds), error?.Mean, error?.Std);
            }, progress, point =>
            {
                if (!json)
                {
                    PrintPoint(console.Out, point, parameter);
                }
            }));

        if (plotPath is not null)
        {
            bool rotations = group == "so3";
            var plot = new LinePlot
            {
                Title = string.Create(CultureInfo.InvariantCulture, $"{(rotations ? "SO(3)" : "Phase")} synchronization, {model} model, n = {n}{(edgeProbability < 1 ? $", p = {edgeProbability}" : "")}"),
                XLabel = (model, rotations) switch
                {
                    ("gaussian", _) => "σ/√(np)",
                    ("perturbation", _) => "σ (degrees)",
                    _ => "λ (r = λ/√(np))",
                },
                YLabel = rotations ? "|Corr| = mean (1 + 2 cos e)/3" : "|Corr(x̂, z)|",
                YRange = (0, 1.02),
            };
            foreach (int k in kmaxes)
            {
                var points = results.Where(p => p.Kmax == k).ToList();
                plot.Add($"{(rotations ? "ℓ_max" : "k_max")} = {k}", [.. points.Select(p => p.Noise)], [.. points.Select(p => p.CorrMean)], markers: true);
            }

            plot.Save(plotPath);
        }

        return new SyncResult(group, model, n, edgeProbability, repetitions, secondStage, results, plotPath);
    }

    private static double CheckEdgeProbability(double p) =>
        p is > 0 and <= 1 ? p : throw new InvalidParameterException("--edge-probability", p, "must be in (0, 1]");
}
