using System.CommandLine;
using System.Globalization;
using CryoSharp.Cli.Options;
using CryoSharp.Geometry;
using CryoSharp.Imaging;
using CryoSharp.IO;
using CryoSharp.Moments.Images;
using CryoSharp.Moments.Volumes;
using CryoSharp.Reconstruction;
using CryoSharp.Refinement;
using CryoSharp.Reports;
using CryoSharp.Simulation;

namespace CryoSharp.Cli.Commands;

/// <summary><c>cryosharp mom3d</c>: a 3D ab initio map and view density from image moments (the method of moments).</summary>
public static class Mom3dCommand
{
    /// <summary>What the fit found.</summary>
    /// <param name="OutputDirectory">Where the results are.</param>
    /// <param name="Map">The map (MRC, at the images' box and pixel size; aligned to the truth when one is known).</param>
    /// <param name="Report">The HTML report.</param>
    /// <param name="Representation">How the volume was represented.</param>
    /// <param name="Quadrature">The SO(3) quadrature, in words.</param>
    /// <param name="ModelBox">Voxels per side of the model.</param>
    /// <param name="Parameters">Parameters fitted.</param>
    /// <param name="Loss">The best start's loss.</param>
    /// <param name="MomentErrors">Relative errors ‖M − M̂‖/‖M̂‖ of the fitted first and second moments.</param>
    /// <param name="Starts">Each start's loss, iterations and stop reason.</param>
    /// <param name="Resolution05">FSC-0.5 resolution in Å against the truth after alignment (rotation, shift, hand), when the moments carry one.</param>
    /// <param name="Reflected">Whether the map had the other hand.</param>
    /// <param name="ViewError">Total variation distance between the fitted and the true view weights on the quadrature's directions (0 to 1), when the truth is a vMF mixture.</param>
    /// <param name="UniformViews">Whether the view density was fixed to uniform.</param>
    /// <param name="TruthLoss">The loss of the true map and view density under the same model and quadrature, when known.</param>
    /// <param name="TruthMomentErrors">Their relative moment errors.</param>
    /// <param name="FitSeconds">Time of the fit.</param>
    public sealed record Mom3dResult(string OutputDirectory, string Map, string Report, string Representation, string Quadrature, int ModelBox, int Parameters,
        double Loss, MomentErrors MomentErrors, IReadOnlyList<StartSummary> Starts, double? Resolution05, bool? Reflected, double? ViewError, bool UniformViews,
        double? TruthLoss, MomentErrors? TruthMomentErrors, double FitSeconds);

    /// <summary>Relative moment errors.</summary>
    /// <param name="First">‖M¹ − M̂¹‖/‖M̂¹‖.</param>
    /// <param name="Second">‖M² − M̂²‖/‖M̂²‖.</param>
    public sealed record MomentErrors(double First, double Second);

    /// <summary>One start of the fit.</summary>
    /// <param name="Start">Its number.</param>
    /// <param name="Loss">Final loss.</param>
    /// <param name="Iterations">L-BFGS iterations.</param>
    /// <param name="StopReason">Why it stopped.</param>
    public sealed record StartSummary(int Start, double Loss, int Iterations, string StopReason);

