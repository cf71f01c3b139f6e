using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using CryoSharp.Cli.Options;
using CryoSharp.Experiments;
using CryoSharp.Moments;
using CryoSharp.Numerics;
using CryoSharp.Reports;

namespace CryoSharp.Cli.Commands;

/// <summary><c>cryosharp mra simulate|solve|sweep</c>: multireference alignment in 1D.</summary>
public static class MraCommand
{
    /// <summary>What <c>mra simulate</c> wrote.</summary>
    public sealed record MraSimulateResult(string Observations, string ShiftsFile, string Truth, string Plot, int Length, long Count, double Sigma, double Seconds);

    /// <summary>What <c>mra solve</c> found.</summary>
    public sealed record MraSolveResult(string Method, int Length, long Count, double Sigma, double? RelativeError, double? RhoError,
        PassAndFitSeconds Seconds, int Iterations, double[] Estimate, double[]? RhoEstimate, string? Plot, IReadOnlyList<MraPriorStep>? UnsupervisedCurve = null);

    /// <summary>One (method, N, σ) cell of a sweep.</summary>
    public sealed record MraSweepPoint(string Method, long Count, double Sigma, double ErrorMean, double ErrorStd, double? RhoErrorMean,
        double PassSeconds, double FitSeconds, int Repetitions);

    /// <summary>A sweep.</summary>
    public sealed record MraSweepResult(int Length, string Signal, string Shifts, IReadOnlyList<MraSweepPoint> Results, string? Plot);

    private enum ShiftKind
    {
        Uniform,
        Aperiodic,
    }

    private static readonly (string Name, ShiftKind Value)[] ShiftChoices = [("uniform", ShiftKind.Uniform), ("aperiodic", ShiftKind.Aperiodic)];

    /// <summary>The options that describe a simulated data set.</summary>
    private sealed record DataOptions(Option<int> Length, Option<MraSignalKind> Signal, Option<double> Count, Option<double> Sigma, Option<ShiftKind> Aperiodic)
    {
        public static DataOptions Create() => new(
            SharedOptions.SignalLength(41),
            SharedOptions.Signal(MraSignalKind.Boxcar),
            SharedOptions.Count("observations N", 10000),
            SharedOptions.Sigma(1.0),
            ChoiceOption.Create("--shifts", "Shift distribution: uniform, or aperiodic (independent weights uniform on [0.2, 1], seeded).", ShiftChoices, ShiftKind.Uniform));

        /// <summary>A simulation of the options' data set (N and σ may be overridden by a sweep).</summary>
        public MraSimulation Simulate(ParseResult parse, SeedSequence seeds, long? count = null, double? sigma = null)
        {
            int length = parse.GetValue(Length);
            MraSignal.CheckLength(length);
            var x = MraSignal.Create(parse.GetValue(Signal), length, seeds.Spawn("signal"));
            var rho = parse.GetValue(Aperiodic) == ShiftKind.Aperiodic ? ShiftDistribution.Aperiodic(length, seeds.Spawn("shift-distribution")) : ShiftDistribution.Uniform(length);
            return new MraSimulation(x, rho, sigma ?? parse.GetValue(Sigma), count ?? SharedOptions.WholeCount(parse, Count, 1_000_000_000_000), seeds.Spawn("observations"));
        }

        public string SignalName(ParseResult parse) => ChoiceOption.NameOf(SharedOptions.SignalChoices, parse.GetValue(Signal));

        public string ShiftsName(ParseResult parse) => ChoiceOption.NameOf(ShiftChoices, parse.GetValue(Aperiodic));
    }

