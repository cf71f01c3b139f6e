using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using CryoSharp.Cli.Options;
using CryoSharp.Moments;
using CryoSharp.Numerics;
using CryoSharp.Reports;

namespace CryoSharp.Cli.Commands;

/// <summary>
/// The neural-network prior of MRA (Khoo, Paul and Sharon 2023), through the learning component: <c>mra train-prior</c>,
/// <c>mra compare-prior</c> (their Figure 4: refinement from the pre-trained encoder, from an untrained one, and moment
/// fitting without a network, on the same moments), and the nn-prior method of <c>mra solve</c>.
/// </summary>
public static class MraPriorCommands
{
    private const string EngineType = "CryoSharp.Learning.MraNeuralPriorEngine";
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    /// <summary>What <c>mra train-prior</c> prints.</summary>
    public sealed record TrainPriorResult(int Mixtures, int Length, int Train, long Observations, double Sigma, double TestRhoError, double TestSignalError,
        int BestEpoch, IReadOnlyList<MraPriorEpoch> Curve, double DataSeconds, double TrainSeconds, string Model, string? Plot);

    /// <summary>One method's mean error over the instances at each recorded iteration.</summary>
    public sealed record ComparisonCurve(string Method, int[] Iterations, double[] SignalError, double[] RhoError, double[] Loss);

    /// <summary>What <c>mra compare-prior</c> prints.</summary>
    public sealed record ComparePriorResult(string Model, int Instances, long Observations, double Sigma, int Iterations,
        IReadOnlyList<ComparisonCurve> Curves, double MomentsSignalError, double MomentsRhoError, double Seconds, string? Plot);

    /// <summary>The engine, loaded on first use (one line when the learning component is missing).</summary>
    public static IMraNeuralPrior Engine(string command) => LearningComponent.Create<IMraNeuralPrior>(command, EngineType);

