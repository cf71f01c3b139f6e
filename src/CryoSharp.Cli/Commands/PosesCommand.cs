using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using CryoSharp.Cli.Options;
using CryoSharp.Geometry;
using CryoSharp.IO;
using CryoSharp.IO.Star;
using CryoSharp.Particles;
using CryoSharp.Poses;

namespace CryoSharp.Cli.Commands;

/// <summary>
/// <c>cryosharp poses</c>: particle orientations from pairwise distances between their images (Banjac, Donati and
/// Defferrard), scored against the STAR file's angles when it has them.
/// </summary>
public static class PosesCommand
{
    /// <summary>Names of the outputs.</summary>
    public static readonly string[] OutputNames = ["particles.star", "particles_frame.star", "particles_aligned.star", "report.html"];

    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    /// <summary>What the recovery found.</summary>
    /// <param name="OutputDirectory">Where the results are.</param>
    /// <param name="Particles">Particles used.</param>
    /// <param name="Distance">The distance, in words.</param>
    /// <param name="Pairs">Pair sampling.</param>
    /// <param name="PairCount">Pairs fitted.</param>
    /// <param name="Loss">Final loss (rad²).</param>
    /// <param name="RestartLosses">Every start's final loss.</param>
    /// <param name="DistanceSeconds">Time to read the images and score the pairs.</param>
    /// <param name="FitSeconds">Time of the fit.</param>
    /// <param name="AngleErrorMeanDeg">Mean angle error after the two-sided alignment, when the truth is known.</param>
    /// <param name="AngleErrorMedianDeg">Median angle error after the two-sided alignment.</param>
    /// <param name="OneSidedErrorMeanDeg">Mean angle error after aligning the map's frame and hand only.</param>
    /// <param name="DistanceCorrelation">Correlation of d_p with the true angle over the pairs.</param>
    /// <param name="DistanceRmsErrorDeg">RMS of d_p − d_q over the pairs (°).</param>
    /// <param name="MeanPairAngleRecoveredDeg">Mean angle between random recovered orientations (uniform 126.5°).</param>
    /// <param name="MeanPairAngleTrueDeg">The same for the truth.</param>
    /// <param name="FrameScore">With the frame search: the coherent fraction of the images' power at the frame found (1 at best).</param>
    /// <param name="FrameIdentityScore">The same for the orientations as fitted.</param>
    /// <param name="FrameInverted">Whether the frame found inverts the fitted orientations.</param>
    /// <param name="FrameErrorMeanDeg">Mean angle error of particles_frame.star after aligning the map's frame and hand only, when the truth is known.</param>
    /// <param name="FrameSeconds">Time of the frame search.</param>
    public sealed record PosesResult(string OutputDirectory, int Particles, string Distance, string Pairs, int PairCount, double Loss, double[] RestartLosses,
        double DistanceSeconds, double FitSeconds, double? AngleErrorMeanDeg, double? AngleErrorMedianDeg, double? OneSidedErrorMeanDeg,
        double? DistanceCorrelation, double? DistanceRmsErrorDeg, double? MeanPairAngleRecoveredDeg, double? MeanPairAngleTrueDeg,
        double? FrameScore = null, double? FrameIdentityScore = null, bool? FrameInverted = null, double? FrameErrorMeanDeg = null, double? FrameSeconds = null);

