using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using CryoSharp.Cli.Options;
using CryoSharp.Detection;
using CryoSharp.Experiments;
using CryoSharp.Moments;
using CryoSharp.Numerics;
using CryoSharp.Reports;

namespace CryoSharp.Cli.Commands;

/// <summary><c>cryosharp mtd simulate|solve|sweep</c>: multi-target detection in 1D, without picking.</summary>
public static class MtdCommand
{
    /// <summary>What <c>mtd simulate</c> wrote.</summary>
    public sealed record MtdSimulateResult(string Measurement, string Truth, string Plot, long MeasurementLength, int Copies, double Gamma, double Seconds);

    /// <summary>What <c>mtd solve</c> found.</summary>
    public sealed record MtdSolveResult(string Method, int Length, long MeasurementLength, double Sigma, double Gamma, double? RelativeError,
        double? GammaError, double GammaEstimate, double SigmaEstimate, PassAndFitSeconds Seconds, double SamplesPerSecond, int Iterations,
        double[] Estimate, string? Plot);

    /// <summary>One (method, N, σ) cell of a sweep.</summary>
    public sealed record MtdSweepPoint(string Method, long MeasurementLength, double Sigma, double ErrorMean, double ErrorStd, double GammaErrorMean,
        double PassSeconds, double FitSeconds, int Repetitions);

    /// <summary>A sweep.</summary>
    public sealed record MtdSweepResult(int Length, string Signal, double Gamma, string Spacing, IReadOnlyList<MtdSweepPoint> Results, string? Plot);

    /// <summary>The options that describe a simulated measurement.</summary>
    private sealed record DataOptions(Option<int> Length, Option<MraSignalKind> Signal, Option<double> MeasurementLength, Option<double> Gamma,
        Option<double> Sigma, Option<MtdSpacing> Spacing)
    {
        public static DataOptions Create() => new(
            SharedOptions.SignalLength(21),
            SharedOptions.Signal(MraSignalKind.Gaussian),
            new Option<double>("--measurement-length") { Description = "Samples in the measurement N (1e8 style allowed).", DefaultValueFactory = _ => 1e7 },
            new Option<double>("--gamma") { Description = "Density γ: the fraction of samples covered by copies (at most L/(2L − 1) when separated).", DefaultValueFactory = _ => 0.3 },
            SharedOptions.Sigma(3.0),
            SharedOptions.Spacing());

        public MtdSimulation Simulate(ParseResult parse, SeedSequence seeds, double? length = null, double? sigma = null)
        {
            int l = parse.GetValue(Length);
            if (l is < 2 or > 256)
            {
                throw new InvalidParameterException("--length", l, "must be between 2 and 256");
            }

            double n = length ?? parse.GetValue(MeasurementLength);
            if (!(n >= 1) || n > 1e11)
            {
                throw new InvalidParameterException("--measurement-length", n, "must be between 1 and 1e11");
            }

            var x = MraSignal.Create(parse.GetValue(Signal), l, seeds.Spawn("signal"));
            return new MtdSimulation(x, (long)Math.Round(n), parse.GetValue(Gamma), sigma ?? parse.GetValue(Sigma), parse.GetValue(Spacing), seeds.Spawn("measurement"));
        }

        public string SignalName(ParseResult parse) => ChoiceOption.NameOf(SharedOptions.SignalChoices, parse.GetValue(Signal));

        public string SpacingName(ParseResult parse) => ChoiceOption.NameOf(SharedOptions.SpacingChoices, parse.GetValue(Spacing));
    }

    /// <summary>The options that set up the estimators.</summary>
    private sealed record SolverOptions(Option<int> Restarts, Option<int> MaxIterations, Option<SharedOptions.EmStartKind> EmStart)
    {
        public static SolverOptions Create() => new(SharedOptions.Restarts(50, "the autocorrelation fit"), SharedOptions.MaxIterations(500), SharedOptions.EmStart());