    /// <summary>Builds <c>mra train-prior</c>.</summary>
    public static Command CreateTrain(GlobalOptions globals, CliConsole console)
    {
        ArgumentNullException.ThrowIfNull(globals);
        var defaults = new MraPriorTrainingOptions { Output = "" };
        var mixtures = new Option<int>("--mixtures") { Description = "Gaussians in the mixtures of the training signals and shift distributions: 1, 2 or 3.", DefaultValueFactory = _ => defaults.Mixtures };
        var length = new Option<int>("--length") { Description = "L, points of the signal.", DefaultValueFactory = _ => defaults.Length };
        var train = new Option<int>("--train") { Description = "Training instances (validation and test sets: a tenth as many each, at least 100).", DefaultValueFactory = _ => defaults.TrainCount };
        var observations = SharedOptions.Count("observations N behind each instance's moments", defaults.Observations);
        var sigma = SharedOptions.Sigma(defaults.Sigma);
        var epochs = new Option<int>("--epochs") { Description = "Passes over the training set.", DefaultValueFactory = _ => defaults.Epochs };
        var fresh = new Option<bool>("--fresh-instances") { Description = "Draw a new training set for every epoch (the validation and test sets stay fixed); '--fresh-instances false' passes over one fixed set instead.", DefaultValueFactory = _ => defaults.FreshInstances };
        var batch = new Option<int>("--batch-size") { Description = "Instances per Adam step.", DefaultValueFactory = _ => defaults.BatchSize };
        var rate = new Option<double>("--learning-rate") { Description = "Adam's initial learning rate (divided by 10 after half and after three quarters of the epochs).", DefaultValueFactory = _ => defaults.LearningRate };
        var channels = new Option<int>("--channels") { Description = "Channels of the convolutions.", DefaultValueFactory = _ => defaults.Channels };
        var window = new Option<int>("--window") { Description = "Window (odd) of the periodic convolutions.", DefaultValueFactory = _ => defaults.Window };
        var hidden = new Option<int>("--hidden") { Description = "Width of the fully connected layers.", DefaultValueFactory = _ => defaults.Hidden };
        var branch = new Option<int>("--branch-channels") { Description = "Channels each branch (on M̂¹, on M̂²) ends in before the two are stacked; the paper stacks 3 + 3.", DefaultValueFactory = _ => defaults.BranchChannels };
        var minimumWidth = new Option<double>("--minimum-width") { Description = "Smallest width (standard deviation, samples) of the instances' Gaussian bumps; 0 keeps L/40…L/10 for the signal and 0.03…0.12·L for ρ, which reach half a sample at L = 21.", DefaultValueFactory = _ => defaults.MinimumWidth };
        var gridCentres = new Option<bool>("--grid-centres") { Description = "Centre the instances' bumps on samples. Off the grid a fraction-of-a-sample shift of the signal against ρ leaves the moments unchanged, so it cannot be learnt and sets a floor under the test errors (about 0.13 for ρ with one Gaussian).", DefaultValueFactory = _ => defaults.GridCentres };
        var trunkLayers = new Option<int>("--trunk-layers") { Description = "Convolutions after the stacking.", DefaultValueFactory = _ => defaults.TrunkLayers };
        var output = SharedOptions.OutputFile("the model's weights (its settings and test errors beside it, as PATH.json)");
        var plot = SharedOptions.Plot("the training curve");
        var json = SharedOptions.Json();
        var command = new Command("train-prior", "Train the MRA moment encoder (the neural-network prior) on synthetic instances: signals and shift distributions from Gaussian mixtures, moments of N noisy observations; prints the held-back test errors.")
        {
            mixtures, length, train, observations, sigma, epochs, fresh, batch, rate, channels, window, hidden, branch, trunkLayers, minimumWidth, gridCentres, output, plot, json,
        };
        command.SetAction(parse =>
        {
            var engine = Engine("mra train-prior");
            string model = Path.GetFullPath(parse.GetValue(output)!);
            Directory.CreateDirectory(Path.GetDirectoryName(model)!);
            var options = new MraPriorTrainingOptions
            {
                Mixtures = parse.GetValue(mixtures),
                Length = parse.GetValue(length),
                TrainCount = parse.GetValue(train),
                Observations = SharedOptions.WholeCount(parse, observations, 1_000_000_000_000),
                Sigma = parse.GetValue(sigma),
                Epochs = parse.GetValue(epochs),
                FreshInstances = parse.GetValue(fresh),
                BatchSize = parse.GetValue(batch),
                LearningRate = parse.GetValue(rate),
                Channels = parse.GetValue(channels),
                Window = parse.GetValue(window),
                Hidden = parse.GetValue(hidden),
                BranchChannels = parse.GetValue(branch),
                TrunkLayers = parse.GetValue(trunkLayers),
                MinimumWidth = parse.GetValue(minimumWidth),
                GridCentres = parse.GetValue(gridCentres),
                Output = model,
                Seeds = globals.Seeds(parse),
                Threads = globals.Context(parse).Threads,
            };
            MraPriorTrainingResult trained = null!;
            ProgressDisplay.RunPhases(console, "Training", options.Epochs, (progress, rename) =>
                trained = engine.Train(options, new CallbackProgress<MraPriorEpoch>(e =>
                {
                    rename(string.Create(C, $"Training: loss {e.TrainLoss:0.0000}, validation errors ρ {e.ValidationRhoError:0.000}, signal {e.ValidationSignalError:0.000}"));
                    progress.Report(e.Epoch);
                })));
            string? plotPath = parse.GetValue(plot);
            if (plotPath is not null)
            {
                var epochsAxis = trained.Curve.Select(e => (double)e.Epoch).ToArray();
                new LinePlot { Title = string.Create(C, $"MRA prior, {options.Mixtures} Gaussian(s): test errors ρ {trained.TestRhoError:0.000}, signal {trained.TestSignalError:0.000}"), XLabel = "epoch", YLabel = "error" }
                    .Add("training loss", epochsAxis, [.. trained.Curve.Select(e => e.TrainLoss)])
                    .Add("validation ρ error", epochsAxis, [.. trained.Curve.Select(e => e.ValidationRhoError)])
                    .Add("validation signal error", epochsAxis, [.. trained.Curve.Select(e => e.ValidationSignalError)])
                    .Save(plotPath);
            }

            var result = new TrainPriorResult(options.Mixtures, options.Length, options.TrainCount, options.Observations, options.Sigma, trained.TestRhoError,
                trained.TestSignalError, trained.BestEpoch, trained.Curve, trained.DataSeconds, trained.TrainSeconds, model, plotPath);
            return CommandOutput.Emit(console, parse.GetValue(json), result, (o, r) => o.WriteLine(string.Create(C,
                $"{r.Model}: {r.Mixtures} Gaussian(s), L = {r.Length}, {r.Train} instances, N = {r.Observations}, σ = {r.Sigma}: test errors ρ {r.TestRhoError:0.0000}, signal {r.TestSignalError:0.0000} (epoch {r.BestEpoch}; data {r.DataSeconds:0} s, training {r.TrainSeconds:0} s)")));
        });
        return command;
    }

