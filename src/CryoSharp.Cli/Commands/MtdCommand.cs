using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using CryoSharp.Detection;
using CryoSharp.IO;
using CryoSharp.Moments;
using CryoSharp.Reports;

namespace CryoSharp.Cli.Commands;

/// <summary><c>cryosharp mtd simulate|solve|sweep</c>: multi-target detection in 1D, without picking.</summary>
public static class MtdCommand
{
    /// <summary>The ground truth of a simulation, as <c>truth.json</c> holds it.</summary>
    public sealed record MtdTruth(int Length, long MeasurementLength, double Gamma, double Sigma, string Spacing, string Signal, int Seed, int Copies, double[] X);

    /// <summary>What <c>mtd simulate</c> wrote.</summary>
    public sealed record MtdSimulateResult(string Measurement, string Truth, string Plot, long MeasurementLength, int Copies, double Gamma, double Seconds);

    /// <summary>What <c>mtd solve</c> found.</summary>
    public sealed record MtdSolveResult(string Method, int Length, long MeasurementLength, double Sigma, double Gamma, double? RelativeError,
        double? GammaError, double GammaEstimate, double SigmaEstimate, MraCommand.MraSeconds Seconds, double SamplesPerSecond, int Iterations,
        double[] Estimate, string? Plot);

    /// <summary>One (method, N, σ) cell of a sweep.</summary>
    public sealed record MtdSweepPoint(string Method, long MeasurementLength, double Sigma, double ErrorMean, double ErrorStd, double GammaErrorMean,
        double PassSeconds, double FitSeconds, int Repetitions);

    /// <summary>A sweep.</summary>
    public sealed record MtdSweepResult(int Length, string Signal, double Gamma, string Spacing, IReadOnlyList<MtdSweepPoint> Results, string? Plot);

    private sealed record DataOptions(Option<int> Length, Option<string> Signal, Option<double> MeasurementLength, Option<double> Gamma,
        Option<double> Sigma, Option<string> Spacing);

    /// <summary>Builds <c>mtd</c>.</summary>
    public static Command Create(GlobalOptions globals, CliConsole console)
    {
        ArgumentNullException.ThrowIfNull(globals);
        return new Command("mtd", "Multi-target detection: copies of a 1D signal at unknown places in one long noisy measurement, recovered without detecting them, from autocorrelations or by approximate EM.")
        {
            CreateSimulate(globals, console),
            CreateSolve(globals, console),
            CreateSweep(globals, console),
        };
    }

    private static DataOptions CreateDataOptions()
    {
        var signal = new Option<string>("--signal") { Description = "Signal family: gaussian (i.i.d. normal), boxcar or mixture (3 Gaussian bumps).", DefaultValueFactory = _ => "gaussian" };
        signal.AcceptOnlyFromAmong("boxcar", "gaussian", "mixture");
        var spacing = new Option<string>("--spacing") { Description = "separated: starts at least 2L − 1 apart (the model the autocorrelation fit assumes); arbitrary: at least L apart (copies may touch).", DefaultValueFactory = _ => "separated" };
        spacing.AcceptOnlyFromAmong("separated", "arbitrary");
        return new DataOptions(
            new Option<int>("--length", "-L") { Description = "Signal length L.", DefaultValueFactory = _ => 21 },
            signal,
            new Option<double>("--measurement-length", "-N") { Description = "Samples in the measurement N (1e8 style allowed).", DefaultValueFactory = _ => 1e7 },
            new Option<double>("--gamma") { Description = "Density γ: the fraction of samples covered by copies (at most L/(2L − 1) when separated).", DefaultValueFactory = _ => 0.3 },
            new Option<double>("--sigma") { Description = "Noise standard deviation σ.", DefaultValueFactory = _ => 3.0 },
            spacing);
    }

    private static MtdSimulation Simulation(ParseResult parse, DataOptions d, int seed, double? length = null, double? sigma = null)
    {
        int l = parse.GetValue(d.Length);
        if (l is < 2 or > 256)
        {
            throw new InvalidParameterException("--length", l, "must be between 2 and 256");
        }

        double n = length ?? parse.GetValue(d.MeasurementLength);
        if (!(n >= 1) || n > 1e11)
        {
            throw new InvalidParameterException("--measurement-length", n, "must be between 1 and 1e11");
        }

        var x = MraSignal.ByName(parse.GetValue(d.Signal)!, l, seed);
        var spacing = parse.GetValue(d.Spacing) == "arbitrary" ? MtdSpacing.Arbitrary : MtdSpacing.WellSeparated;
        return new MtdSimulation(x, (long)Math.Round(n), parse.GetValue(d.Gamma), sigma ?? parse.GetValue(d.Sigma), spacing, seed);
    }

