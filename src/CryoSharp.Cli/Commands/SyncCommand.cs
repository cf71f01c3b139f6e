using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using CryoSharp.Geometry;
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
    public sealed record SyncResult(string Group, string Model, int N, double EdgeProbability, int Trials, bool SecondStage,
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

    private static Command CreatePhase(GlobalOptions globals, CliConsole console)
    {
        var model = new Option<string>("--model") { Description = "corruption: Hᵢⱼ = zᵢz̄ⱼ with probability r = λ/√(n·p), else a random phase; gaussian: H = zz* + σW.", DefaultValueFactory = _ => "corruption" };
        model.AcceptOnlyFromAmong("corruption", "gaussian");
        var n = new Option<int>("--n") { Description = "Number of phases.", DefaultValueFactory = _ => 1000 };
        var noise = new Option<string>("--noise") { Description = "Noise levels, 'start:stop:step' or a comma list: λ for the corruption model (r = λ/√(n·p)), σ/√(n·p) for the Gaussian one (p the edge probability); the spectral threshold is 1 for both.", DefaultValueFactory = _ => "0.5:3:0.25" };
        var kmax = new Option<string>("--kmax") { Description = "Comma list of k_max (1 is the spectral method).", DefaultValueFactory = _ => "1,2,5,10" };
        var (trials, edges, plot, json) = SharedOptions();
        var secondStage = new Option<bool>("--second-stage") { Description = "Refine with the multi-frequency generalized power method (the paper's second stage)." };
        var phase = new Command("phase", "Phase synchronization by the multi-frequency method (Gao and Zhao, ICML 2019): for each k_max and noise level, the mean and spread of |Corr(x̂, z)| = |x̂*z|/n over seeded trials.")
        {
            model, n, noise, kmax, trials, edges, secondStage, plot, json,
        };
        phase.SetAction(parse =>
        {
            var context = globals.Context(parse);
            string m = parse.GetValue(model)!;
            int size = CheckSize(parse.GetValue(n), 20000);
            double p = CheckEdgeProbability(parse.GetValue(edges));
            bool refine = parse.GetValue(secondStage);
            double scale = Math.Sqrt(size * p);
            var result = Sweep("phase", m, size, p, ParseLevels(parse.GetValue(noise)!), ParseList(parse.GetValue(kmax)!, "--kmax", 64),
                parse.GetValue(trials), refine, parse.GetValue(globals.Seed), parse.GetValue(plot), console, (k, level, seed) =>
                {
                    var problem = m == "gaussian"
                        ? PhaseSynchronizationProblem.Gaussian(size, level * scale, seed, p, context)
                        : PhaseSynchronizationProblem.Corruption(size, Math.Min(1, level / scale), seed, p, context);
                    var estimate = PhaseSynchronization.MultiFrequency(problem.Measurements, k, seed);
                    if (refine)
                    {
                        estimate = PhaseSynchronization.MultiFrequencyRefine(problem.Measurements, k, estimate);
                    }

                    return (problem.Correlation(estimate), null);
                });
            return Report(result, parse.GetValue(json), console, "k_max");
        });
        return phase;
    }

    private static Command CreateSo3(GlobalOptions globals, CliConsole console)
    {
        var model = new Option<string>("--model") { Description = "corruption: R̃ᵢⱼ = RᵢRⱼᵀ with probability r = λ/√(n·p), else a uniformly random rotation; perturbation: RᵢRⱼᵀ rotated by σ·g radians, g standard normal in ℝ³.", DefaultValueFactory = _ => "corruption" };
        model.AcceptOnlyFromAmong("corruption", "perturbation");
        var n = new Option<int>("--n") { Description = "Number of rotations (the block matrices are 3n to (2ℓ_max+1)·n square).", DefaultValueFactory = _ => 300 };
        var noise = new Option<string>("--noise") { Description = "Noise levels, 'start:stop:step' or a comma list: λ for the corruption model (r = λ/√(n·p), p the edge probability), σ in degrees for the perturbation one.", DefaultValueFactory = _ => "0.5:2.5:0.25" };
        var lmax = new Option<string>("--lmax") { Description = "Comma list of ℓ_max, the largest Wigner-D degree (1 is the spectral method).", DefaultValueFactory = _ => "1,2,3,4" };
        var (trials, edges, plot, json) = SharedOptions();
        var so3 = new Command("so3", "Rotation synchronization: the spectral method on the 3n × 3n block matrix with rounding to SO(3), and its multi-frequency extension through Wigner-D representations of degree 1..ℓ_max. For each ℓ_max and noise level, |Corr| (the mean of (1 + 2 cos e)/3 over the angular errors e after the best global rotation) and the mean angular error.")
        {
            model, n, noise, lmax, trials, edges, plot, json,
        };
        so3.SetAction(parse =>
        {
            var context = globals.Context(parse);
            string m = parse.GetValue(model)!;
            int size = CheckSize(parse.GetValue(n), 3000);
            double p = CheckEdgeProbability(parse.GetValue(edges));
            double scale = Math.Sqrt(size * p);
            var result = Sweep("so3", m, size, p, ParseLevels(parse.GetValue(noise)!), ParseList(parse.GetValue(lmax)!, "--lmax", 8),
                parse.GetValue(trials), false, parse.GetValue(globals.Seed), parse.GetValue(plot), console, (l, level, seed) =>
                {
                    var problem = m == "perturbation"
                        ? RotationSynchronizationProblem.Perturbation(size, level * Math.PI / 180, seed, p)
                        : RotationSynchronizationProblem.Corruption(size, Math.Min(1, level / scale), seed, p);
                    var estimate = RotationSynchronization.MultiFrequency(problem.Measurements, l, seed, context: context);
                    var alignment = problem.Align(estimate);
                    return (problem.Correlation(estimate), alignment.MeanErrorRad * 180 / Math.PI);
                });
            return Report(result, parse.GetValue(json), console, "ℓ_max");
        });
        return so3;
    }

    private static (Option<int> Trials, Option<double> Edges, Option<string?> Plot, Option<bool> Json) SharedOptions() =>
        (new Option<int>("--trials") { Description = "Independent seeded instances per point.", DefaultValueFactory = _ => 10 },
         new Option<double>("--edge-probability") { Description = "Probability that a pair is observed (1: the complete graph).", DefaultValueFactory = _ => 1.0 },
         new Option<string?>("--plot") { Description = "Write |Corr| against noise, one curve per k_max or ℓ_max, as SVG to this file." },
         CommandOptions.Json());

    private static int Report(SyncResult result, bool json, CliConsole console, string parameter)
    {
        if (json)
        {
            JsonOutput.Write(console.Out, result);
            return CryoSharpApp.Success;
        }

        string graph = result.EdgeProbability < 1 ? string.Create(CultureInfo.InvariantCulture, $", edge probability {result.EdgeProbability}") : "";
        console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{result.Group}, {result.Model} model, n = {result.N}{graph}, {result.Trials} trials{(result.SecondStage ? ", with the second stage" : "")}:"));
        foreach (var p in result.Results)
        {
            string error = p.ErrorMeanDeg is { } e ? string.Create(CultureInfo.InvariantCulture, $"  error {e:0.00}° ± {p.ErrorStdDeg:0.00}°") : "";
            console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {parameter} {p.Kmax,2}  noise {p.Noise,5:0.###}  |Corr| {p.CorrMean:F3} ± {p.CorrStd:F3}{error}  ({p.Seconds:0.00} s per trial)"));
        }

        return CryoSharpApp.Success;
    }

    /// <summary>
    /// Runs <paramref name="trial"/> (k, noise level, seed) → (|Corr|, angular error or null) for every k, level and
    /// trial; trial t uses seed + 1000·t, so every k sees the same instances.
    /// </summary>
    public static SyncResult Sweep(string group, string model, int n, double edgeProbability, IReadOnlyList<double> levels,
        IReadOnlyList<int> kmaxes, int trials, bool secondStage, int seed, string? plotPath, CliConsole console,
        Func<int, double, int, (double Corr, double? ErrorDeg)> trial)
    {
        ArgumentNullException.ThrowIfNull(levels);
        ArgumentNullException.ThrowIfNull(kmaxes);
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(trial);
        if (trials < 1)
        {
            throw new InvalidParameterException("--trials", trials, "must be at least 1");
        }

        var results = new List<SyncPoint>();
        ProgressDisplay.Run(console, "Synchronizing", (long)levels.Count * kmaxes.Count * trials, progress =>
        {
            long done = 0;
            foreach (int k in kmaxes)
            {
                foreach (double level in levels)
                {
                    var correlations = new double[trials];
                    var errors = new double?[trials];
                    var clock = Stopwatch.StartNew();
                    for (int t = 0; t < trials; t++)
                    {
                        (correlations[t], errors[t]) = trial(k, level, seed + (1000 * t));
                        progress.Report(++done);
                    }

                    var (corrMean, corrStd) = SweepPlot.MeanAndSpread(correlations);
                    double? errorMean = null, errorStd = null;
                    if (errors[0] is not null)
                    {
                        (var em, var es) = SweepPlot.MeanAndSpread([.. errors.Select(e => e!.Value)]);
                        (errorMean, errorStd) = (em, es);
                    }

                    results.Add(new SyncPoint(k, level, corrMean, corrStd, clock.Elapsed.TotalSeconds / trials, errorMean, errorStd));
                }
            }
        });

        if (plotPath is not null)
        {
            bool rotations = group == "so3";
            var plot = new SvgLinePlot
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

        return new SyncResult(group, model, n, edgeProbability, trials, secondStage, results, plotPath);
    }

    private static int CheckSize(int n, int limit) =>
        n >= 2 && n <= limit ? n : throw new InvalidParameterException("--n", n, $"must be between 2 and {limit} (the matrices are dense)");

    private static double CheckEdgeProbability(double p) =>
        p is > 0 and <= 1 ? p : throw new InvalidParameterException("--edge-probability", p, "must be in (0, 1]");

    /// <summary>'start:stop:step' or a comma list of numbers.</summary>
    internal static double[] ParseLevels(string text)
    {
        var c = CultureInfo.InvariantCulture;
        var parts = text.Split(':');
        try
        {
            if (parts.Length == 3)
            {
                double start = double.Parse(parts[0], c), stop = double.Parse(parts[1], c), step = double.Parse(parts[2], c);
                if (!(step > 0) || stop < start)
                {
                    throw new InvalidParameterException("--noise", text, "needs start ≤ stop and a positive step");
                }

                int count = (int)Math.Floor(((stop - start) / step) + 1e-9) + 1;
                return [.. Enumerable.Range(0, count).Select(i => Math.Round(start + (i * step), 12))];
            }

            return [.. text.Split(',').Select(p => double.Parse(p, c))];
        }
        catch (FormatException)
        {
            throw new InvalidParameterException("--noise", text, "must be 'start:stop:step' or a comma list of numbers");
        }
    }

    private static int[] ParseList(string text, string option, int limit)
    {
        try
        {
            var values = text.Split(',').Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToArray();
            return values.All(v => v >= 1 && v <= limit) ? values : throw new FormatException();
        }
        catch (FormatException)
        {
            throw new InvalidParameterException(option, text, $"must be a comma list of whole numbers from 1 to {limit}");
        }
    }
}