    /// <summary>Builds <c>mra compare-prior</c>.</summary>
    public static Command CreateCompare(GlobalOptions globals, CliConsole console)
    {
        ArgumentNullException.ThrowIfNull(globals);
        var model = Model();
        var instances = new Option<int>("--instances") { Description = "Instances, drawn from the model's training distribution.", DefaultValueFactory = _ => 20 };
        var observations = SharedOptions.Count("observations N behind each instance's moments", 1_000_000);
        var sigma = SharedOptions.Sigma(1.0);
        var (iterations, rate, lambda) = RefinementOptions();
        var every = new Option<int>("--record-every") { Description = "Record the errors every this many iterations.", DefaultValueFactory = _ => 30 };
        var restarts = new Option<int>("--restarts") { Description = "Random starts of the moment fit without a network.", DefaultValueFactory = _ => 10 };
        var plot = SharedOptions.Plot("the mean error curves");
        var json = SharedOptions.Json();
        var command = new Command("compare-prior", "The paper's Figure 4: on the same moments of fresh instances, unsupervised refinement from the pre-trained encoder and from an untrained one (mean error against iteration), and moment fitting without a network.")
        {
            model, instances, observations, sigma, iterations, rate, lambda, every, restarts, plot, json,
        };
        command.SetAction(parse =>
        {
            var engine = Engine("mra compare-prior");
            var clock = Stopwatch.StartNew();
            string path = parse.GetValue(model)!;
            var settings = MraPriorModelFile.Read(path);
            int count = parse.GetValue(instances);
            if (count < 1)
            {
                throw new InvalidParameterException("--instances", count, "must be at least 1");
            }

            long n = SharedOptions.WholeCount(parse, observations, 1_000_000_000_000);
            double s = parse.GetValue(sigma);
            var seeds = globals.Seeds(parse);
            int threads = globals.Context(parse).Threads, steps = parse.GetValue(iterations);
            var runs = new Dictionary<string, List<MraNeuralPriorSolution>> { ["pre-trained"] = [], ["untrained"] = [] };
            double momentsSignal = 0, momentsRho = 0;
            ProgressDisplay.RunPhases(console, "Refining", 2L * count * (steps + 1), (progress, rename) =>
            {
                long done = 0;
                for (int i = 0; i < count; i++)
                {
                    var instance = seeds.Spawn("instance", i);
                    var x = MraSignal.GaussianMixture(settings.Length, settings.Mixtures, instance.Spawn("signal"), settings.MinimumWidth, settings.GridCentres);
                    var rho = ShiftDistribution.GaussianMixture(settings.Length, settings.Mixtures, instance.Spawn("rho"), settings.MinimumWidth, settings.GridCentres).Probabilities;
                    var (m1, m2) = MraMomentSampler.Sample(x, new ShiftDistribution(rho), n, s, instance.Spawn("moments"));
                    foreach (bool pretrained in new[] { true, false })
                    {
                        rename(string.Create(C, $"Refining instance {i + 1}/{count}, {(pretrained ? "pre-trained" : "untrained")}"));
                        long before = done;
                        var solution = engine.Solve(new MraNeuralPriorSolveOptions
                        {
                            Model = path,
                            Pretrained = pretrained,
                            FirstMoment = m1,
                            SecondMoment = m2,
                            Iterations = steps,
                            LearningRate = parse.GetValue(rate),
                            Lambda = parse.GetValue(lambda),
                            TrueSignal = x,
                            TrueRho = rho,
                            RecordEvery = parse.GetValue(every),
                            Seeds = instance.Spawn("untrained"),
                            Threads = threads,
                        }, new CallbackProgress<MraPriorStep>(step => progress.Report(before + step.Iteration)));
                        done = before + steps + 1;
                        runs[pretrained ? "pre-trained" : "untrained"].Add(solution);
                    }

                    var fit = MomentFitting.Solve(MraInvariants.FromMoments(m1, m2, n, s), parse.GetValue(restarts), instance.Spawn("moments-fit"));
                    var (shift, error) = CircularAlignment.Align(fit.Signal, x);
                    momentsSignal += error / count;
                    momentsRho += CircularAlignment.DistributionError(fit.Shifts!, rho, shift) / count;
                }
            });
            var curves = runs.Select(run =>
            {
                var first = run.Value[0].Curve;
                return new ComparisonCurve(run.Key, [.. first.Select(p => p.Iteration)],
                    [.. first.Select((_, k) => run.Value.Average(r => r.Curve[k].SignalError))],
                    [.. first.Select((_, k) => run.Value.Average(r => r.Curve[k].RhoError))],
                    [.. first.Select((_, k) => run.Value.Average(r => r.Curve[k].Loss))]);
            }).ToArray();
            string? plotPath = parse.GetValue(plot);
            if (plotPath is not null)
            {
                var chart = new LinePlot { Title = string.Create(C, $"MRA, {settings.Mixtures} Gaussian(s), N = {n}, σ = {s}: mean over {count} instances"), XLabel = "unsupervised iteration", YLabel = "relative error" };
                foreach (var c in curves)
                {
                    chart.Add($"signal, {c.Method}", [.. c.Iterations.Select(v => (double)v)], c.SignalError);
                    chart.Add($"ρ, {c.Method}", [.. c.Iterations.Select(v => (double)v)], c.RhoError);
                }

                double[] ends = [0, steps];
                chart.Add("signal, moment fit (no network)", ends, [momentsSignal, momentsSignal]).Add("ρ, moment fit (no network)", ends, [momentsRho, momentsRho]).Save(plotPath);
            }

            var result = new ComparePriorResult(path, count, n, s, steps, curves, momentsSignal, momentsRho, clock.Elapsed.TotalSeconds, plotPath);
            return CommandOutput.Emit(console, parse.GetValue(json), result, (o, r) =>
            {
                foreach (var c in r.Curves)
                {
                    o.WriteLine(string.Create(C, $"{c.Method,-12} signal error {c.SignalError[0]:0.0000} → {c.SignalError[^1]:0.0000}, ρ error {c.RhoError[0]:0.0000} → {c.RhoError[^1]:0.0000} after {r.Iterations} iterations"));
                }

                o.WriteLine(string.Create(C, $"{"moment fit",-12} signal error {r.MomentsSignalError:0.0000}, ρ error {r.MomentsRhoError:0.0000} ({r.Instances} instances, {r.Seconds:0} s)"));
            });
        });
        return command;
    }

    /// <summary>--model.</summary>
    public static Option<string?> Model() => new("--model") { Description = "A model written by 'mra train-prior' (with its PATH.json)." };

    /// <summary>--unsupervised-iterations, --prior-learning-rate, --lambda.</summary>
    public static (Option<int> Iterations, Option<double> Rate, Option<double> Lambda) RefinementOptions() => (
        new Option<int>("--unsupervised-iterations") { Description = "Adam steps of the unsupervised refinement through the network.", DefaultValueFactory = _ => 3000 },
        new Option<double>("--prior-learning-rate") { Description = "Adam's learning rate in the refinement.", DefaultValueFactory = _ => 1e-4 },
        new Option<double>("--lambda") { Description = "λ in ‖M̂¹ − M¹‖ + λ‖M̂² − M²‖.", DefaultValueFactory = _ => 1.0 });
}
