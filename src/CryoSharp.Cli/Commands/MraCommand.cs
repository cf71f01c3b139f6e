using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using CryoSharp.Imaging;
using CryoSharp.IO;
using CryoSharp.Moments;
using CryoSharp.Reports;

namespace CryoSharp.Cli.Commands;

/// <summary><c>cryosharp mra simulate|solve|sweep</c>: multireference alignment in 1D.</summary>
public static class MraCommand
{
    /// <summary>The ground truth of a simulation, as <c>truth.json</c> holds it.</summary>
    public sealed record MraTruth(int Length, long Count, double Sigma, string Signal, string Shifts, int Seed, double[] X, double[] Rho);

    /// <summary>What <c>mra simulate</c> wrote.</summary>
    public sealed record MraSimulateResult(string Observations, string ShiftsFile, string Truth, string Plot, int Length, long Count, double Sigma, double Seconds);

    /// <summary>What <c>mra solve</c> found.</summary>
    public sealed record MraSolveResult(string Method, int Length, long Count, double Sigma, double? RelativeError, double? RhoError,
        MraSeconds Seconds, int Iterations, double[] Estimate, double[]? RhoEstimate, string? Plot);

    /// <summary>Time of the pass over the data and of the fit.</summary>
    public sealed record MraSeconds(double Pass, double Fit);

    /// <summary>One (method, N, σ) cell of a sweep.</summary>
    public sealed record MraSweepPoint(string Method, long Count, double Sigma, double ErrorMean, double ErrorStd, double? RhoErrorMean,
        double PassSeconds, double FitSeconds, int Repetitions);

    /// <summary>A sweep.</summary>
    public sealed record MraSweepResult(int Length, string Signal, string Shifts, IReadOnlyList<MraSweepPoint> Results, string? Plot);

    private sealed record DataOptions(Option<int> Length, Option<string> Signal, Option<double> Count, Option<double> Sigma, Option<string> Shifts);

    /// <summary>Builds <c>mra</c>.</summary>
    public static Command Create(GlobalOptions globals, CliConsole console)
    {
        ArgumentNullException.ThrowIfNull(globals);
        return new Command("mra", "Multireference alignment: a 1D signal seen through random cyclic shifts and Gaussian noise, recovered by invariants, moments, EM, or the oracle.")
        {
            CreateSimulate(globals, console),
            CreateSolve(globals, console),
            CreateSweep(globals, console),
        };
    }

    private static DataOptions CreateDataOptions() => new(
        new Option<int>("--length", "-L") { Description = "Signal length L.", DefaultValueFactory = _ => 41 },
        AcceptSignal(new Option<string>("--signal") { Description = "Signal family: boxcar (⌊L/2⌋ + 1 ones), gaussian (i.i.d. normal) or mixture (3 Gaussian bumps).", DefaultValueFactory = _ => "boxcar" }),
        new Option<double>("--count", "-n") { Description = "Number of observations N (1e7 style allowed).", DefaultValueFactory = _ => 10000 },
        new Option<double>("--sigma") { Description = "Noise standard deviation σ per sample.", DefaultValueFactory = _ => 1.0 },
        AcceptShifts(new Option<string>("--shifts") { Description = "Shift distribution: uniform, or aperiodic (independent weights uniform on [0.2, 1], seeded).", DefaultValueFactory = _ => "uniform" }));

    private static Option<string> AcceptSignal(Option<string> o)
    {
        o.AcceptOnlyFromAmong("boxcar", "gaussian", "mixture");
        return o;
    }

    private static Option<string> AcceptShifts(Option<string> o)
    {
        o.AcceptOnlyFromAmong("uniform", "aperiodic");
        return o;
    }

    private static MraSimulation Simulation(ParseResult parse, DataOptions d, int seed, long? count = null, double? sigma = null)
    {
        int length = parse.GetValue(d.Length);
        MraSignal.CheckLength(length);
        var x = MraSignal.ByName(parse.GetValue(d.Signal)!, length, seed);
        var rho = parse.GetValue(d.Shifts) == "aperiodic" ? ShiftDistribution.Aperiodic(length, seed + 1) : ShiftDistribution.Uniform(length);
        double n = count ?? parse.GetValue(d.Count);
        if (!(n >= 1) || n > 1e12 || Math.Abs(n - Math.Round(n)) > 1e-9)
        {
            throw new InvalidParameterException("--count", n, "must be a whole number of observations, at least 1");
        }

        return new MraSimulation(x, rho, sigma ?? parse.GetValue(d.Sigma), (long)Math.Round(n), seed);
    }