        /// <summary>Adds these options, then <paramref name="last"/>, to <paramref name="command"/>.</summary>
        public void AddTo(Command command, params Option[] last)
        {
            foreach (var option in (Option[])[Restarts, MaxIterations, EmStart, .. last])
            {
                command.Options.Add(option);
            }
        }

        public IMtdEstimator Estimator(ParseResult parse, MtdMethod method, int length, double? sigma, SeedSequence seeds, ComputeContext context, Action<int>? iteration = null)
        {
            var fit = new AutocorrelationFitting(new AutocorrelationFitOptions
            {
                Length = length,
                Sigma = sigma,
                Restarts = parse.GetValue(Restarts),
                Seeds = seeds.Spawn("autocorrelation-fit"),
                Context = context,
            });
            if (method == MtdMethod.Autocorrelation)
            {
                return fit;
            }

            if (sigma is null)
            {
                throw new InvalidParameterException("σ", "unknown", "must be given for EM (only the autocorrelation fit estimates it; drop --estimate-sigma)");
            }

            var options = new MtdEmOptions
            {
                MaxIterations = parse.GetValue(MaxIterations),
                Seeds = seeds.Spawn("em"),
                Context = context,
                Progress = iteration is null ? null : (i, _, _) => iteration(i),
            };
            return new ApproximateExpectationMaximization(length, sigma.Value, options, parse.GetValue(EmStart) == SharedOptions.EmStartKind.Autocorrelation ? fit : null);
        }
    }

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