    /// <summary>The options that set up the estimators.</summary>
    private sealed record SolverOptions(Option<int> Restarts, Option<double> Tolerance, Option<int> MaxIterations, Option<bool> EstimateRho,
        Option<MraEmSchedule> Schedule, Option<double> CacheGigabytes)
    {
        private static readonly (string Name, MraEmSchedule Value)[] ScheduleChoices = [("fast", MraEmSchedule.Fast), ("plain", MraEmSchedule.Plain)];

        public static SolverOptions Create() => new(
            SharedOptions.Restarts(10, "the bispectrum and moment fits"),
            SharedOptions.Tolerance(1e-6),
            SharedOptions.MaxIterations(1000),
            new Option<bool>("--estimate-rho")
            {
                Description = "EM also estimates the shift distribution ρ (otherwise it assumes uniform shifts). Moment fitting always estimates ρ; bispectrum inversion assumes uniform shifts.",
            },
            ChoiceOption.Create("--em-schedule", "EM's iterations: fast (SQUAREM-accelerated, on a hundredth, a tenth, then all of the observations) or plain (one EM step per pass over all of them).", ScheduleChoices, MraEmSchedule.Fast),
            new Option<double>("--cache-gb")
            {
                Description = "EM keeps the observations in memory after its first pass when they take at most this many GB (N·L·4 bytes); otherwise every pass reads or simulates them again.",
                DefaultValueFactory = _ => 4,
            });

        /// <summary>Adds these options, then <paramref name="last"/>, to <paramref name="command"/>.</summary>
        public void AddTo(Command command, params Option[] last)
        {
            foreach (var option in (Option[])[Restarts, Tolerance, MaxIterations, EstimateRho, Schedule, CacheGigabytes, .. last])
            {
                command.Options.Add(option);
            }
        }

        private long CacheBytes(ParseResult parse)
        {
            double gigabytes = parse.GetValue(CacheGigabytes);
            if (!(gigabytes >= 0) || gigabytes > 1e6)
            {
                throw new InvalidParameterException("--cache-gb", gigabytes, "must be a number of GB, 0 or more");
            }

            return (long)(gigabytes * (1L << 30));
        }

        /// <summary>The estimator of a method, seeded from <paramref name="seeds"/>.</summary>
        public IMraEstimator Estimator(ParseResult parse, MraMethod method, SeedSequence seeds, ComputeContext context, Action<int>? iteration = null) => method switch
        {
            MraMethod.Bispectrum => new BispectrumInversion(new BispectrumInversionOptions { Restarts = parse.GetValue(Restarts), Seeds = seeds, Context = context }),
            MraMethod.Moments => new MomentFitting(new MomentFittingOptions { Restarts = parse.GetValue(Restarts), Seeds = seeds, Context = context }),
            MraMethod.Em => new MraExpectationMaximization(new MraEmOptions
            {
                Tolerance = parse.GetValue(Tolerance),
                MaxIterations = parse.GetValue(MaxIterations),
                EstimateShifts = parse.GetValue(EstimateRho),
                Schedule = parse.GetValue(Schedule),
                CacheBytes = CacheBytes(parse),
                Seeds = seeds,
                Context = context,
                Progress = iteration is null ? null : (i, _, _, _) => iteration(i),
            }),
            _ => new OracleAlignment(context),
        };
    }

    /// <summary>Builds <c>mra</c>.</summary>
    public static Command Create(GlobalOptions globals, CliConsole console)
    {
        ArgumentNullException.ThrowIfNull(globals);
        return new Command("mra", "Multireference alignment: a 1D signal seen through random cyclic shifts and Gaussian noise, recovered by invariants, moments, EM, or the oracle.")
        {
            CreateSimulate(globals, console),
            CreateSolve(globals, console),
            CreateSweep(globals, console),
            MraPriorCommands.CreateTrain(globals, console),
            MraPriorCommands.CreateCompare(globals, console),
        };
    }

