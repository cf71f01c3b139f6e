using System.CommandLine;
using System.Globalization;
using CryoSharp.Cli.Options;
using CryoSharp.Geometry;
using CryoSharp.Imaging;
using CryoSharp.IO;
using CryoSharp.Particles;
using CryoSharp.Poses;
using CryoSharp.Simulation;

namespace CryoSharp.Cli.Commands;

/// <summary>
/// <c>cryosharp poses train-distance</c>: trains the Siamese distance network on simulated projections (known poses,
/// noise, CTF) of other maps, so that <c>poses --distance learned</c> can use it on a map it never saw.
/// </summary>
public static class TrainDistanceCommand
{
    private const string EngineType = "CryoSharp.Learning.DistanceLearnerEngine";
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    /// <summary>The distance learner from the learning component (one line when it is missing).</summary>
    public static IDistanceLearner Engine(string command) => LearningComponent.Create<IDistanceLearner>(command, EngineType);

    /// <summary>What training produced.</summary>
    /// <param name="Model">The weights file (its description is beside it, .json).</param>
    /// <param name="Maps">The maps trained on.</param>
    /// <param name="ImagesPerMap">Projections simulated per map.</param>
    /// <param name="BestEpoch">The epoch kept.</param>
    /// <param name="ValidationErrorDeg">Its mean |d_p − d_q| on held-out projections (°).</param>
    /// <param name="Parameters">Trainable parameters.</param>
    /// <param name="SimulationSeconds">Time to simulate.</param>
    /// <param name="TrainingSeconds">Time to train.</param>
    /// <param name="Curve">Every epoch.</param>
    public sealed record TrainDistanceResult(string Model, IReadOnlyList<string> Maps, int ImagesPerMap, int BestEpoch, double ValidationErrorDeg, long Parameters,
        double SimulationSeconds, double TrainingSeconds, IReadOnlyList<DistanceTrainingEpoch> Curve);