    private static Command CreateSimulate(GlobalOptions globals, CliConsole console)
    {
        var d = CreateDataOptions();
        var output = new Option<string>("--out", "-o") { Description = "Output folder (created if needed).", Required = true };
        var json = CommandOptions.Json();
        var command = new Command("simulate", "Simulate MRA data: writes DIR/observations.mrcs (N sections of L × 1), DIR/shifts.mrc (the true shifts, N × 1), DIR/truth.json (x, ρ, σ) and DIR/signal.svg.")
        {
            d.Length, d.Signal, d.Count, d.Sigma, d.Shifts, output, json,
        };
        command.SetAction(parse =>
        {
            var clock = Stopwatch.StartNew();
            int seed = parse.GetValue(globals.Seed);
            var simulation = Simulation(parse, d, seed);
            if (simulation.Count > int.MaxValue / 2)
            {
                throw new InvalidParameterException("--count", simulation.Count, "is too many to write to one MRC stack");
            }

            string dir = parse.GetValue(output)!;
            Directory.CreateDirectory(dir);
            int l = simulation.Length;
            var source = (IMraObservations)simulation;
            var allShifts = new float[simulation.Count];
            string observations = Path.Combine(dir, "observations.mrcs");
            using (var writer = new MrcStackWriter(observations, new Numerics.GridShape(l, 1), 1.0))
            {
                var buffer = new float[source.ChunkSize * l];
                var shifts = new int[source.ChunkSize];
                ProgressDisplay.Run(console, "Simulating", source.ChunkCount, progress =>
                {
                    for (int c = 0; c < source.ChunkCount; c++)
                    {
                        int n = source.ChunkLength(c);
                        source.Read(c, buffer, shifts);
                        writer.Append(buffer.AsSpan(0, n * l));
                        for (int j = 0; j < n; j++)
                        {
                            allShifts[((long)c * source.ChunkSize) + j] = shifts[j];
                        }

                        progress.Report(c + 1);
                    }
                });

                writer.Complete();
            }

            string shiftsFile = Path.Combine(dir, "shifts.mrc");
            MrcWriter.Write(shiftsFile, new Image(allShifts.Length, 1, 1.0, allShifts));
            var truth = new MraTruth(l, simulation.Count, simulation.Sigma, parse.GetValue(d.Signal)!, parse.GetValue(d.Shifts)!, seed,
                simulation.Signal, simulation.Shifts.Probabilities);
            string truthFile = Path.Combine(dir, "truth.json");
            TruthFile.Write(truthFile, truth);
            string plot = Path.Combine(dir, "signal.svg");
            new SvgLinePlot { Title = "MRA signal and shift distribution ×L", XLabel = "t", YLabel = "value" }
                .Add("x", Indices(l), simulation.Signal, markers: true)
                .Add("L·ρ", Indices(l), [.. simulation.Shifts.Probabilities.Select(p => p * l)])
                .Save(plot);
            var result = new MraSimulateResult(observations, shiftsFile, truthFile, plot, l, simulation.Count, simulation.Sigma, clock.Elapsed.TotalSeconds);
            if (parse.GetValue(json))
            {
                JsonOutput.Write(console.Out, result);
            }
            else
            {
                console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Wrote {result.Count} observations of length {l} (σ = {result.Sigma}) to {dir} in {result.Seconds:0.0} s."));
            }

            return CryoSharpApp.Success;
        });
        return command;
    }

    private static Option<string> MethodOption(string defaultValue, bool list)
    {
        var o = new Option<string>(list ? "--methods" : "--method")
        {
            Description = list
                ? "Comma list of methods: bispectrum, moments, em, oracle."
                : "bispectrum (power spectrum + bispectrum phase retrieval; uniform shifts), moments (fit x and ρ to the first two moments; non-uniform shifts), em (expectation–maximisation), oracle (true shifts).",
            DefaultValueFactory = _ => defaultValue,
        };
        if (!list)
        {
            o.AcceptOnlyFromAmong("bispectrum", "moments", "em", "oracle");
        }

        return o;
    }

