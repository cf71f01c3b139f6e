using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using CryoSharp.Cli.Options;
using CryoSharp.Geometry;
using CryoSharp.IO;
using CryoSharp.IO.Star;
using CryoSharp.Moments.Images;
using CryoSharp.Particles;
using CryoSharp.Simulation;

namespace CryoSharp.Cli.Commands;

/// <summary>
/// <c>cryosharp moments</c>: the debiased first and second moments of particle images in one streaming pass, from a
/// STAR file or straight from a simulation, for <c>cryosharp mom3d</c>.
/// </summary>
public static class MomentsCommand
{
    /// <summary>What the pass produced.</summary>
    /// <param name="Output">The moments file.</param>
    /// <param name="Images">N.</param>
    /// <param name="Box">Image box.</param>
    /// <param name="PixelSize">Pixel size in Å.</param>
    /// <param name="RadiusPx">Radius of the Fourier disk in Fourier pixels.</param>
    /// <param name="ResolutionA">The finest resolution in the moments, Å.</param>
    /// <param name="Dimension">Coordinates d (M² holds d² values).</param>
    /// <param name="NoiseSigma">σ used to debias M̂².</param>
    /// <param name="NoiseEstimated">Whether σ was estimated from the corners.</param>
    /// <param name="Ctf">Whether the images were phase-flipped and CTF factors kept.</param>
    /// <param name="Seconds">Time of the pass.</param>
    /// <param name="MicrosecondsPerImage">Time per image.</param>
    public sealed record MomentsResult(string Output, long Images, int Box, double PixelSize, int RadiusPx, double ResolutionA, int Dimension,
        double NoiseSigma, bool NoiseEstimated, bool Ctf, double Seconds, double MicrosecondsPerImage);