    /// <summary>Builds the command.</summary>
    public static Command Create(GlobalOptions globals, CliConsole console)
    {
        ArgumentNullException.ThrowIfNull(globals);
        var particles = SharedOptions.Particles("whose orientations to recover (their angles, when present, are the truth the result is scored against)");
        var dataRoot = SharedOptions.DataRoot();
        var distance = ChoiceOption.Create("--distance", "The distance between projections: exact (the true rotation angle, from the STAR file's angles: the oracle), euclidean (between the images inside the disc), aligned (Euclidean after the best in-plane rotation), learned (a Siamese network's, --model).",
            [("exact", DistanceKind.Exact), ("euclidean", DistanceKind.Euclidean), ("aligned", DistanceKind.Aligned), ("learned", DistanceKind.Learned)], DistanceKind.Euclidean);
        var model = new Option<string?>("--model") { Description = "The distance network for --distance learned (from poses train-distance)." };
        var pairs = ChoiceOption.Create("--pairs", "Which pairs to fit: knn (each particle's nearest neighbours), random, or mixed (half each).",
            [("knn", PairSampling.Knn), ("random", PairSampling.Random), ("mixed", PairSampling.Mixed)], PairSampling.Mixed);
        var perParticle = new Option<int>("--pairs-per-particle") { Description = "Pairs per particle.", DefaultValueFactory = _ => 40 };
        var calibrate = ChoiceOption.Create("--calibrate", "Put image distances in radians by matching their quantiles to those of the angle between uniform random rotations (quantile), or use them as they are (none). Default: quantile for image distances, none for exact.",
            [("auto", Calibration.Auto), ("quantile", Calibration.Quantile), ("none", Calibration.None)], Calibration.Auto);
        var lowpass = new Option<double?>("--lowpass") { Description = "Compare the images only up to this resolution in Å (a low-pass distance; default: Nyquist)." };
        var diameter = new Option<double?>("--particle-diameter") { Description = "Diameter in Å of the disc the images are compared in (default: the box)." };
        var ctf = new Option<bool>("--ctf") { Description = "Phase-flip the images by their CTF first (needs defocus columns)." };
        var count = new Option<int?>("--count", "-n") { Description = "Use only the first this many particles." };
        var epochs = new Option<int>("--epochs") { Description = "Passes of Adam over every pair.", DefaultValueFactory = _ => 200 };
        var batch = new Option<int>("--batch-size") { Description = "Pairs per Adam step.", DefaultValueFactory = _ => 256 };
        var rate = new Option<double>("--learning-rate") { Description = "Adam's initial step size (cosine decay to 1 %).", DefaultValueFactory = _ => 0.1 };
        var restarts = SharedOptions.Restarts(4, "fit");
        var findFrame = new Option<bool>("--find-frame") { Description = "Find, from the images, the rotation and inversion of the fitted orientations that the distances cannot see (the map's own rotation aside), and write particles_frame.star, ready for reconstruct; '--find-frame false' skips it.", DefaultValueFactory = _ => true };
        var fromTruth = new Option<bool>("--start-from-truth") { Description = "Start from the true orientations instead of random ones (a diagnostic: is the truth a minimum of the loss?)." };
        var output = SharedOptions.OutputFolder("particles.star (recovered angles), particles_frame.star (in the frame the images agree in, for reconstruct), particles_aligned.star (aligned onto the truth, when known) and report.html");
        var json = SharedOptions.Json();
        var command = new Command("poses", "Recover particle orientations from pairwise distances between their projections: fit unit quaternions whose rotation angles match the distances (Adam on pairs, several starts).")
        {
            particles, dataRoot, distance, model, pairs, perParticle, calibrate, lowpass, diameter, ctf, count, epochs, batch, rate, restarts, findFrame, fromTruth, output, json,
        };
        command.Subcommands.Add(TrainDistanceCommand.Create(globals, console));
        command.SetAction(parse =>
        {
            var result = Run(console, new Settings(parse.GetValue(particles)!, parse.GetValue(dataRoot), parse.GetValue(distance), parse.GetValue(model), parse.GetValue(pairs),
                parse.GetValue(perParticle), parse.GetValue(calibrate), parse.GetValue(lowpass), parse.GetValue(diameter), parse.GetValue(ctf), parse.GetValue(count),
                new PoseRecoveryOptions
                {
                    Epochs = parse.GetValue(epochs),
                    BatchSize = parse.GetValue(batch),
                    LearningRate = parse.GetValue(rate),
                    Restarts = parse.GetValue(restarts),
                    Seeds = globals.Seeds(parse).Spawn("poses"),
                    Context = globals.Context(parse),
                }, parse.GetValue(fromTruth), parse.GetValue(output)!, parse.GetValue(findFrame)));
            return CommandOutput.Emit(console, parse.GetValue(json), result, (o, r) =>
            {
                o.WriteLine(string.Create(C, $"{r.Particles} particles, {r.PairCount} {r.Pairs} pairs of {r.Distance} distances: loss {r.Loss:G4} rad² in {r.FitSeconds:0.0} s (distances {r.DistanceSeconds:0.0} s)"));
                if (r.AngleErrorMeanDeg is double mean)
                {
                    o.WriteLine(string.Create(C, $"  angle error after global alignment: mean {mean:0.00}°, median {r.AngleErrorMedianDeg:0.00}° (map rotation only: mean {r.OneSidedErrorMeanDeg:0.0}°)"));
                }

                if (r.FrameScore is double frame)
                {
                    string error = r.FrameErrorMeanDeg is double fe ? string.Create(C, $"; particles_frame.star mean error {fe:0.00}° (map rotation only)") : "";
                    o.WriteLine(string.Create(C, $"  frame from the images: coherence {frame:0.000} (as fitted {r.FrameIdentityScore:0.000}){(r.FrameInverted == true ? ", inverted" : "")} in {r.FrameSeconds:0.0} s{error}"));
                }

                o.WriteLine($"  {Path.Combine(r.OutputDirectory, "report.html")}");
            });
        });
        return command;
    }