    private static MraMethod ParseMethod(string name) => name switch
    {
        "bispectrum" => MraMethod.Bispectrum,
        "moments" => MraMethod.Moments,
        "em" => MraMethod.Em,
        "oracle" => MraMethod.Oracle,
        _ => throw new InvalidParameterException("--methods", name, "must list bispectrum, moments, em or oracle"),
    };

    private static Command CreateSolve(GlobalOptions globals, CliConsole console)
    {
        var d = CreateDataOptions();
        var method = MethodOption("bispectrum", false);
        var data = new Option<string?>("--data") { Description = "A folder written by 'mra simulate' (otherwise the data are simulated in memory, chunk by chunk, from the options)." };
        var restarts = new Option<int>("--restarts") { Description = "Random starts of the bispectrum and moment fits.", DefaultValueFactory = _ => 10 };
        var tolerance = new Option<double>("--tolerance") { Description = "EM stops when the relative change of x is below this.", DefaultValueFactory = _ => 1e-6 };
        var estimateRho = EstimateRhoOption();
        var plot = new Option<string?>("--plot") { Description = "Write the aligned estimate against the truth as SVG to this file." };
        var json = CommandOptions.Json();
        var command = new Command("solve", "Estimate the signal (and ρ where the method does) and report the relative error up to the best cyclic shift.")
        {
            method, d.Length, d.Signal, d.Count, d.Sigma, d.Shifts, data, restarts, tolerance, estimateRho, plot, json,
        };
        command.SetAction(parse =>
        {
            int seed = parse.GetValue(globals.Seed);
            var m = ParseMethod(parse.GetValue(method)!);
            IMraObservations source;
            double[] x;
            double[] rho;
            double sigma;
            MraObservationSet? opened = null;
            string? dir = parse.GetValue(data);
            if (dir is not null)
            {
                var truth = TruthFile.Read<MraTruth>(Path.Combine(dir, "truth.json"), "mra simulate");
                var shifts = MrcReader.ReadStack(Path.Combine(dir, "shifts.mrc"));
                opened = MraObservationSet.Open(Path.Combine(dir, "observations.mrcs"), [.. shifts.Data.Select(v => (int)v)]);
                (source, x, rho, sigma) = (opened, truth.X, truth.Rho, truth.Sigma);
            }
            else
            {
                var simulation = Simulation(parse, d, seed);
                (source, x, rho, sigma) = (simulation, simulation.Signal, simulation.Shifts.Probabilities, simulation.Sigma);
            }

            using (opened)
            {
                // EM is the long one (minutes at N = 10⁷): its iterations drive the bar, up to the limit.
                MraSolution solution = null!;
                var emOptions = new MraEmOptions { Tolerance = parse.GetValue(tolerance) };
                ProgressDisplay.Run(console, "Solving", m == MraMethod.Em ? emOptions.MaxIterations : 1, progress =>
                    solution = MraSolver.Solve(source, sigma, m, parse.GetValue(restarts), seed,
                        emOptions with { Progress = (iteration, _, _, _) => progress.Report(iteration) }, estimateShifts: parse.GetValue(estimateRho), context: globals.Context(parse)));
                var estimate = solution.Estimate;
                var (shift, error) = CircularAlignment.Align(estimate.Signal, x);
                double? rhoError = estimate.Shifts is null ? null : CircularAlignment.DistributionError(estimate.Shifts, rho, shift);
                string? plotPath = parse.GetValue(plot);
                if (plotPath is not null)
                {
                    int l = x.Length;
                    var aligned = Enumerable.Range(0, l).Select(t => estimate.Signal[(t + shift) % l]).ToArray();
                    new SvgLinePlot
                    {
                        Title = string.Create(CultureInfo.InvariantCulture, $"MRA, {parse.GetValue(method)}: N = {source.Count}, σ = {sigma}, error {error:0.0000}"),
                        XLabel = "t",
                        YLabel = "x[t]",
                    }.Add("truth", Indices(l), x).Add("estimate (aligned)", Indices(l), aligned, markers: true).Save(plotPath);
                }

                var result = new MraSolveResult(parse.GetValue(method)!, x.Length, source.Count, sigma, error, rhoError,
                    new MraSeconds(solution.PassSeconds, solution.FitSeconds), estimate.Iterations, estimate.Signal, estimate.Shifts, plotPath);
                if (parse.GetValue(json))
                {
                    JsonOutput.Write(console.Out, result);
                }
                else
                {
                    string rhoText = rhoError is { } r ? string.Create(CultureInfo.InvariantCulture, $", ρ error {r:0.0000}") : "";
                    console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{result.Method}: N = {result.Count}, σ = {sigma}: relative error {error:0.0000}{rhoText} (pass {solution.PassSeconds:0.00} s, fit {solution.FitSeconds:0.00} s, {estimate.Iterations} iterations)"));
                }
            }

            return CryoSharpApp.Success;
        });
        return command;
    }