    private static Command CreateSimulate(GlobalOptions globals, CliConsole console)
    {
        var d = DataOptions.Create();
        var output = SharedOptions.OutputFolder("observations.mrcs (N sections of L × 1), shifts.mrc (the true shifts), truth.json (x, ρ, σ) and signal.svg");
        var json = SharedOptions.Json();
        var command = new Command("simulate", "Simulate MRA data and write it as a data set that 'mra solve --data' reopens.")
        {
            d.Length, d.Signal, d.Count, d.Sigma, d.Aperiodic, output, json,
        };
        command.SetAction(parse =>
        {
            var clock = Stopwatch.StartNew();
            var seeds = globals.Seeds(parse);
            var simulation = d.Simulate(parse, seeds);
            string dir = parse.GetValue(output)!;
            int l = simulation.Length;
            var truth = new MraTruth(l, simulation.Count, simulation.Sigma, d.SignalName(parse), d.ShiftsName(parse), seeds.Seed, simulation.Signal, simulation.Shifts.Probabilities);
            using var set = IO.OutputSet.Begin(dir);
            ProgressDisplay.Run(console, "Simulating", ((IMraObservations)simulation).ChunkCount, progress => MraDataset.Save(simulation, truth, set, progress));
            string plot = set.Final("signal.svg");
            new LinePlot { Title = "MRA signal and shift distribution ×L", XLabel = "t", YLabel = "value" }
                .Add("x", simulation.Signal, markers: true)
                .Add("L·ρ", [.. simulation.Shifts.Probabilities.Select(p => p * l)])
                .Save(set.Stage("signal.svg"));
            set.Commit();
            var result = new MraSimulateResult(Path.Combine(dir, MraDataset.ObservationsFile), Path.Combine(dir, MraDataset.ShiftsFile),
                Path.Combine(dir, MraDataset.TruthFileName), plot, l, simulation.Count, simulation.Sigma, clock.Elapsed.TotalSeconds);
            return CommandOutput.Emit(console, parse.GetValue(json), result, (o, r) => o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Wrote {r.Count} observations of length {l} (σ = {r.Sigma}) to {dir} in {r.Seconds:0.0} s.")));
        });
        return command;
    }

    private static Command CreateSolve(GlobalOptions globals, CliConsole console)
    {
        var d = DataOptions.Create();
        var s = SolverOptions.Create();
        var method = ChoiceOption.Create("--method",
            "bispectrum (power spectrum + bispectrum phase retrieval; uniform shifts), moments (fit x and ρ to the first two moments; non-uniform shifts), em (expectation–maximisation), oracle (true shifts), nn-prior (the first two moments through a trained encoder, --model, refined unsupervised).",
            SharedOptions.MraMethodChoices, MraMethod.Bispectrum);
        var data = SharedOptions.Data("mra simulate", "the data are simulated in memory, chunk by chunk, from the options");
        var plot = SharedOptions.Plot("the aligned estimate against the truth");
        var json = SharedOptions.Json();
        var model = MraPriorCommands.Model();
        var (iterations, priorRate, lambda) = MraPriorCommands.RefinementOptions();
        var untrained = new Option<bool>("--untrained") { Description = "nn-prior: start the refinement from fresh weights of the model's architecture instead of the trained ones." };
        var command = new Command("solve", "Estimate the signal (and ρ where the method does) and report the relative error up to the best cyclic shift.")
        {
            method, d.Length, d.Signal, d.Count, d.Sigma, d.Aperiodic, data, model, iterations, priorRate, lambda, untrained,
        };
        s.AddTo(command, plot, json);
        command.SetAction(parse =>
        {
            var seeds = globals.Seeds(parse);
            var m = parse.GetValue(method);
            IMraObservations source;
            double[] x, rho;
            double sigma;
            MraObservationSet? opened = null;
            if (parse.GetValue(data) is { } dir)
            {
                (opened, var truth) = MraDataset.Open(dir);
                (source, x, rho, sigma) = (opened, truth.X, truth.Rho, truth.Sigma);
            }
            else
            {
                var simulation = d.Simulate(parse, seeds);
                (source, x, rho, sigma) = (simulation, simulation.Signal, simulation.Shifts.Probabilities, simulation.Sigma);
            }

            using (opened)
            {
                if (m == MraMethod.NnPrior)
                {
                    if (globals.Communicator.IsDistributed)
                    {
                        throw new CryoSharpException("mra solve --method nn-prior does not share its work among MPI processes: run it without mpirun");
                    }

                    string modelPath = parse.GetValue(model) ?? throw new InvalidParameterException("--model", null, "is needed by --method nn-prior");
                    var engine = MraPriorCommands.Engine("mra solve --method nn-prior");
                    var settings = MraPriorModelFile.Read(modelPath);
                    if (settings.Length != source.Length)
                    {
                        throw new InvalidParameterException("--model", modelPath, $"was trained for L = {settings.Length}, the data have L = {source.Length}");
                    }

                    var pass = Stopwatch.StartNew();
                    var invariants = MraInvariants.Compute(source, sigma, bispectrum: false, secondMoment: true, context: globals.Context(parse));
                    double passSeconds = pass.Elapsed.TotalSeconds;
                    int steps = parse.GetValue(iterations);
                    var prior = ProgressDisplay.Run(console, "Refining through the network", steps + 1, progress => engine.Solve(new MraNeuralPriorSolveOptions
                    {
                        Model = modelPath,
                        Pretrained = !parse.GetValue(untrained),
                        FirstMoment = invariants.Mean,
                        SecondMoment = invariants.SecondMoment!,
                        Iterations = steps,
                        LearningRate = parse.GetValue(priorRate),
                        Lambda = parse.GetValue(lambda),
                        TrueSignal = x,
                        TrueRho = rho,
                        Seeds = seeds.Spawn("nn-prior"),
                        Threads = globals.Context(parse).Threads,
                    }, new CallbackProgress<MraPriorStep>(step => progress.Report(step.Iteration))));
                    var (priorShift, priorError) = CircularAlignment.Align(prior.Signal, x);
                    double priorRhoError = CircularAlignment.DistributionError(prior.Rho, rho, priorShift);
                    string? priorPlot = parse.GetValue(plot);
                    if (priorPlot is not null)
                    {
                        var steps1 = prior.Curve.Select(c => (double)c.Iteration).ToArray();
                        new LinePlot { Title = string.Create(CultureInfo.InvariantCulture, $"MRA, nn-prior: N = {source.Count}, σ = {sigma}"), XLabel = "unsupervised iteration", YLabel = "relative error" }
                            .Add("signal", steps1, [.. prior.Curve.Select(c => c.SignalError)])
                            .Add("ρ", steps1, [.. prior.Curve.Select(c => c.RhoError)])
                            .Save(priorPlot);
                    }

                    var priorResult = new MraSolveResult("nn-prior", x.Length, source.Count, sigma, priorError, priorRhoError,
                        new PassAndFitSeconds(passSeconds, prior.Seconds), steps, prior.Signal, prior.Rho, priorPlot, prior.Curve);
                    return CommandOutput.Emit(console, parse.GetValue(json), priorResult, (o, r) => o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"nn-prior: N = {r.Count}, σ = {sigma}: relative error {r.RelativeError:0.0000}, ρ error {r.RhoError:0.0000} (pass {r.Seconds.Pass:0.00} s, refinement {r.Seconds.Fit:0.00} s, {steps} iterations)")));
                }

                // EM is the long one (minutes at N = 10⁷): its iterations drive the bar, up to the limit.
                MraSolution solution = null!;
                ProgressDisplay.Run(console, "Solving", m == MraMethod.Em ? parse.GetValue(s.MaxIterations) : 1, progress =>
                    solution = s.Estimator(parse, m, seeds.Spawn("estimator"), globals.Context(parse), i => progress.Report(i)).Estimate(source, sigma));
                var estimate = solution.Estimate;
                var (shift, error) = CircularAlignment.Align(estimate.Signal, x);
                double? rhoError = estimate.Shifts is null ? null : CircularAlignment.DistributionError(estimate.Shifts, rho, shift);
                string name = ChoiceOption.NameOf(SharedOptions.MraMethodChoices, m);
                string? plotPath = parse.GetValue(plot);
                if (plotPath is not null && globals.Communicator.IsRoot)
                {
                    int l = x.Length;
                    var aligned = Enumerable.Range(0, l).Select(t => estimate.Signal[(t + shift) % l]).ToArray();
                    new LinePlot
                    {
                        Title = string.Create(CultureInfo.InvariantCulture, $"MRA, {name}: N = {source.Count}, σ = {sigma}, error {error:0.0000}"),
                        XLabel = "t",
                        YLabel = "x[t]",
                    }.Add("truth", x).Add("estimate (aligned)", aligned, markers: true).Save(plotPath);
                }

                var result = new MraSolveResult(name, x.Length, source.Count, sigma, error, rhoError,
                    new PassAndFitSeconds(solution.PassSeconds, solution.FitSeconds), estimate.Iterations, estimate.Signal, estimate.Shifts, plotPath);
                return CommandOutput.Emit(console, parse.GetValue(json), result, (o, r) =>
                {
                    string rhoText = r.RhoError is { } re ? string.Create(CultureInfo.InvariantCulture, $", ρ error {re:0.0000}") : "";
                    o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{r.Method}: N = {r.Count}, σ = {sigma}: relative error {error:0.0000}{rhoText} (pass {r.Seconds.Pass:0.00} s, fit {r.Seconds.Fit:0.00} s, {r.Iterations} iterations)"));
                });
            }
        });
        return command;
    }

    private static Command CreateSweep(GlobalOptions globals, CliConsole console)
    {
        var d = DataOptions.Create();
        var s = SolverOptions.Create();
        var methods = ChoiceOption.CreateList("--methods", "Comma list of methods.", SharedOptions.MraMethodChoices, [MraMethod.Bispectrum, MraMethod.Em, MraMethod.Oracle]);
        var counts = NumberListOption.Positive("--counts", "Comma list of N (1e3 style allowed).", "1e3,1e4,1e5");
        var sigmas = SharedOptions.Sigmas();
        var repetitions = SharedOptions.Repetitions(20);
        var maxRepetitions = new Option<string?>("--repetitions-at") { Description = "Fewer repetitions for large runs, as METHOD:N:REPS comma list (e.g. em:1e7:3)." };
        var plot = SharedOptions.Plot("mean error against N (log–log) or against σ");
        var json = SharedOptions.Json();
        var command = new Command("sweep", "Relative error against N (and σ) for several methods, mean and spread over seeded repetitions, with timings. Data are generated chunk by chunk, so N = 10⁷ needs no memory for the data. Results are printed as each point completes.")
        {
            methods, d.Length, d.Signal, d.Sigma, d.Aperiodic, counts, sigmas, repetitions, maxRepetitions,
        };
        s.AddTo(command, plot, json);
        command.SetAction(parse =>
        {
            var seeds = globals.Seeds(parse);
            var context = globals.Context(parse);
            var methodList = parse.GetValue(methods)!;
            var countList = parse.GetValue(counts)!.Select(v => (long)Math.Round(v)).ToArray();
            var sigmaList = parse.GetResult(sigmas) is null ? [parse.GetValue(d.Sigma)] : parse.GetValue(sigmas)!;
            int reps = parse.GetValue(repetitions);
            var limits = ParseLimits(parse.GetValue(maxRepetitions));
            var cells = (from m in methodList from sigma in sigmaList from n in countList select (Method: m, Sigma: sigma, Count: n)).ToArray();
            int Repetitions((MraMethod Method, double Sigma, long Count) c) =>
                limits.TryGetValue((c.Method, c.Count), out int limit) ? Math.Min(limit, reps) : reps;
            MraSweepPoint[] results = [];
            bool asJson = parse.GetValue(json);
            ProgressDisplay.Run(console, "Sweeping", ExperimentSweep.TotalRepetitions(cells, Repetitions), progress =>
                results = ExperimentSweep.Run(cells, Repetitions, seeds, (c, repetition) =>
                {
                    var simulation = d.Simulate(parse, repetition, c.Count, c.Sigma);
                    var solution = s.Estimator(parse, c.Method, repetition.Spawn("estimator"), context).Estimate(simulation, c.Sigma);
                    var (shift, error) = CircularAlignment.Align(solution.Estimate.Signal, simulation.Signal);
                    double? rhoError = solution.Estimate.Shifts is { } rhoHat ? CircularAlignment.DistributionError(rhoHat, simulation.Shifts.Probabilities, shift) : null;
                    return (Error: error, RhoError: rhoError, solution.PassSeconds, solution.FitSeconds);
                }, (c, trials) =>
                {
                    var spread = MeanAndSpread.Of([.. trials.Select(t => t.Error)]);
                    var rhoErrors = trials.Where(t => t.RhoError is not null).Select(t => t.RhoError!.Value).ToArray();
                    return new MraSweepPoint(ChoiceOption.NameOf(SharedOptions.MraMethodChoices, c.Method), c.Count, c.Sigma, spread.Mean, spread.Std,
                        rhoErrors.Length > 0 ? rhoErrors.Average() : null, trials.Average(t => t.PassSeconds), trials.Average(t => t.FitSeconds), trials.Length);
                }, progress, point =>
                {
                    if (!asJson)
                    {
                        PrintPoint(console.Out, point);
                    }
                }));

            string? plotPath = parse.GetValue(plot);
            if (plotPath is not null)
            {
                SweepFigure.Save(plotPath, string.Create(CultureInfo.InvariantCulture, $"MRA, {d.SignalName(parse)} L = {parse.GetValue(d.Length)}, {d.ShiftsName(parse)} shifts"),
                    [.. methodList.Select(m => ChoiceOption.NameOf(SharedOptions.MraMethodChoices, m))], [.. countList.Select(c => (double)c)], sigmaList, results,
                    p => (p.Method, p.Count, p.Sigma), ("", p => p.ErrorMean));
            }

            var result = new MraSweepResult(parse.GetValue(d.Length), d.SignalName(parse), d.ShiftsName(parse), results, plotPath);
            return CommandOutput.Emit(console, asJson, result, (o, r) => o.WriteLine($"{r.Results.Count} points{(plotPath is null ? "" : $"; plot {plotPath}")}"));
        });
        return command;
    }

    private static void PrintPoint(TextWriter output, MraSweepPoint p)
    {
        string rhoText = p.RhoErrorMean is { } re ? string.Create(CultureInfo.InvariantCulture, $"  ρ error {re:0.0000}") : "";
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{p.Method,-10} N {p.Count,9}  σ {p.Sigma,5:0.###}  error {p.ErrorMean:0.00000} ± {p.ErrorStd:0.00000}{rhoText}  pass {p.PassSeconds:0.00} s  fit {p.FitSeconds:0.00} s  ({p.Repetitions} runs)"));
        output.Flush();
    }

    private static Dictionary<(MraMethod, long), int> ParseLimits(string? text)
    {
        var result = new Dictionary<(MraMethod, long), int>();
        if (string.IsNullOrWhiteSpace(text))
        {
            return result;
        }

        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = part.Split(':');
            var method = SharedOptions.MraMethodChoices.FirstOrDefault(c => fields.Length == 3 && c.Name == fields[0]);
            if (fields.Length != 3 || method.Name is null
                || !double.TryParse(fields[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double n)
                || !int.TryParse(fields[2], CultureInfo.InvariantCulture, out int reps) || reps < 1)
            {
                throw new InvalidParameterException("--repetitions-at", part, "must be METHOD:N:REPS, e.g. em:1e7:3");
            }

            result[(method.Value, (long)Math.Round(n))] = reps;
        }

        return result;
    }
}
