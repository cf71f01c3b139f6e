using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using CryoSharp.Reports;
using CryoSharp.Synchronization;

namespace CryoSharp.Cli.Commands;

/// <summary><c>cryosharp sync phase</c>: phase synchronization experiments (|Corr| against noise for several k_max).</summary>
public static class SyncCommand
{
    /// <summary>One (k_max, noise) cell of a sweep.</summary>
    public sealed record SyncPoint(int Kmax, double Noise, double CorrMean, double CorrStd, double Seconds);

    /// <summary>A whole sweep.</summary>
    public sealed record SyncResult(string Model, int N, int Trials, bool SecondStage, IReadOnlyList<SyncPoint> Results, string? Plot);

    /// <summary>Builds <c>sync</c> with its subcommands.</summary>
    public static Command Create(GlobalOptions globals, CliConsole console)
    {
        ArgumentNullException.ThrowIfNull(globals);
        var model = new Option<string>("--model") { Description = "corruption: Hᵢⱼ = zᵢz̄ⱼ with probability r = λ/√n, else a random phase; gaussian: H = zz* + σW.", DefaultValueFactory = _ => "corruption" };
        model.AcceptOnlyFromAmong("corruption", "gaussian");
        var n = new Option<int>("--n") { Description = "Number of phases.", DefaultValueFactory = _ => 1000 };
        var noise = new Option<string>("--noise") { Description = "Noise levels, 'start:stop:step' or a comma list: λ for the corruption model (r = λ/√n), σ/√n for the Gaussian one.", DefaultValueFactory = _ => "0.5:3:0.25" };
        var kmax = new Option<string>("--kmax") { Description = "Comma list of k_max (1 is the spectral method).", DefaultValueFactory = _ => "1,2,5,10" };
        var trials = new Option<int>("--trials") { Description = "Independent seeded instances per point.", DefaultValueFactory = _ => 10 };
        var secondStage = new Option<bool>("--second-stage") { Description = "Refine with the multi-frequency generalized power method (the paper's second stage)." };
        var plot = new Option<string?>("--plot") { Description = "Write |Corr| against noise, one curve per k_max, as SVG to this file." };
        var json = CommandOptions.Json();
        var phase = new Command("phase", "Phase synchronization by the multi-frequency method (Gao and Zhao, ICML 2019): for each k_max and noise level, the mean and spread of |Corr(x̂, z)| = |x̂*z|/n over seeded trials.")
        {
            model, n, noise, kmax, trials, secondStage, plot, json,
        };
        phase.SetAction(parse =>
        {
            var result = Run(parse.GetValue(model)!, parse.GetValue(n), ParseLevels(parse.GetValue(noise)!), ParseKmax(parse.GetValue(kmax)!),
                parse.GetValue(trials), parse.GetValue(secondStage), parse.GetValue(globals.Seed), parse.GetValue(plot), console);
            if (parse.GetValue(json))
            {
                JsonOutput.Write(console.Out, result);
            }
            else
            {
                console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{result.Model} model, n = {result.N}, {result.Trials} trials{(result.SecondStage ? ", with the second stage" : "")}:"));
                foreach (var p in result.Results)
                {
                    console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  k_max {p.Kmax,2}  noise {p.Noise,5:0.###}  |Corr| {p.CorrMean:F3} ± {p.CorrStd:F3}  ({p.Seconds:0.00} s per trial)"));
                }
            }

            return CryoSharpApp.Success;
        });
        return new Command("sync", "Synchronization: recover group elements from noisy pairwise ratios.") { phase };
    }

    /// <summary>Runs the sweep.</summary>
    public static SyncResult Run(string model, int n, IReadOnlyList<double> levels, IReadOnlyList<int> kmaxes, int trials, bool secondStage, int seed,
        string? plotPath, CliConsole console)
    {
        ArgumentNullException.ThrowIfNull(levels);
        ArgumentNullException.ThrowIfNull(kmaxes);
        ArgumentNullException.ThrowIfNull(console);
        if (n is < 2 or > 20000)
        {
            throw new InvalidParameterException("--n", n, "must be between 2 and 20000 (the matrices are dense)");
        }

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
                    var clock = Stopwatch.StartNew();
                    for (int t = 0; t < trials; t++)
                    {
                        int trialSeed = seed + (1000 * t);
                        var problem = model == "gaussian"
                            ? PhaseSynchronizationProblem.Gaussian(n, level * Math.Sqrt(n), trialSeed)
                            : PhaseSynchronizationProblem.Corruption(n, level / Math.Sqrt(n), trialSeed);
                        var estimate = PhaseSynchronization.MultiFrequency(problem.Measurements, k, trialSeed);
                        if (secondStage)
                        {
                            estimate = PhaseSynchronization.MultiFrequencyRefine(problem.Measurements, k, estimate);
                        }

                        correlations[t] = problem.Correlation(estimate);
                        progress.Report(++done);
                    }

                    double mean = correlations.Average();
                    double std = Math.Sqrt(correlations.Sum(c => (c - mean) * (c - mean)) / Math.Max(1, trials - 1));
                    results.Add(new SyncPoint(k, level, mean, std, clock.Elapsed.TotalSeconds / trials));
                }
            }
        });

        if (plotPath is not null)
        {
            var plot = new SvgLinePlot
            {
                Title = $"Phase synchronization, {model} model, n = {n}",
                XLabel = model == "gaussian" ? "σ/√n" : "λ (r = λ/√n)",
                YLabel = "|Corr(x̂, z)|",
                YRange = (0, 1.02),
            };
            foreach (int k in kmaxes)
            {
                var points = results.Where(p => p.Kmax == k).ToList();
                plot.Add($"k_max = {k}", [.. points.Select(p => p.Noise)], [.. points.Select(p => p.CorrMean)], markers: true);
            }

            plot.Save(plotPath);
        }

        return new SyncResult(model, n, trials, secondStage, results, plotPath);
    }

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

    private static int[] ParseKmax(string text)
    {
        try
        {
            var values = text.Split(',').Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToArray();
            return values.All(v => v is >= 1 and <= 64) ? values : throw new FormatException();
        }
        catch (FormatException)
        {
            throw new InvalidParameterException("--kmax", text, "must be a comma list of whole numbers from 1 to 64");
        }
    }
}