    private static Command CreateSweep(GlobalOptions globals, CliConsole console)
    {
        var d = CreateDataOptions();
        var methods = MethodOption("bispectrum,em,oracle", true);
        var counts = new Option<string>("--counts") { Description = "Comma list of N (1e3 style allowed).", DefaultValueFactory = _ => "1e3,1e4,1e5" };
        var sigmas = new Option<string?>("--sigmas") { Description = "Comma list of σ (default: --sigma alone). With several σ and one N the plot is error against σ." };
        var repetitions = new Option<int>("--repetitions") { Description = "Independent seeded data sets per point.", DefaultValueFactory = _ => 20 };
        var maxRepetitions = new Option<string?>("--repetitions-at") { Description = "Fewer repetitions for large runs, as METHOD:N:REPS comma list (e.g. em:1e7:3)." };
        var restarts = new Option<int>("--restarts") { Description = "Random starts of the bispectrum and moment fits.", DefaultValueFactory = _ => 10 };
        var tolerance = new Option<double>("--tolerance") { Description = "EM stops when the relative change of x is below this.", DefaultValueFactory = _ => 1e-6 };
        var estimateRho = EstimateRhoOption();
        var plot = new Option<string?>("--plot") { Description = "Write mean error against N (log–log) or against σ as SVG to this file." };
        var json = CommandOptions.Json();
        var command = new Command("sweep", "Relative error against N (and σ) for several methods, mean and spread over seeded repetitions, with timings. Data are generated chunk by chunk, so N = 10⁷ needs no memory for the data.")
        {
            methods, d.Length, d.Signal, d.Sigma, d.Shifts, counts, sigmas, repetitions, maxRepetitions, restarts, tolerance, estimateRho, plot, json,
        };
        command.SetAction(parse =>
        {
            int seed = parse.GetValue(globals.Seed);
            var methodNames = parse.GetValue(methods)!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            foreach (var name in methodNames)
            {
                ParseMethod(name);
            }

            var countList = ParseNumbers(parse.GetValue(counts)!, "--counts").Select(v => (long)Math.Round(v)).ToArray();
            var sigmaList = parse.GetValue(sigmas) is { } sl ? ParseNumbers(sl, "--sigmas") : [parse.GetValue(d.Sigma)];
            int reps = parse.GetValue(repetitions);
            if (reps < 1)
            {
                throw new InvalidParameterException("--repetitions", reps, "must be at least 1");
            }

            var limits = ParseLimits(parse.GetValue(maxRepetitions));
            var results = new List<MraSweepPoint>();
            long total = methodNames.Length * countList.Length * sigmaList.Length * (long)reps;
            ProgressDisplay.Run(console, "Sweeping", total, progress =>
            {
                long done = 0;
                foreach (var name in methodNames)
                {
                    foreach (double sigma in sigmaList)
                    {
                        foreach (long count in countList)
                        {
                            int r = limits.TryGetValue((name, count), out int limit) ? Math.Min(limit, reps) : reps;
                            var errors = new double[r];
                            var rhoErrors = new List<double>();
                            double pass = 0, fit = 0;
                            for (int rep = 0; rep < r; rep++)
                            {
                                int repSeed = seed + (1000 * rep);
                                var simulation = Simulation(parse, d, repSeed, count, sigma);
                                var solution = MraSolver.Solve(simulation, sigma, ParseMethod(name), parse.GetValue(restarts), repSeed,
                                    new MraEmOptions { Tolerance = parse.GetValue(tolerance) }, estimateShifts: parse.GetValue(estimateRho), context: globals.Context(parse));
                                var (shift, error) = CircularAlignment.Align(solution.Estimate.Signal, simulation.Signal);
                                errors[rep] = error;
                                if (solution.Estimate.Shifts is { } rhoHat)
                                {
                                    rhoErrors.Add(CircularAlignment.DistributionError(rhoHat, simulation.Shifts.Probabilities, shift));
                                }

                                pass += solution.PassSeconds / r;
                                fit += solution.FitSeconds / r;
                                progress.Report(++done);
                            }

                            done += reps - r;
                            progress.Report(done);
                            var (mean, std) = SweepPlot.MeanAndSpread(errors);
                            results.Add(new MraSweepPoint(name, count, sigma, mean, std, rhoErrors.Count > 0 ? rhoErrors.Average() : null, pass, fit, r));
                        }
                    }
                }
            });

            string? plotPath = parse.GetValue(plot);
            if (plotPath is not null)
            {
                SweepPlot.Save(plotPath, string.Create(CultureInfo.InvariantCulture, $"MRA, {parse.GetValue(d.Signal)} L = {parse.GetValue(d.Length)}, {parse.GetValue(d.Shifts)} shifts"),
                    methodNames, [.. countList.Select(c => (double)c)], sigmaList, results, p => (p.Method, p.Count, p.Sigma), ("", p => p.ErrorMean));
            }

            var result = new MraSweepResult(parse.GetValue(d.Length), parse.GetValue(d.Signal)!, parse.GetValue(d.Shifts)!, results, plotPath);
            if (parse.GetValue(json))
            {
                JsonOutput.Write(console.Out, result);
            }
            else
            {
                foreach (var p in results)
                {
                    string rhoText = p.RhoErrorMean is { } re ? string.Create(CultureInfo.InvariantCulture, $"  ρ error {re:0.0000}") : "";
                    console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{p.Method,-10} N {p.Count,9}  σ {p.Sigma,5:0.###}  error {p.ErrorMean:0.00000} ± {p.ErrorStd:0.00000}{rhoText}  pass {p.PassSeconds:0.00} s  fit {p.FitSeconds:0.00} s  ({p.Repetitions} runs)"));
                }
            }

            return CryoSharpApp.Success;
        });
        return command;
    }

    private static Option<bool> EstimateRhoOption() => new("--estimate-rho")
    {
        Description = "EM also estimates the shift distribution ρ (otherwise it assumes uniform shifts). Moment fitting always estimates ρ; bispectrum inversion assumes uniform shifts.",
    };

    private static double[] Indices(int l) => [.. Enumerable.Range(0, l).Select(i => (double)i)];

    internal static double[] ParseNumbers(string text, string option)
    {
        try
        {
            var values = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Select(p => double.Parse(p, NumberStyles.Float, CultureInfo.InvariantCulture)).ToArray();
            return values.Length > 0 && values.All(v => v > 0 && double.IsFinite(v)) ? values : throw new FormatException();
        }
        catch (FormatException)
        {
            throw new InvalidParameterException(option, text, "must be a comma list of positive numbers");
        }
    }

    private static Dictionary<(string, long), int> ParseLimits(string? text)
    {
        var result = new Dictionary<(string, long), int>();
        if (string.IsNullOrWhiteSpace(text))
        {
            return result;
        }

        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = part.Split(':');
            if (fields.Length != 3
                || !double.TryParse(fields[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double n)
                || !int.TryParse(fields[2], CultureInfo.InvariantCulture, out int reps) || reps < 1)
            {
                throw new InvalidParameterException("--repetitions-at", part, "must be METHOD:N:REPS, e.g. em:1e7:3");
            }

            result[(fields[0], (long)Math.Round(n))] = reps;
        }

        return result;
    }
}