    private enum DistanceKind
    {
        Exact,
        Euclidean,
        Aligned,
        Learned,
    }

    private enum Calibration
    {
        Auto,
        Quantile,
        None,
    }

    private sealed record Settings(string Particles, string? DataRoot, DistanceKind Distance, string? Model, PairSampling Pairs, int PerParticle, Calibration Calibrate, double? LowpassA,
        double? DiameterA, bool Ctf, int? Count, PoseRecoveryOptions Options, bool FromTruth, string Output, bool FindFrame = true);

    private static PosesResult Run(CliConsole console, Settings s)
    {
        InvalidParameterException.ThrowIfNotPositive("--pairs-per-particle", s.PerParticle);
        var table = ParticleTable.Load(s.Particles);
        OutputSafety.RefuseOverwritingInputs([(s.Particles, "--particles"), .. OutputSafety.StacksOf(table, s.Particles, s.DataRoot, "--particles")],
            OutputNames.Select(name => (Path.Combine(s.Output, name), "--out")));
        if (s.Count is int keep)
        {
            InvalidParameterException.ThrowIfNotPositive("--count", keep);
            if (keep < table.Count)
            {
                table.Particles.RemoveRange(keep, table.Count - keep);
            }
        }

        bool hasTruth = table.Columns.HasFlag(ParticleColumns.Angles);
        if ((s.Distance == DistanceKind.Exact || s.FromTruth) && !hasTruth)
        {
            throw new InvalidFileException(s.Particles, $"has no _rlnAngleRot/_rlnAngleTilt/_rlnAnglePsi columns, which {(s.Distance == DistanceKind.Exact ? "--distance exact" : "--start-from-truth")} needs");
        }

        if ((s.Distance == DistanceKind.Learned) != (s.Model is not null))
        {
            throw new InvalidParameterException("--model", s.Model ?? "", "goes with --distance learned, and --distance learned needs it");
        }

        if (s.Ctf && !table.Columns.HasFlag(ParticleColumns.Defocus))
        {
            throw new InvalidFileException(s.Particles, "--ctf needs _rlnDefocusU/_rlnDefocusV/_rlnDefocusAngle columns");
        }

        var context = s.Options.Context;
        var seeds = s.Options.Seeds;
        using var stars = StarParticleSource.Open(table, s.Particles, s.DataRoot);
        var records = stars.Records;
        var truth = hasTruth ? records.Select(r => UnitQuaternion.FromMatrix(r.Pose.Rotation)).ToArray() : null;
        IParticleSource source = s.Ctf ? stars.PhaseFlipped(context) : stars;
        var clock = Stopwatch.StartNew();
        PairDistance distance;
        if (s.Distance == DistanceKind.Exact)
        {
            distance = new RotationPairDistance(truth!);
        }
        else if (s.Distance == DistanceKind.Learned)
        {
            var engine = TrainDistanceCommand.Engine("poses --distance learned");
            var file = engine.Describe(s.Model!);
            double inputPixel = source.PixelSizeA * source.Box / file.Box;
            if (file.PixelSizeA > 0 && Math.Abs(inputPixel / file.PixelSizeA - 1) > 0.1)
            {
                console.Error.WriteLine(string.Create(C,
                    $"cryosharp: warning: the network was trained at {file.PixelSizeA:0.##} Å per pixel of its {file.Box}-px input; these particles give {inputPixel:0.##} Å: crop or rescale them to match"));
            }

            console.Error.WriteLine(string.Create(C, $"poses: embedding {source.Count} images with {s.Model} ({file.Box} px, {file.EmbeddingDimension} dimensions)"));
            var images = DistanceNetworkInput.Prepare(source, file.Box, context);
            distance = new EmbeddingPairDistance(engine.Embed(s.Model!, images, source.Count, context.Threads), file.EmbeddingDimension, file.Chordal);
            if (s.Calibrate == Calibration.Quantile)
            {
                distance = CalibratedPairDistance.Fit(distance, 20000, seeds.Spawn("calibration"), context);
            }
        }
        else
        {
            int box = source.Box;
            double bandLimit = 0.5;
            if (s.LowpassA is double res)
            {
                InvalidParameterException.ThrowIfNotPositive("--lowpass", res);
                bandLimit = Math.Min(0.5, source.PixelSizeA / res);
            }

            double? radius = null;
            if (s.DiameterA is double dia)
            {
                InvalidParameterException.ThrowIfNotPositive("--particle-diameter", dia);
                radius = Math.Min(box / 2.0, dia / 2 / source.PixelSizeA);
            }

            var images = new float[(long)source.Count * box * box];
            console.Error.WriteLine(string.Create(C, $"poses: reading {source.Count} images of {box} px from {s.Particles}"));
            source.ReadImages(0, source.Count, images);
            var raw = new ImagePairDistance(images, source.Count, box, s.Distance == DistanceKind.Aligned, bandLimit, radius, context);
            distance = s.Calibrate == Calibration.None ? raw : CalibratedPairDistance.Fit(raw, 20000, seeds.Spawn("calibration"), context);
        }

        if (s.Distance == DistanceKind.Exact && s.Calibrate == Calibration.Quantile)
        {
            distance = CalibratedPairDistance.Fit(distance, 20000, seeds.Spawn("calibration"), context);
        }

        console.Error.WriteLine(string.Create(C, $"poses: scoring {s.PerParticle} {s.Pairs.ToString().ToLowerInvariant()} pairs per particle ({distance.Name})"));
        var pairSet = PairSet.Sample(distance, s.Pairs, s.PerParticle, seeds.Spawn("pairs"), context);
        double distanceSeconds = clock.Elapsed.TotalSeconds;
        var options = s.FromTruth ? s.Options with { Start = truth } : s.Options;
        PoseRecoveryResult fit = null!;
        ProgressDisplay.Run(console, "Fitting", (long)options.Epochs * options.Restarts, progress => fit = QuaternionPoseRecovery.Run(pairSet, options, progress));
        var score = truth is null ? null : PoseRecoveryScore.Compute(truth, fit.Orientations, pairSet, seeds.Spawn("score"));
        var fitted = fit.Orientations.Select(q => q.ToMatrix()).ToArray();
        PoseFrame? frame = null;
        Matrix3[]? framed = null;
        double frameSeconds = 0, frameError = double.NaN;
        if (s.FindFrame)
        {
            // The score uses low shells only: a box of at most 32 pixels (Fourier-cropped) keeps the search short.
            int frameBox = Math.Min(source.Box, 32);
            var small = frameBox < source.Box ? source.FourierCropped(frameBox, context) : source;
            var frameOptions = new PoseFrameSearchOptions { Context = context };
            var picked = PoseFrameSearch.Sample(small.Count, frameOptions);
            int pixels = frameBox * frameBox;
            var frameImages = new float[(long)picked.Length * pixels];
            console.Error.WriteLine(string.Create(C, $"poses: finding the frame from {picked.Length} images of {frameBox} px"));
            for (int k = 0; k < picked.Length; k++)
            {
                small.ReadImages(picked[k], 1, frameImages.AsSpan(k * pixels, pixels));
            }

            var frameClock = Stopwatch.StartNew();
            frame = PoseFrameSearch.Find(frameImages, frameBox, [.. picked.Select(i => fitted[i])], frameOptions);
            frameSeconds = frameClock.Elapsed.TotalSeconds;
            framed = [.. fitted.Select(frame.Apply)];
            if (truth is not null)
            {
                frameError = RotationAlignment.Align([.. truth.Select(q => q.ToMatrix())], framed, allowReflection: true).MeanErrorRad * 180 / Math.PI;
            }
        }

        using var set = OutputSet.Begin(s.Output);
        var imageNames = IterationFolders.ImageNames(s.Particles, s.DataRoot);
        WriteParticles(set.Stage("particles.star"), records, table, imageNames, i => fitted[i]);
        if (framed is not null)
        {
            WriteParticles(set.Stage("particles_frame.star"), records, table, imageNames, i => framed[i]);
        }
        if (score is not null)
        {
            WriteParticles(set.Stage("particles_aligned.star"), records, table, imageNames, i => score.TwoSided.Apply(fitted[i]));
        }

        double Deg(double rad) => rad * 180 / Math.PI;
        PoseRecoveryReport.Write(set.Stage("report.html"),
        [
            ("particles", string.Create(C, $"{records.Count} from {s.Particles}")),
            ("distance", distance.Name + (s.LowpassA is double lp ? string.Create(C, $", low-passed to {lp:0.#} Å") : "") + (s.Ctf ? ", phase-flipped" : "")),
            ("pairs", string.Create(C, $"{pairSet.Count} ({s.PerParticle} per particle, {s.Pairs.ToString().ToLowerInvariant()})")),
            ("optimiser", string.Create(C, $"Adam on S³, {options.Epochs} epochs, {options.BatchSize} pairs a step, step {options.LearningRate:G3} (cosine decay), {options.Restarts} {(s.FromTruth ? "starts at the truth" : "random starts")}")),
            ("time", string.Create(C, $"distances {distanceSeconds:0.0} s, fit {fit.Seconds:0.0} s")),
            .. score is null ? Array.Empty<(string, string)>() :
            [
                ("angle error (two-sided alignment)", string.Create(C, $"mean {Deg(score.TwoSided.MeanErrorRad):0.00}°, median {Deg(score.TwoSided.MedianErrorRad):0.00}°")),
                ("angle error (map rotation only)", string.Create(C, $"mean {Deg(score.OneSided.MeanErrorRad):0.00}°, median {Deg(score.OneSided.MedianErrorRad):0.00}°")),
            ],
            .. frame is null ? Array.Empty<(string, string)>() :
            [
                ("frame from the images", string.Create(C, $"coherence {frame.Score:0.000} against {frame.IdentityScore:0.000} as fitted{(frame.Inverted ? ", inverted" : "")}, {frameSeconds:0.0} s; particles_frame.star") +
                    (double.IsNaN(frameError) ? "" : string.Create(C, $", mean error {frameError:0.00}° (map rotation only)"))),
            ],
        ], fit, pairSet, truth, score);
        set.Commit();

        return new PosesResult(s.Output, records.Count, distance.Name, s.Pairs.ToString().ToLowerInvariant(), pairSet.Count, fit.Loss, fit.RestartLosses, distanceSeconds,
            fit.Seconds, score is null ? null : Deg(score.TwoSided.MeanErrorRad), score is null ? null : Deg(score.TwoSided.MedianErrorRad),
            score is null ? null : Deg(score.OneSided.MeanErrorRad), score?.DistanceCorrelation, score is null ? null : Deg(score.DistanceRmsErrorRad),
            score is null ? null : Deg(score.MeanPairAngleRecoveredRad), score is null ? null : Deg(score.MeanPairAngleTrueRad),
            frame?.Score, frame?.IdentityScore, frame?.Inverted, double.IsNaN(frameError) ? null : frameError, frame is null ? null : frameSeconds);
    }

    private static void WriteParticles(string path, IReadOnlyList<ParticleRecord> records, ParticleTable template, Func<string, string> imageName, Func<int, Matrix3> rotation)
    {
        var updated = new ParticleRecord[records.Count];
        for (int i = 0; i < updated.Length; i++)
        {
            var r = records[i];
            var image = r.Image is { } reference ? reference with { StackPath = imageName(reference.StackPath) } : r.Image;
            updated[i] = r with { Pose = Pose.From(EulerAngles.FromMatrix(rotation(i)), r.Pose.OriginXA, r.Pose.OriginYA), Image = image };
        }

        ParticleRecords.ToTable(updated, ParticleColumns.Angles | ParticleColumns.Origins, template).Save(path);
    }
}