    private static Command CreateSimulate(GlobalOptions globals, CliConsole console)
    {
        var d = DataOptions.Create();
        var output = SharedOptions.OutputFolder($"measurement.mrcs (sections of {MtdMeasurementSet.RowLength} × 1 samples, the last zero-padded), truth.json (x, realised γ, σ, N) and signal.svg");
        var json = SharedOptions.Json();
        var command = new Command("simulate", "Simulate a measurement and write it as a data set that 'mtd solve --data' reopens.")
        {
            d.Length, d.Signal, d.MeasurementLength, d.Gamma, d.Sigma, d.Spacing, output, json,
        };
        command.SetAction(parse =>
        {
            var clock = Stopwatch.StartNew();
            var seeds = globals.Seeds(parse);
            var simulation = d.Simulate(parse, seeds);
            string dir = parse.GetValue(output)!;
            var truth = new MtdTruth(simulation.Signal.Length, simulation.Length, simulation.Gamma, simulation.Sigma, d.SpacingName(parse),
                d.SignalName(parse), seeds.Seed, simulation.Copies, simulation.Signal);
            using var set = IO.OutputSet.Begin(dir);
            ProgressDisplay.Run(console, "Simulating", ((IMtdMeasurement)simulation).ChunkCount, progress => MtdDataset.Save(simulation, truth, set, progress));
            string plot = set.Final("signal.svg");
            new LinePlot { Title = "MTD signal", XLabel = "t", YLabel = "x[t]" }.Add("x", simulation.Signal, markers: true).Save(set.Stage("signal.svg"));
            set.Commit();
            var result = new MtdSimulateResult(Path.Combine(dir, MtdDataset.MeasurementFile), Path.Combine(dir, MtdDataset.TruthFileName), plot,
                simulation.Length, simulation.Copies, simulation.Gamma, clock.Elapsed.TotalSeconds);
            return CommandOutput.Emit(console, parse.GetValue(json), result, (o, r) => o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Wrote {r.MeasurementLength} samples with {r.Copies} copies (γ = {r.Gamma:0.####}, σ = {simulation.Sigma}) to {dir} in {r.Seconds:0.0} s.")));
        });
        return command;
    }

    private static Command CreateSolve(GlobalOptions globals, CliConsole console)
    {
        var d = DataOptions.Create();
        var s = SolverOptions.Create();
        var method = ChoiceOption.Create("--method", "autocorrelation (least squares on the first three autocorrelations) or em (approximate EM over patches).",
            SharedOptions.MtdMethodChoices, MtdMethod.Autocorrelation);
        var data = SharedOptions.Data("mtd simulate", "the measurement is simulated chunk by chunk from the options, never stored");
        var estimateSigma = new Option<bool>("--estimate-sigma") { Description = "Treat σ as unknown and fit it (autocorrelation method only)." };
        var plot = SharedOptions.Plot("the estimate against the truth");
        var json = SharedOptions.Json();
        var command = new Command("solve", "Estimate the signal and the density γ and report their errors against the truth.")
        {
            method, d.Length, d.Signal, d.MeasurementLength, d.Gamma, d.Sigma, d.Spacing, data, estimateSigma,
        };
        s.AddTo(command, plot, json);
        command.SetAction(parse =>
        {
            var seeds = globals.Seeds(parse);
            IMtdMeasurement source;
            double[] x;
            double gamma, sigma;
            MtdMeasurementSet? opened = null;
            if (parse.GetValue(data) is { } dir)
            {
                (opened, var truth) = MtdDataset.Open(dir);
                (source, x, gamma, sigma) = (opened, truth.X, truth.Gamma, truth.Sigma);
            }
            else
            {
                var simulation = d.Simulate(parse, seeds);
                (source, x, gamma, sigma) = (simulation, simulation.Signal, simulation.Gamma, simulation.Sigma);
            }

            using (opened)
            {
                var m = parse.GetValue(method);
                string name = ChoiceOption.NameOf(SharedOptions.MtdMethodChoices, m);

                // EM is the long one: its iterations drive the bar, up to the limit.
                MtdSolution solution = null!;
                ProgressDisplay.Run(console, "Solving", m == MtdMethod.Em ? parse.GetValue(s.MaxIterations) : 1, progress =>
                    solution = s.Estimator(parse, m, x.Length, parse.GetValue(estimateSigma) ? null : sigma, seeds.Spawn("estimator"), globals.Context(parse),
                        i => progress.Report(i)).Estimate(source));
                var estimate = solution.Estimate;
                double error = RelativeError.Of(estimate.Signal, x);
                double gammaError = Math.Abs(estimate.Gamma - gamma) / gamma;
                string? plotPath = parse.GetValue(plot);
                if (plotPath is not null && globals.Communicator.IsRoot)
                {
                    new LinePlot
                    {
                        Title = string.Create(CultureInfo.InvariantCulture, $"MTD, {name}: N = {source.Length:0.###e0}, σ = {sigma}, error {error:0.0000}, γ̂ = {estimate.Gamma:0.####} (γ = {gamma:0.####})"),
                        XLabel = "t",
                        YLabel = "x[t]",
                    }.Add("truth", x).Add("estimate", estimate.Signal, markers: true).Save(plotPath);
                }

                var result = new MtdSolveResult(name, x.Length, source.Length, sigma, gamma, error, gammaError, estimate.Gamma, estimate.Sigma,
                    new PassAndFitSeconds(solution.PassSeconds, solution.FitSeconds), solution.SamplesPerSecond, estimate.Iterations, estimate.Signal, plotPath);
                return CommandOutput.Emit(console, parse.GetValue(json), result, (o, r) =>
                {
                    string speed = r.SamplesPerSecond > 0 ? string.Create(CultureInfo.InvariantCulture, $", {r.SamplesPerSecond / 1e6:0} M samples/s") : "";
                    o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{name}: N = {r.MeasurementLength}, σ = {sigma}: relative error {error:0.0000}, γ̂ = {r.GammaEstimate:0.####} (γ = {gamma:0.####}, error {100 * gammaError:0.0}%), σ̂ = {r.SigmaEstimate:0.###} (pass {r.Seconds.Pass:0.00} s{speed}, fit {r.Seconds.Fit:0.00} s, {r.Iterations} iterations)"));
                });
            }
        });
        return command;
    }

    private static Command CreateSweep(GlobalOptions globals, CliConsole console)
    {
        var d = DataOptions.Create();
        var s = SolverOptions.Create();
        var methods = ChoiceOption.CreateList("--methods", "Comma list of methods.", SharedOptions.MtdMethodChoices, [MtdMethod.Autocorrelation]);
        var lengths = NumberListOption.Positive("--measurement-lengths", "Comma list of N.", "1e6,1e7,1e8");
        var sigmas = SharedOptions.Sigmas();
        var repetitions = SharedOptions.Repetitions(5);
        var plot = SharedOptions.Plot("mean error against N (log–log) or against σ");
        var json = SharedOptions.Json();
        var command = new Command("sweep", "Relative error of x and of γ against N (and σ), mean over seeded repetitions, with timings. Results are printed as each point completes.")
        {
            methods, d.Length, d.Signal, d.Gamma, d.Sigma, d.Spacing, lengths, sigmas, repetitions,
        };
        s.AddTo(command, plot, json);
        command.SetAction(parse =>
        {
            var seeds = globals.Seeds(parse);
            var context = globals.Context(parse);
            var methodList = parse.GetValue(methods)!;
            var lengthList = parse.GetValue(lengths)!;
            var sigmaList = parse.GetResult(sigmas) is null ? [parse.GetValue(d.Sigma)] : parse.GetValue(sigmas)!;
            int reps = parse.GetValue(repetitions);
            var cells = (from m in methodList from sigma in sigmaList from n in lengthList select (Method: m, Sigma: sigma, Length: n)).ToArray();
            bool asJson = parse.GetValue(json);
            MtdSweepPoint[] results = [];
            ProgressDisplay.Run(console, "Sweeping", ExperimentSweep.TotalRepetitions(cells, _ => reps), progress =>
                results = ExperimentSweep.Run(cells, _ => reps, seeds, (c, repetition) =>
                {
                    var simulation = d.Simulate(parse, repetition, c.Length, c.Sigma);
                    var solution = s.Estimator(parse, c.Method, simulation.Signal.Length, c.Sigma, repetition.Spawn("estimator"), context).Estimate(simulation);
                    return (Error: RelativeError.Of(solution.Estimate.Signal, simulation.Signal),
                        GammaError: Math.Abs(solution.Estimate.Gamma - simulation.Gamma) / simulation.Gamma, solution.PassSeconds, solution.FitSeconds);
                }, (c, trials) =>
                {
                    var spread = MeanAndSpread.Of([.. trials.Select(t => t.Error)]);
                    return new MtdSweepPoint(ChoiceOption.NameOf(SharedOptions.MtdMethodChoices, c.Method), (long)Math.Round(c.Length), c.Sigma, spread.Mean, spread.Std,
                        trials.Average(t => t.GammaError), trials.Average(t => t.PassSeconds), trials.Average(t => t.FitSeconds), trials.Length);
                }, progress, point =>
                {
                    if (!asJson)
                    {
                        console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"{point.Method,-15} N {point.MeasurementLength,11}  σ {point.Sigma,5:0.###}  error {point.ErrorMean:0.0000} ± {point.ErrorStd:0.0000}  γ error {100 * point.GammaErrorMean:0.00}%  pass {point.PassSeconds:0.00} s  fit {point.FitSeconds:0.00} s  ({point.Repetitions} runs)"));
                        console.Out.Flush();
                    }
                }));

            string? plotPath = parse.GetValue(plot);
            if (plotPath is not null)
            {
                SweepFigure.Save(plotPath, string.Create(CultureInfo.InvariantCulture, $"MTD, {d.SignalName(parse)} L = {parse.GetValue(d.Length)}, γ = {parse.GetValue(d.Gamma)}, {d.SpacingName(parse)}"),
                    [.. methodList.Select(m => ChoiceOption.NameOf(SharedOptions.MtdMethodChoices, m))], lengthList, sigmaList, results,
                    p => (p.Method, p.MeasurementLength, p.Sigma), (": x", p => p.ErrorMean), (": γ", p => p.GammaErrorMean));
            }

            var result = new MtdSweepResult(parse.GetValue(d.Length), d.SignalName(parse), parse.GetValue(d.Gamma), d.SpacingName(parse), results, plotPath);
            return CommandOutput.Emit(console, asJson, result, (o, r) => o.WriteLine($"{r.Results.Count} points{(plotPath is null ? "" : $"; plot {plotPath}")}"));
        });
        return command;
    }
}