    /// <summary>Builds the command.</summary>
    public static Command Create(GlobalOptions globals, CliConsole console)
    {
        ArgumentNullException.ThrowIfNull(globals);
        var maps = new Option<string[]>("--maps") { Description = "Maps to train on (MRC), comma-separated.", CustomParser = r => [.. r.Tokens.SelectMany(t => t.Value.Split(',', StringSplitOptions.RemoveEmptyEntries))] };
        var pdbs = new Option<string[]>("--pdb") { Description = "Atomic models to train on (PDB or mmCIF, may be .gz), comma-separated; each becomes a map as pdb2map makes it.", CustomParser = r => [.. r.Tokens.SelectMany(t => t.Value.Split(',', StringSplitOptions.RemoveEmptyEntries))] };
        var phantoms = new Option<string[]>("--phantom-seeds") { Description = "Seeds of blob phantoms to train on as well (each seed another asymmetric molecule), comma-separated.", CustomParser = r => [.. r.Tokens.SelectMany(t => t.Value.Split(',', StringSplitOptions.RemoveEmptyEntries))] };
        var mapBox = new Option<int>("--map-box") { Description = "Box in pixels every map is brought to before projecting.", DefaultValueFactory = _ => 64 };
        var pixel = new Option<double>("--pixel-size", "--angpix") { Description = "Pixel size in Å every map is brought to before projecting.", DefaultValueFactory = _ => 3 };
        var networkBox = new Option<int>("--network-box") { Description = "Box in pixels of the network's input: projections are Fourier-cropped to it.", DefaultValueFactory = _ => 32 };
        var count = new Option<int>("--count", "-n") { Description = "Projections simulated per map (uniform orientations).", DefaultValueFactory = _ => 5000 };
        var snr = SharedOptions.Snr(double.PositiveInfinity);
        var ctf = SharedOptions.ApplyCtf("every projection (then phase-flipped, as poses --ctf does)");
        var epochs = new Option<int>("--epochs") { Description = "Passes over the training projections.", DefaultValueFactory = _ => 20 };
        var batch = new Option<int>("--batch-size") { Description = "Projections per step, of one map; every pair among them is a training pair.", DefaultValueFactory = _ => 64 };
        var rate = new Option<double>("--learning-rate") { Description = "Adam's step size (÷10 at half and at three quarters of the epochs).", DefaultValueFactory = _ => 1e-3 };
        var channels = new Option<int>("--channels") { Description = "Channels of the first convolution (2× and 4× in the next).", DefaultValueFactory = _ => 16 };
        var dimension = new Option<int>("--embedding-dimension") { Description = "Dimension of the embedding.", DefaultValueFactory = _ => 32 };
        var output = SharedOptions.OutputFile("the network's weights (TorchSharp), with its description beside it as <out>.json");
        var target = ChoiceOption.Create("--target", "What the embedding distance is trained to be: angle (θ itself, as the paper) or chord (2√2·sin(θ/2), the distance between rotation matrices, which an embedding can match exactly).",
            [("chord", DistanceTarget.Chord), ("angle", DistanceTarget.Angle)], DistanceTarget.Angle);
        var plot = SharedOptions.Plot("the training and validation curves");
        var json = SharedOptions.Json();
        var command = new Command("train-distance", "Train the Siamese network whose embedding distance is the rotation angle between two projections, on simulated projections of other maps.")
        {
            maps, pdbs, phantoms, mapBox, pixel, networkBox, count, snr, ctf, epochs, batch, rate, channels, dimension, target, output, plot, json,
        };
        command.SetAction(parse =>
        {
            string modelPath = parse.GetValue(output)!;
            var mapPaths = parse.GetValue(maps) ?? [];
            var pdbPaths = parse.GetValue(pdbs) ?? [];
            var seeds = parse.GetValue(phantoms) ?? [];
            OutputSafety.RefuseOverwritingInputs([.. mapPaths.Select(m => ((string?)m, "--maps")), .. pdbPaths.Select(p => ((string?)p, "--pdb"))],
                [(modelPath, "--out"), (modelPath + ".json", "--out"), .. parse.GetValue(plot) is { } svg ? [(svg, "--plot")] : Array.Empty<(string, string)>()]);
            int n = parse.GetValue(count), box = parse.GetValue(mapBox), netBox = parse.GetValue(networkBox);
            double pixelA = parse.GetValue(pixel);
            InvalidParameterException.ThrowIfNotPositive("--pixel-size", pixelA);
            if (netBox < 16 || netBox > box)
            {
                throw new InvalidParameterException("--network-box", netBox, $"must be between 16 and --map-box ({box})");
            }

            if (mapPaths.Length + pdbPaths.Length + seeds.Length == 0)
            {
                throw new InvalidParameterException("--maps", "", "give at least one of --maps, --pdb and --phantom-seeds to train on");
            }

            var context = globals.Context(parse);
            var root = globals.Seeds(parse).Spawn("train-distance");
            var volumes = new List<(string Name, Volume Map)>();
            foreach (var m in mapPaths)
            {
                volumes.Add((m, VolumeInput.Load(m, null, null, box, pixelA, null, root, context)));
            }

            foreach (var p in pdbPaths)
            {
                volumes.Add((p, VolumeInput.Load(null, null, p, box, pixelA, null, root, context)));
            }

            foreach (var s in seeds)
            {
                if (!long.TryParse(s, NumberStyles.Integer, C, out long seed))
                {
                    throw new InvalidParameterException("--phantom-seeds", s, "must be whole numbers");
                }

                volumes.Add(($"blobs:{seed}", VolumeInput.Load(null, PhantomKind.Blobs, null, box, pixelA, null, new Numerics.SeedSequence(seed), context)));
            }

            var clock = System.Diagnostics.Stopwatch.StartNew();
            var sets = new List<DistanceTrainingSet>();
            for (int v = 0; v < volumes.Count; v++)
            {
                var simulator = new ParticleSimulator(volumes[v].Map, new SimulationOptions
                {
                    Count = n,
                    Snr = parse.GetValue(snr),
                    Ctf = parse.GetValue(ctf),
                    Seeds = root.Spawn("map", v),
                }, context);
                simulator.Options.Validate();
                var source = simulator.CreateSource();
                IParticleSource prepared = parse.GetValue(ctf) ? source.PhaseFlipped(context) : source;
                console.Error.WriteLine(string.Create(C, $"train-distance: {n} projections of {volumes[v].Name}"));
                var images = DistanceNetworkInput.Prepare(prepared, netBox, context);
                sets.Add(new DistanceTrainingSet(volumes[v].Name, images, n, [.. source.Records.Select(r => UnitQuaternion.FromMatrix(r.Pose.Rotation))]));
            }

            double simulationSeconds = clock.Elapsed.TotalSeconds;
            var engine = Engine("poses train-distance");
            var options = new DistanceTrainingOptions
            {
                Sets = sets,
                Box = netBox,
                PixelSizeA = pixelA * box / netBox,
                Output = modelPath,
                Epochs = parse.GetValue(epochs),
                BatchSize = parse.GetValue(batch),
                LearningRate = parse.GetValue(rate),
                Channels = parse.GetValue(channels),
                EmbeddingDimension = parse.GetValue(dimension),
                Chordal = parse.GetValue(target) == DistanceTarget.Chord,
                Seeds = root.Spawn("training"),
                Threads = context.Threads,
            };
            if (Path.GetDirectoryName(Path.GetFullPath(modelPath)) is { } folder)
            {
                Directory.CreateDirectory(folder);
            }

            DistanceTrainingResult result = null!;
            ProgressDisplay.RunPhases(console, "Training", options.Epochs, (progress, rename) =>
            {
                result = engine.Train(options, new Progress<DistanceTrainingEpoch>(e =>
                {
                    progress.Report(e.Epoch);
                    rename(string.Create(C, $"Training (validation {e.ValidationErrorDeg:0.0}°)"));
                }));
            });
            if (parse.GetValue(plot) is { } plotPath)
            {
                var x = result.Curve.Select(e => (double)e.Epoch).ToArray();
                new Reports.LinePlot { Title = "Siamese distance network", XLabel = "epoch", YLabel = "mean (d_p − d_q)² (rad²)", LogY = true }
                    .Add("training", x, [.. result.Curve.Select(e => e.TrainingLoss)], markers: true)
                    .Add("validation (held-out projections)", x, [.. result.Curve.Select(e => e.ValidationLoss)], markers: true)
                    .Save(plotPath);
            }

            var summary = new TrainDistanceResult(modelPath, [.. volumes.Select(v => v.Name)], n, result.BestEpoch, result.ValidationErrorDeg, result.Parameters,
                simulationSeconds, result.Seconds, result.Curve);
            return CommandOutput.Emit(console, parse.GetValue(json), summary, (o, r) =>
            {
                o.WriteLine(string.Create(C, $"{r.Maps.Count} maps × {r.ImagesPerMap} projections: validation |d_p − d_q| {r.ValidationErrorDeg:0.0}° at epoch {r.BestEpoch} ({r.Parameters} parameters, {r.TrainingSeconds:0} s)"));
                foreach (var e in r.Curve)
                {
                    o.WriteLine(string.Create(C, $"  epoch {e.Epoch}: training loss {e.TrainingLoss:G3}, validation loss {e.ValidationLoss:G3} ({e.ValidationErrorDeg:0.0}°)"));
                }

                o.WriteLine($"  {r.Model}");
            });
        });
        return command;
    }

    private enum DistanceTarget
    {
        Angle,
        Chord,
    }
}