    private static Command CreateSimulate(GlobalOptions globals, CliConsole console)
    {
        var d = CreateDataOptions();
        var output = new Option<string>("--out", "-o") { Description = "Output folder (created if needed).", Required = true };
        var json = CommandOptions.Json();
        var command = new Command("simulate", $"Simulate a measurement: writes DIR/measurement.mrcs (sections of {MtdMeasurementSet.RowLength} × 1 samples, the last zero-padded), DIR/truth.json (x, realised γ, σ, N) and DIR/signal.svg.")
        {
            d.Length, d.Signal, d.MeasurementLength, d.Gamma, d.Sigma, d.Spacing, output, json,
        };
        command.SetAction(parse =>
        {
            var clock = Stopwatch.StartNew();
            int seed = parse.GetValue(globals.Seed);
            var simulation = Simulation(parse, d, seed);
            string dir = parse.GetValue(output)!;
            Directory.CreateDirectory(dir);
            string file = Path.Combine(dir, "measurement.mrcs");
            var source = (IMtdMeasurement)simulation;
            using (var writer = new MrcStackWriter(file, new Numerics.GridShape(MtdMeasurementSet.RowLength, 1), 1.0))
            {
                var buffer = new float[source.ChunkSize + MtdMeasurementSet.RowLength];
                ProgressDisplay.Run(console, "Simulating", source.ChunkCount, progress =>
                {
                    for (int c = 0; c < source.ChunkCount; c++)
                    {
                        int n = source.ChunkLength(c);
                        source.Read(c, 0, buffer);
                        int rows = (n + MtdMeasurementSet.RowLength - 1) / MtdMeasurementSet.RowLength;
                        buffer.AsSpan(n, (rows * MtdMeasurementSet.RowLength) - n).Clear();
                        writer.Append(buffer.AsSpan(0, rows * MtdMeasurementSet.RowLength));
                        progress.Report(c + 1);
                    }
                });

                writer.Complete();
            }

            var truth = new MtdTruth(simulation.Signal.Length, simulation.Length, simulation.Gamma, simulation.Sigma, parse.GetValue(d.Spacing)!,
                parse.GetValue(d.Signal)!, seed, simulation.Copies, simulation.Signal);
            string truthFile = Path.Combine(dir, "truth.json");
            TruthFile.Write(truthFile, truth);
            string plot = Path.Combine(dir, "signal.svg");
            new SvgLinePlot { Title = "MTD signal", XLabel = "t", YLabel = "x[t]" }.Add("x", Indices(truth.Length), simulation.Signal, markers: true).Save(plot);
            var result = new MtdSimulateResult(file, truthFile, plot, simulation.Length, simulation.Copies, simulation.Gamma, clock.Elapsed.TotalSeconds);
            if (parse.GetValue(json))
            {
                JsonOutput.Write(console.Out, result);
            }
            else
            {
                console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"Wrote {result.MeasurementLength} samples with {result.Copies} copies (γ = {result.Gamma:0.####}, σ = {simulation.Sigma}) to {dir} in {result.Seconds:0.0} s."));
            }

            return CryoSharpApp.Success;
        });
        return command;
    }

    private static MtdMethod ParseMethod(string name) => name switch
    {
        "autocorrelation" => MtdMethod.Autocorrelation,
        "em" => MtdMethod.Em,
        _ => throw new InvalidParameterException("--methods", name, "must list autocorrelation or em"),
    };

    private static Command CreateSolve(GlobalOptions globals, CliConsole console)
    {
        var d = CreateDataOptions();
        var method = new Option<string>("--method") { Description = "autocorrelation (least squares on the first three autocorrelations) or em (approximate EM over patches).", DefaultValueFactory = _ => "autocorrelation" };
        method.AcceptOnlyFromAmong("autocorrelation", "em");
        var data = new Option<string?>("--data") { Description = "A folder written by 'mtd simulate' (otherwise the measurement is simulated chunk by chunk from the options, never stored)." };
        var estimateSigma = new Option<bool>("--estimate-sigma") { Description = "Treat σ as unknown and fit it (autocorrelation method only)." };
        var restarts = new Option<int>("--restarts") { Description = "Random starts of the autocorrelation fit.", DefaultValueFactory = _ => 50 };
        var iterations = new Option<int>("--max-iterations") { Description = "EM iteration limit.", DefaultValueFactory = _ => 500 };
        var emStart = EmStartOption();
        var plot = new Option<string?>("--plot") { Description = "Write the estimate against the truth as SVG to this file." };
        var json = CommandOptions.Json();
        var command = new Command("solve", "Estimate the signal and the density γ and report their errors against the truth.")
        {
            method, d.Length, d.Signal, d.MeasurementLength, d.Gamma, d.Sigma, d.Spacing, data, estimateSigma, restarts, iterations, emStart, plot, json,
        };
        command.SetAction(parse =>
        {
            int seed = parse.GetValue(globals.Seed);
            IMtdMeasurement source;
            double[] x;
            double gamma, sigma;
            MtdMeasurementSet? opened = null;
            string? dir = parse.GetValue(data);
            if (dir is not null)
            {
                var truth = TruthFile.Read<MtdTruth>(Path.Combine(dir, "truth.json"), "mtd simulate");
                opened = MtdMeasurementSet.Open(Path.Combine(dir, "measurement.mrcs"), truth.MeasurementLength);
                (source, x, gamma, sigma) = (opened, truth.X, truth.Gamma, truth.Sigma);
            }
            else
            {
                var simulation = Simulation(parse, d, seed);
                (source, x, gamma, sigma) = (simulation, simulation.Signal, simulation.Gamma, simulation.Sigma);
            }

            using (opened)
            {
                string name = parse.GetValue(method)!;
                // EM is the long one: its iterations drive the bar, up to the limit.
                var kind = ParseMethod(name);
                int limit = parse.GetValue(iterations);
                MtdSolution solution = null!;
                ProgressDisplay.Run(console, "Solving", kind == MtdMethod.Em ? limit : 1, progress =>
                    solution = MtdSolver.Solve(source, x.Length, parse.GetValue(estimateSigma) ? null : sigma, kind, parse.GetValue(restarts), seed,
                        new MtdEmOptions { MaxIterations = limit, Progress = (iteration, _, _) => progress.Report(iteration) },
                        parse.GetValue(emStart) == "autocorrelation", globals.Context(parse)));
                var estimate = solution.Estimate;
                double error = MtdSolver.RelativeError(estimate.Signal, x);
                double gammaError = Math.Abs(estimate.Gamma - gamma) / gamma;
                string? plotPath = parse.GetValue(plot);
                if (plotPath is not null)
                {
                    new SvgLinePlot
                    {
                        Title = string.Create(CultureInfo.InvariantCulture, $"MTD, {name}: N = {source.Length:0.###e0}, σ = {sigma}, error {error:0.0000}, γ̂ = {estimate.Gamma:0.####} (γ = {gamma:0.####})"),
                        XLabel = "t",
                        YLabel = "x[t]",
                    }.Add("truth", Indices(x.Length), x).Add("estimate", Indices(x.Length), estimate.Signal, markers: true).Save(plotPath);
                }

                var result = new MtdSolveResult(name, x.Length, source.Length, sigma, gamma, error, gammaError, estimate.Gamma, estimate.Sigma,
                    new MraCommand.MraSeconds(solution.PassSeconds, solution.FitSeconds), solution.SamplesPerSecond, estimate.Iterations, estimate.Signal, plotPath);
                if (parse.GetValue(json))
                {
                    JsonOutput.Write(console.Out, result);
                }
                else
                {
                    string speed = solution.SamplesPerSecond > 0 ? string.Create(CultureInfo.InvariantCulture, $", {solution.SamplesPerSecond / 1e6:0} M samples/s") : "";
                    console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{name}: N = {source.Length}, σ = {sigma}: relative error {error:0.0000}, γ̂ = {estimate.Gamma:0.####} (γ = {gamma:0.####}, error {100 * gammaError:0.0}%), σ̂ = {estimate.Sigma:0.###} (pass {solution.PassSeconds:0.00} s{speed}, fit {solution.FitSeconds:0.00} s, {estimate.Iterations} iterations)"));
                }
            }

            return CryoSharpApp.Success;
        });
        return command;
    }

    private static Command CreateSweep(GlobalOptions globals, CliConsole console)
    {
        var d = CreateDataOptions();
        var methods = new Option<string>("--methods") { Description = "Comma list: autocorrelation, em.", DefaultValueFactory = _ => "autocorrelation" };
        var lengths = new Option<string>("--measurement-lengths") { Description = "Comma list of N.", DefaultValueFactory = _ => "1e6,1e7,1e8" };
        var sigmas = new Option<string?>("--sigmas") { Description = "Comma list of σ (default: --sigma alone). With several σ and one N the plot is error against σ." };
        var repetitions = new Option<int>("--repetitions") { Description = "Independent seeded measurements per point.", DefaultValueFactory = _ => 5 };
        var restarts = new Option<int>("--restarts") { Description = "Random starts of the autocorrelation fit.", DefaultValueFactory = _ => 50 };
        var iterations = new Option<int>("--max-iterations") { Description = "EM iteration limit.", DefaultValueFactory = _ => 500 };
        var emStart = EmStartOption();
        var plot = new Option<string?>("--plot") { Description = "Write mean error against N (log–log) or against σ as SVG to this file." };
        var json = CommandOptions.Json();
        var command = new Command("sweep", "Relative error of x and of γ against N (and σ), mean over seeded repetitions, with timings.")
        {
            methods, d.Length, d.Signal, d.Gamma, d.Sigma, d.Spacing, lengths, sigmas, repetitions, restarts, iterations, emStart, plot, json,
        };
        command.SetAction(parse =>
        {
            int seed = parse.GetValue(globals.Seed);
            var names = parse.GetValue(methods)!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            foreach (var name in names)
            {
                ParseMethod(name);
            }

            var lengthList = MraCommand.ParseNumbers(parse.GetValue(lengths)!, "--measurement-lengths");
            var sigmaList = parse.GetValue(sigmas) is { } sl ? MraCommand.ParseNumbers(sl, "--sigmas") : [parse.GetValue(d.Sigma)];
            int reps = parse.GetValue(repetitions);
            if (reps < 1)
            {
                throw new InvalidParameterException("--repetitions", reps, "must be at least 1");
            }

            var results = new List<MtdSweepPoint>();
            ProgressDisplay.Run(console, "Sweeping", names.Length * lengthList.Length * sigmaList.Length * (long)reps, progress =>
            {
                long done = 0;
                foreach (var name in names)
                {
                    foreach (double sigma in sigmaList)
                    {
                        foreach (double n in lengthList)
                        {
                            var errors = new double[reps];
                            var gammaErrors = new double[reps];
                            double pass = 0, fit = 0;
                            for (int rep = 0; rep < reps; rep++)
                            {
                                int repSeed = seed + (1000 * rep);
                                var simulation = Simulation(parse, d, repSeed, n, sigma);
                                var solution = MtdSolver.Solve(simulation, simulation.Signal.Length, sigma, ParseMethod(name), parse.GetValue(restarts), repSeed,
                                    new MtdEmOptions { MaxIterations = parse.GetValue(iterations) }, parse.GetValue(emStart) == "autocorrelation", globals.Context(parse));
                                errors[rep] = MtdSolver.RelativeError(solution.Estimate.Signal, simulation.Signal);
                                gammaErrors[rep] = Math.Abs(solution.Estimate.Gamma - simulation.Gamma) / simulation.Gamma;
                                pass += solution.PassSeconds / reps;
                                fit += solution.FitSeconds / reps;
                                progress.Report(++done);
                            }

                            var (mean, std) = SweepPlot.MeanAndSpread(errors);
                            results.Add(new MtdSweepPoint(name, (long)Math.Round(n), sigma, mean, std, gammaErrors.Average(), pass, fit, reps));
                        }
                    }
                }
            });

            string? plotPath = parse.GetValue(plot);
            if (plotPath is not null)
            {
                SweepPlot.Save(plotPath, string.Create(CultureInfo.InvariantCulture, $"MTD, {parse.GetValue(d.Signal)} L = {parse.GetValue(d.Length)}, γ = {parse.GetValue(d.Gamma)}, {parse.GetValue(d.Spacing)}"),
                    names, lengthList, sigmaList, results, p => (p.Method, p.MeasurementLength, p.Sigma), (": x", p => p.ErrorMean), (": γ", p => p.GammaErrorMean));
            }

            var result = new MtdSweepResult(parse.GetValue(d.Length), parse.GetValue(d.Signal)!, parse.GetValue(d.Gamma), parse.GetValue(d.Spacing)!, results, plotPath);
            if (parse.GetValue(json))
            {
                JsonOutput.Write(console.Out, result);
            }
            else
            {
                foreach (var p in results)
                {
                    console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{p.Method,-15} N {p.MeasurementLength,11}  σ {p.Sigma,5:0.###}  error {p.ErrorMean:0.0000} ± {p.ErrorStd:0.0000}  γ error {100 * p.GammaErrorMean:0.00}%  pass {p.PassSeconds:0.00} s  fit {p.FitSeconds:0.00} s  ({p.Repetitions} runs)"));
                }
            }

            return CryoSharpApp.Success;
        });
        return command;
    }

    private static Option<string> EmStartOption()
    {
        var o = new Option<string>("--em-start")
        {
            Description = "Where EM starts: autocorrelation (the autocorrelation estimate of x and γ, after one cheap pass) or random (a random x, γ = 0.1; at low SNR this needs thousands of iterations).",
            DefaultValueFactory = _ => "autocorrelation",
        };
        o.AcceptOnlyFromAmong("autocorrelation", "random");
        return o;
    }

    private static double[] Indices(int l) => [.. Enumerable.Range(0, l).Select(i => (double)i)];
}