    /// <summary>Builds the command.</summary>
    public static Command Create(GlobalOptions globals, CliConsole console)
    {
        ArgumentNullException.ThrowIfNull(globals);
        var momentsPath = new Option<string>("--moments", "-m") { Description = "Moments file from cryosharp moments.", Required = true };
        var quadrature = new Option<string>("--quadrature") { Description = "SO(3) quadrature: DIRECTIONSxANGLES, a spherical design of that many viewing directions times equally spaced in-plane angles (the paper: 100x12).", DefaultValueFactory = _ => "100x12" };
        var representation = new Option<string>("--representation") { Description = "basis (voxels inside the particle sphere, L-BFGS).", DefaultValueFactory = _ => "basis" };
        var restarts = SharedOptions.Restarts(4, "fit");
        var iterations = SharedOptions.MaxIterations(1500);
        var lambda = new Option<double>("--lambda") { Description = "Weight λ of the second moment's error in the loss ‖M̂¹ − M¹‖ + λ‖M̂² − M²‖.", DefaultValueFactory = _ => 1.0 };
        var uniform = new Option<bool>("--uniform-views") { Description = "Fix the view density to uniform instead of fitting it." };
        var stages = new Option<int>("--stages") { Description = "Frequency-marching stages: fit the moments to radius R/S, 2R/S, … R in turn (1: all at once).", DefaultValueFactory = _ => 3 };
        var diameter = new Option<double?>("--particle-diameter") { Description = "Diameter in Å of the sphere the map may occupy (RELION's --particle_diameter); default: the box." };
        var maxResolution = new Option<double?>("--max-resolution") { Description = "Fit only the moments' frequencies up to this resolution in Å (default: all the file holds)." };
        var oversampling = new Option<int>("--oversampling") { Description = "Oversampling of the model's Fourier grid that slices are interpolated on (2–8: closer to exact projections, slower).", DefaultValueFactory = _ => 2 };
        var modelBox = new Option<int?>("--model-box") { Description = "Voxels per side of the model (default: 2 × the moments' radius + 4)." };
        var output = SharedOptions.OutputFolder("map.mrc, views.svg, report.html and result.json");
        var json = SharedOptions.Json();
        var command = new Command("mom3d", "3D ab initio by the method of moments: a map and a view density whose analytic first and second image moments fit those of the images.")
        {
            momentsPath, quadrature, representation, restarts, iterations, lambda, uniform, stages, oversampling, maxResolution, diameter, modelBox, output, json,
        };
        command.SetAction(parse =>
        {
            string path = parse.GetValue(momentsPath)!, directory = parse.GetValue(output)!;
            if (parse.GetValue(representation) != "basis")
            {
                throw new InvalidParameterException("--representation", parse.GetValue(representation), "must be basis (fouriernet lives in the learning project)");
            }

            OutputSafety.RefuseOverwritingInputs([(path, "--moments")], [(Path.Combine(directory, "map.mrc"), "--out"), (Path.Combine(directory, "report.html"), "--out")]);
            var (allMoments, header) = ImageMomentsFile.Read(path);
            var moments = parse.GetValue(maxResolution) is { } res
                ? allMoments.Restrict(Math.Min(allMoments.Basis.RadiusPx, ImageMomentBasis.RadiusFor(allMoments.Basis.Box, allMoments.Basis.PixelSizeA, res)))
                : allMoments;
            var context = globals.Context(parse);
            var rule = ViewQuadrature.Parse(parse.GetValue(quadrature)!);
            double? supportRadius = parse.GetValue(diameter) is { } dia ? dia / 2 : null;
            var model = new VolumeMomentModel(moments.Basis, rule, parse.GetValue(modelBox), context, parse.GetValue(oversampling), supportRadius);
            double[]? fixedWeights = parse.GetValue(uniform) ? Enumerable.Repeat(1.0 / rule.Directions, rule.Directions).ToArray() : null;
            var target = MomentTarget.From(moments, parse.GetValue(lambda), fixedWeights);
            console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"mom3d: {moments.Count} images, d = {moments.Basis.Dimension} ({moments.Basis.ResolutionA:0.#} Å), model {model.ModelBox}³ ({model.VoxelCount} voxels, {model.VoxelSizeA:0.##} Å), {rule.Description}"));
            // The loss of the truth itself (its map on the model's grid, its view density on the directions): how far the
            // model and the quadrature can explain the moments, next to what the fit reaches.
            MomentErrors? truthErrors = null;
            double? truthLoss = null;
            Volume? truth = header.Truth is { } known && File.Exists(known.Volume) ? MrcReader.ReadVolume(known.Volume) : null;
            if (truth is not null)
            {
                var exact = (Volume)FourierResampling.Resample(truth, model.ModelBox);
                var truthParameters = new double[model.ParameterCount];
                model.SetVoxels([.. exact.Data.Select(v => (double)v)], truthParameters);
                var weights = TruthWeights(header.Truth!, [.. rule.Design.Points]);
                if (weights is not null)
                {
                    for (int i = 0; i < rule.Directions; i++)
                    {
                        truthParameters[model.VoxelCount + i] = Math.Log(Math.Max(weights[i], 1e-300));
                    }

                    truthLoss = model.Loss(truthParameters, [], target with { FixedDirectionWeights = weights });
                    truthErrors = new MomentErrors(model.FirstError / Norm(moments.First), model.SecondError / Norm(moments.Second));
                    console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"mom3d: the truth's loss is {truthLoss:G4} (moment errors {truthErrors.First:G3} / {truthErrors.Second:G3})"));
                }
            }

            var options = new MomentFitOptions
            {
                Restarts = parse.GetValue(restarts),
                MaxIterations = parse.GetValue(iterations),
                Stages = parse.GetValue(stages),
                Lambda = parse.GetValue(lambda),
                UniformViews = parse.GetValue(uniform),
                ModelBox = parse.GetValue(modelBox),
                Oversampling = parse.GetValue(oversampling),
                SupportRadiusA = supportRadius,
                Seeds = globals.Seeds(parse).Spawn("mom3d"),
            };
            options.Validate();

            // Progress in loss evaluations, about (1 + 2/3·(stages − 1)) × iterations per start.
            int stageCount = Math.Min(options.Stages, moments.Basis.RadiusPx);
            long perStart = options.MaxIterations + ((stageCount - 1) * Math.Max(50, options.MaxIterations / 3));
            MomentFitResult fit = null!;
            ProgressDisplay.Run(console, "Fitting", options.Restarts * perStart, progress => fit = MomentVolumeFit.Fit(moments, rule, options, context,
                new Progress<MomentFitProgress>(p => progress.Report((p.Start * perStart) + Math.Min(perStart, p.Evaluations)))));
            var map = fit.Model.ToVolume(fit.Parameters);
            double? resolution = null;
            bool? reflected = null;
            FscCurve? fsc = null;

            // Directions in the truth's frame: the alignment maps the model's point y to R·(±y) + t.
            var directions = rule.Design.Points.ToArray();
            double[]? truthWeights = null;
            double? viewError = null;
            if (truth is not null && header.Truth is { } t)
            {
                var alignment = MapAlignment.Align(map, truth, true, Math.Max(20, 1.5 * moments.Basis.ResolutionA), context);
                map = MapAlignment.Apply(map, alignment);
                reflected = alignment.Reflected;
                fsc = FourierShellCorrelation.Compute(map, truth);
                resolution = fsc.Resolution(0.5);
                for (int i = 0; i < directions.Length; i++)
                {
                    directions[i] = alignment.Rotation * ((alignment.Reflected ? -1 : 1) * directions[i]);
                }

                truthWeights = TruthWeights(t, directions);
                if (truthWeights is not null)
                {
                    viewError = 0;
                    for (int i = 0; i < directions.Length; i++)
                    {
                        viewError += 0.5 * Math.Abs(truthWeights[i] - fit.DirectionWeights[i]);
                    }
                }
            }

            double n1 = Norm(moments.First), n2 = Norm(moments.Second);
            var errors = new MomentErrors(fit.FirstError / n1, fit.SecondError / n2);
            string full = Path.GetFullPath(directory);
            var result = new Mom3dResult(full, Path.Combine(full, "map.mrc"), Path.Combine(full, "report.html"),
                "basis", rule.Description, model.ModelBox, model.ParameterCount, fit.Loss, errors,
                [.. fit.Starts.Select(s => new StartSummary(s.Start, s.Loss, s.Iterations, s.StopReason))], resolution, reflected, viewError,
                parse.GetValue(uniform), truthLoss, truthErrors, fit.Seconds);
            using (var set = OutputSet.Begin(directory))
            {
                MrcWriter.Write(set.Stage("map.mrc"), map);
                string views = ViewWeightsFigure.RenderSvg(directions, fit.DirectionWeights, truthWeights,
                    truthWeights is null ? "Fitted view density on the quadrature's directions" : "Fitted view density (discs) and the truth (circles), in the truth's frame");
                AtomicFile.WriteAllText(set.Stage("views.svg"), views);
                WriteReport(set.Stage("report.html"), result, header, moments, fit, map, truth, fsc, views);
                AtomicFile.WriteAllText(set.Stage("result.json"), JsonOutput.Serialize(result));
                set.Commit();
            }

            return CommandOutput.Emit(console, parse.GetValue(json), result, (o, r) => o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"loss {r.Loss:G4}, moment errors {r.MomentErrors.First:G3} / {r.MomentErrors.Second:G3}{(r.Resolution05 is { } a ? $", FSC 0.5 against the truth at {a:0.00} Å" : "")}; fit {r.FitSeconds:0} s  {r.Map}")));
        });
        return command;
    }

    /// <summary>The true view density on <paramref name="directions"/>, normalised to weights, when the truth is a vMF mixture.</summary>
    private static double[]? TruthWeights(ImageMomentsTruth truth, Vector3d[] directions)
    {
        if (truth.ViewDirections is not { Length: > 0 } parts)
        {
            return truth.Views.StartsWith("uniform", StringComparison.OrdinalIgnoreCase) ? [.. directions.Select(_ => 1.0 / directions.Length)] : null;
        }

        var mixture = new VonMisesFisherMixture(parts.Select(p => (new Vector3d(p[0], p[1], p[2]), p[3], p[4])));
        var w = directions.Select(mixture.Density).ToArray();
        double sum = w.Sum();
        return [.. w.Select(v => v / sum)];
    }

    private static void WriteReport(string path, Mom3dResult r, ImageMomentsHeader header, ImageMoments moments, MomentFitResult fit, Volume map, Volume? truth,
        FscCurve? fsc, string views)
    {
        var report = new HtmlReport("cryosharp mom3d: ab initio map from image moments");
        report.Paragraph(string.Create(CultureInfo.InvariantCulture,
            $"{moments.Count} images ({moments.Description}), box {moments.Basis.Box}, {moments.Basis.PixelSizeA:0.###} Å/px; moments to {moments.Basis.ResolutionA:0.#} Å " +
            $"(d = {moments.Basis.Dimension}), σ² = {moments.NoiseVariance:G4}{(moments.NoiseEstimated ? " (estimated)" : "")}{(moments.HasCtf ? ", phase-flipped with CTF factors" : "")}."));
        report.Table([
            ("quadrature", r.Quadrature),
            ("model", string.Create(CultureInfo.InvariantCulture, $"{r.ModelBox}³ voxels in a sphere of radius {fit.Model.SupportRadiusA:0} Å, {r.Parameters} parameters")),
            ("views", r.UniformViews ? "fixed to uniform" : "fitted (softmax weights on the directions)"),
            ("loss", r.Loss.ToString("G5", CultureInfo.InvariantCulture)),
            ("relative error of M¹ / M²", string.Create(CultureInfo.InvariantCulture, $"{r.MomentErrors.First:G3} / {r.MomentErrors.Second:G3}")),
            ("the truth's loss and errors", r.TruthLoss is { } tl ? string.Create(CultureInfo.InvariantCulture, $"{tl:G5}; {r.TruthMomentErrors!.First:G3} / {r.TruthMomentErrors.Second:G3}") : "no truth"),
            ("FSC 0.5 against the truth", r.Resolution05 is { } a ? string.Create(CultureInfo.InvariantCulture, $"{a:0.00} Å{(r.Reflected == true ? " (other hand)" : "")}") : "no truth"),
            ("view density error (total variation)", r.ViewError is { } v ? v.ToString("0.000", CultureInfo.InvariantCulture) : "no truth"),
            ("fit time", string.Create(CultureInfo.InvariantCulture, $"{r.FitSeconds:0.0} s ({fit.Starts.Count} starts; best {fit.BestStart})")),
        ]);
        var curves = new LinePlot { Title = "Loss of each start", XLabel = "loss evaluations", YLabel = "loss", LogY = true };
        foreach (var s in fit.Starts)
        {
            curves.Add($"start {s.Start}{(s.Start == fit.BestStart ? " (best)" : "")}", [.. Enumerable.Range(1, s.History.Length).Select(i => 10.0 * i)], s.History);
        }

        if (fit.Starts.Any(s => s.History.Length > 1))
        {
            report.Plot(curves.Render(), "The moment loss ‖M̂¹ − M¹‖ + λ‖M̂² − M²‖ during each L-BFGS start.");
        }

        var montage = new Montage { Columns = 3 };
        string[] axes = ["x", "y", "z"];
        for (int axis = 0; axis < 3; axis++)
        {
            montage.Add(map.CentralSlice(axis), $"fit {axes[axis]}");
        }

        if (truth is not null)
        {
            for (int axis = 0; axis < 3; axis++)
            {
                montage.Add(truth.CentralSlice(axis), $"truth {axes[axis]}");
            }
        }

        report.Picture(PngEncoder.Encode(montage.Render()), truth is null ? "Central sections of the map." : "Central sections of the aligned map (top) and the truth (bottom).");
        if (fsc is not null)
        {
            report.Plot(FscFigure.Create(fsc, "fit against the truth").Render(), "FSC of the aligned map against the truth.");
        }

        report.Plot(views, "The view density on the quadrature's directions (equal-area map of the sphere).");
        report.Save(path);
    }

    private static double Norm(double[] values)
    {
        double sum = 0;
        foreach (double v in values)
        {
            sum += v * v;
        }

        return Math.Sqrt(sum);
    }
}