    /// <summary>Builds the command.</summary>
    public static Command Create(GlobalOptions globals, CliConsole console)
    {
        ArgumentNullException.ThrowIfNull(globals);
        var particles = new Option<string?>("--particles", "-i") { Description = "Particle STAR file (RELION 3.1 or 3.0); or simulate with --volume/--phantom/--pdb." };
        var dataRoot = SharedOptions.DataRoot();
        var volume = SharedOptions.Volume("to simulate images of (instead of --particles)");
        var phantom = SharedOptions.Phantom();
        var pdb = SharedOptions.AtomicModel();
        var modelResolution = SharedOptions.ModelResolution();
        var box = SharedOptions.Box("of simulated images (default: the map's; 64 for a phantom or model)");
        var pixel = SharedOptions.PixelSize("of simulated images (default: the map's; 2 Å for a phantom or model), or of the particles when the STAR file lacks it");
        var count = SharedOptions.Count("simulated images", 100000);
        var views = SharedOptions.Views();
        var components = new Option<int>("--vmf-components")
        {
            Description = "With --views vmf: a random mixture of this many von Mises–Fisher components (the papers use 8); 0 for CryoSharp's fixed three-part mixture.",
            DefaultValueFactory = _ => 8,
        };
        var kappa = NumberListOption.Positive("--vmf-kappa", "With --views vmf and components: the range MIN,MAX the concentrations κ are drawn from (spread ≈ 1/√κ rad).", "4,16");
        var sigma = new Option<double?>("--sigma")
        {
            Description = "Noise standard deviation per pixel: added to simulated images (default 0.5), and used to debias M̂² (default for --particles: estimated from the corners).",
        };
        var estimate = new Option<bool>("--estimate-noise") { Description = "Debias with σ estimated from the corners even when it is known (simulations)." };
        var normalise = new Option<bool>("--keep-scale") { Description = "Simulate from the map as it is, instead of scaled to norm 1 (Σ voxel² = 1)." };
        var maxResolution = new Option<double?>("--max-resolution")
        {
            Description = "Finest resolution in Å the moments hold (the radius of the Fourier disk); default: 12 Fourier pixels (or Box/2 − 1 if smaller).",
        };
        var output = SharedOptions.OutputFile("the moments (binary, read by mom3d)");
        var json = SharedOptions.Json();
        var command = new Command("moments",
            "First and second moments of particle images in one streaming pass: M̂¹ = mean of the Fourier coordinates, M̂² = their mean outer product − σ²I, " +
            "phase-flipped with the CTF kept as factors. For the 3D method of moments (mom3d).")
        {
            particles, dataRoot, volume, phantom, pdb, modelResolution, box, pixel, count, views, components, kappa, sigma, estimate, normalise, maxResolution, output, json,
        };
        command.SetAction(parse =>
        {
            var seeds = globals.Seeds(parse);
            var context = globals.Context(parse);
            string outPath = parse.GetValue(output)!;
            string? starPath = parse.GetValue(particles);
            bool simulated = parse.GetValue(volume) is not null || parse.GetValue(phantom) is not null || parse.GetValue(pdb) is not null;
            if ((starPath is null) == !simulated)
            {
                throw new CryoSharpException("give either --particles or one of --volume, --phantom and --pdb");
            }

            var clock = Stopwatch.StartNew();
            ImageMoments moments;
            ImageMomentsTruth? truth = null;
            string? stagedTruth = null;
            if (starPath is not null)
            {
                var table = ParticleTable.Load(starPath);
                if (!table.Columns.HasFlag(ParticleColumns.Image))
                {
                    throw new InvalidFileException(starPath, "needs an _rlnImageName column");
                }

                string? root = parse.GetValue(dataRoot);
                OutputSafety.RefuseOverwritingInputs([(starPath, "--particles"), .. OutputSafety.StacksOf(table, starPath, root, "--particles")], [(outPath, "--out")]);
                using var source = StarParticleSource.Open(table, starPath, root, parse.GetValue(pixel));
                int radius = Radius(source.Box, source.PixelSizeA, parse.GetValue(maxResolution));
                console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"moments: {source.Count} particles from {starPath}, box {source.Box}, {source.PixelSizeA:0.###} Å/px, disk of {radius} Fourier px ({source.Box * source.PixelSizeA / radius:0.#} Å)"));
                moments = ProgressDisplay.Run(console, "Moments", source.Count, progress => ImageMomentPass.Compute(source, radius, parse.GetValue(sigma), context, progress));
            }
            else
            {
                string? volumePath = parse.GetValue(volume);
                OutputSafety.RefuseOverwritingInputs([(volumePath, "--volume"), (parse.GetValue(pdb), "--pdb")], [(outPath, "--out")]);
                var map = VolumeInput.Load(volumePath, parse.GetValue(phantom), parse.GetValue(pdb), parse.GetValue(box) ?? (volumePath is null ? 64 : null),
                    parse.GetValue(pixel), parse.GetValue(modelResolution), seeds, context);
                double scale = parse.GetValue(normalise) ? 1 : MomentSimulation.UnitNormScale(map);
                if (scale != 1)
                {
                    System.Numerics.Tensors.TensorPrimitives.Multiply(map.Data, (float)scale, map.Data);
                }

                int k = parse.GetValue(components);
                var range = parse.GetValue(kappa)!;
                if (range.Length != 2)
                {
                    throw new InvalidParameterException("--vmf-kappa", string.Join(",", range), "must be two numbers MIN,MAX");
                }

                IOrientationDistribution distribution = parse.GetValue(views) switch
                {
                    SharedOptions.ViewKind.VonMisesFisher => k == 0 ? VonMisesFisherMixture.Default() : VonMisesFisherMixture.Random(k, seeds.Spawn("view mixture"), range[0], range[1]),
                    SharedOptions.ViewKind.Preferred => new PreferredViewOrientations(new Vector3d(0, 0, 1)),
                    _ => new UniformOrientations(),
                };
                double noise = parse.GetValue(sigma) ?? 0.5;
                int n = (int)SharedOptions.WholeCount(parse, count, int.MaxValue);
                var source = MomentSimulation.Source(map, n, distribution, noise, seeds.Spawn("images"), context);
                int radius = Radius(map.Nx, map.PixelSizeA, parse.GetValue(maxResolution));
                console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"moments: {n} simulated images of {volumePath ?? "the model"} (box {map.Nx}, {map.PixelSizeA:0.###} Å/px, ×{scale:G4}), views {distribution.Description}, σ {noise}, disk of {radius} Fourier px"));
                moments = ProgressDisplay.Run(console, "Moments", n, progress => ImageMomentPass.Compute(source, radius, parse.GetValue(estimate) ? null : noise, context, progress));
                double[][]? mixture = distribution is VonMisesFisherMixture v
                    ? [.. v.Components.Select(c => new[] { c.Mean.X, c.Mean.Y, c.Mean.Z, c.Kappa, c.Weight })]
                    : null;
                string truthMap = Path.ChangeExtension(Path.GetFullPath(outPath), null) + "_truth.mrc";
                OutputSafety.RefuseOverwritingInputs([(volumePath, "--volume")], [(truthMap, "--out")]);
                // The truth map is staged beside its final name and renamed right after the moments file, so the two
                // appear together (and a failure leaves neither).
                stagedTruth = truthMap + ".tmp";
                MrcWriter.Write(stagedTruth, map);
                truth = new ImageMomentsTruth(truthMap, scale, distribution.Description, mixture, noise);
            }

            try
            {
                ImageMomentsFile.Write(outPath, moments, truth);
                if (stagedTruth is not null)
                {
                    File.Move(stagedTruth, truth!.Volume, overwrite: true);
                }
            }
            finally
            {
                if (stagedTruth is not null && File.Exists(stagedTruth))
                {
                    File.Delete(stagedTruth);
                }
            }
            double seconds = clock.Elapsed.TotalSeconds;
            var b = moments.Basis;
            var result = new MomentsResult(Path.GetFullPath(outPath), moments.Count, b.Box, b.PixelSizeA, b.RadiusPx, b.ResolutionA, b.Dimension,
                Math.Sqrt(moments.NoiseVariance), moments.NoiseEstimated, moments.HasCtf, seconds, 1e6 * seconds / moments.Count);
            return CommandOutput.Emit(console, parse.GetValue(json), result, (o, r) => o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{r.Images} images → M̂¹ ({r.Dimension}) and M̂² ({r.Dimension}²) to {r.ResolutionA:0.#} Å, σ {r.NoiseSigma:G4}{(r.NoiseEstimated ? " (estimated)" : "")}{(r.Ctf ? ", phase-flipped" : "")}; " +
                $"{r.Seconds:0.0} s ({r.MicrosecondsPerImage:0.#} µs/image)  {r.Output}")));
        });
        return command;
    }

    private static int Radius(int box, double pixelSizeA, double? resolutionA) =>
        resolutionA is { } r ? ImageMomentBasis.RadiusFor(box, pixelSizeA, r) : Math.Min(12, (box / 2) - 1);
}
