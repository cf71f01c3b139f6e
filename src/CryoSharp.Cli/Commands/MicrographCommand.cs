using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using CryoSharp.Cli.Options;
using CryoSharp.Detection;
using CryoSharp.Imaging;
using CryoSharp.IO;
using CryoSharp.Numerics;
using CryoSharp.Reports;
using CryoSharp.Simulation;

namespace CryoSharp.Cli.Commands;

/// <summary><c>cryosharp micrograph simulate</c>: a micrograph of randomly placed, rotated copies of a target, with the truth.</summary>
public static class MicrographCommand
{
    /// <summary>What <c>micrograph simulate</c> wrote.</summary>
    public sealed record MicrographSimulateResult(string Micrograph, string Truth, string Copies, string Target, string Report, int Width, int Height,
        int TargetSize, int CopyCount, double Gamma, double Sigma, double Snr, double Seconds);

    /// <summary>The built-in targets: a 2D blob image, or a 3D phantom seen in projection.</summary>
    internal enum MicrographPhantom
    {
        /// <summary>Gaussian blobs filling the disc (<see cref="BlobImagePhantom"/>), under in-plane rotations.</summary>
        Blobs,

        /// <summary>The blob molecule (3D), projected at random orientations.</summary>
        VolumeBlobs,

        /// <summary>The 3D Shepp–Logan phantom, projected.</summary>
        SheppLogan,
    }

    private static readonly (string Name, MicrographPhantom Value)[] PhantomChoices =
        [("blobs", MicrographPhantom.Blobs), ("volume-blobs", MicrographPhantom.VolumeBlobs), ("shepp-logan", MicrographPhantom.SheppLogan)];

    /// <summary>Builds <c>micrograph</c>.</summary>
    public static Command Create(GlobalOptions globals, CliConsole console)
    {
        ArgumentNullException.ThrowIfNull(globals);
        return new Command("micrograph", "Micrographs without picking: simulate one full of randomly placed, rotated copies of a target, for 'mtd2d' and 'mtd3d'.")
        {
            CreateSimulate(globals, console),
        };
    }

    private static Command CreateSimulate(GlobalOptions globals, CliConsole console)
    {
        var image = new Option<string?>("--image") { Description = "A square 2D target (MRC); copies are turned in-plane at random." };
        var volume = SharedOptions.Volume("whose projections at random orientations are the copies");
        var phantom = ChoiceOption.Create("--phantom",
            "A built-in target when neither --image nor --volume is given: blobs (2D, in-plane rotations), volume-blobs or shepp-logan (3D, projected).",
            PhantomChoices, MicrographPhantom.Blobs);
        var targetSize = new Option<int>("--target-size", "-L") { Description = "Box of a built-in target in pixels (L); given with --volume, the box the map is Fourier-cropped to first (its pixel size grows to keep the field of view).", DefaultValueFactory = _ => 11 };
        var pixelSize = SharedOptions.PixelSize("(default: the target's own, or 2 Å for a built-in one)");
        var size = new Option<int>("--size") { Description = "Micrograph side in pixels (square unless --height is given).", DefaultValueFactory = _ => 4096 };
        var height = new Option<int?>("--height") { Description = "Micrograph rows, when not square." };
        var density = new Option<double>("--density", "--gamma") { Description = "γ: the fraction of the micrograph covered by the copies' L × L boxes.", DefaultValueFactory = _ => 0.1 };
        var snr = new Option<double>("--snr") { Description = "‖x‖²/(L²σ²), x the target (for a volume, the mean energy of a projection); inf for no noise.", DefaultValueFactory = _ => 2 };
        var spacing = SharedOptions.Spacing();
        var bandLimit = new Option<double>("--band-limit") { Description = "Highest radial frequency of the 2D target's Fourier–Bessel expansion, cycles per pixel (at most 0.5).", DefaultValueFactory = _ => 0.5 };
        var output = SharedOptions.OutputFolder("micrograph.mrc, truth.star (each copy's centre and angles), truth.json, target.mrc (the band-limited 2D target or the volume) and report.html");
        var json = SharedOptions.Json();
        var command = new Command("simulate", "Simulate a micrograph I = Σ copies + noise, written band by band (10,000² and beyond in bounded memory), with the true places and poses.")
        {
            image, volume, phantom, targetSize, pixelSize, size, height, density, snr, spacing, bandLimit, output, json,
        };
        command.SetAction(parse =>
        {
            var clock = Stopwatch.StartNew();
            var seeds = globals.Seeds(parse);
            string dir = parse.GetValue(output)!;
            string? imagePath = parse.GetValue(image), volumePath = parse.GetValue(volume);
            if (imagePath is not null && volumePath is not null)
            {
                throw new CryoSharpException("give at most one of --image and --volume");
            }

            double limit = parse.GetValue(bandLimit);
            if (!(limit > 0 && limit <= 0.5))
            {
                throw new InvalidParameterException("--band-limit", limit, "must be in (0, 0.5] cycles per pixel");
            }

            var targets = Targets(parse, imagePath, volumePath, phantom, targetSize, pixelSize, limit, seeds, globals.Context(parse));
            int w = parse.GetValue(size), h = parse.GetValue(height) ?? w;
            if (w is < 16 or > 200_000 || h is < 16 or > 200_000)
            {
                throw new InvalidParameterException("--size", $"{w} × {h}", "must be between 16 and 200,000 pixels along each side");
            }

            double ratio = parse.GetValue(snr);
            if (!(ratio > 0))
            {
                throw new InvalidParameterException("--snr", ratio, "must be positive (inf for no noise)");
            }

            double energy = MeanEnergy(targets, seeds.Spawn("energy"));
            int l = targets.Size;
            double sigma = double.IsPositiveInfinity(ratio) ? 0 : Math.Sqrt(energy / ((double)l * l * ratio));
            var simulation = new MicrographSimulation(targets, w, h, parse.GetValue(density), sigma, parse.GetValue(spacing), seeds.Spawn("micrograph"));
            string spacingName = ChoiceOption.NameOf(SharedOptions.SpacingChoices, parse.GetValue(spacing));
            var truth = new MicrographTruth(w, h, l, targets.PixelSizeA, targets is RotatedImageTargets ? "image" : "volume", simulation.Gamma, sigma, ratio,
                spacingName, simulation.Copies.Count, (targets as RotatedImageTargets)?.BandLimit, seeds.Seed);

            using var set = OutputSet.Begin(dir);
            ProgressDisplay.Run(console, "Simulating", h, progress => MicrographDataset.Save(simulation, truth, set, progress));
            if (targets is RotatedImageTargets rotated)
            {
                MrcWriter.Write(set.Stage("target.mrc"), rotated.Target);
            }
            else
            {
                MrcWriter.Write(set.Stage("target.mrc"), ((ProjectedVolumeTargets)targets).Volume);
            }

            SaveReport(set.Stage("report.html"), simulation, truth);
            set.Commit();
            var result = new MicrographSimulateResult(Path.Combine(dir, MicrographDataset.MicrographFile), Path.Combine(dir, MicrographDataset.TruthFileName),
                Path.Combine(dir, MicrographDataset.CopiesFile), Path.Combine(dir, "target.mrc"), Path.Combine(dir, "report.html"), w, h, l,
                simulation.Copies.Count, simulation.Gamma, sigma, ratio, clock.Elapsed.TotalSeconds);
            return CommandOutput.Emit(console, parse.GetValue(json), result, (o, r) => o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Wrote a {r.Width} × {r.Height} micrograph with {r.CopyCount} copies of a {r.TargetSize}-pixel target (γ = {r.Gamma:0.####}, SNR {r.Snr:0.###}, σ = {r.Sigma:G4}) to {dir} in {r.Seconds:0.0} s.")));
        });
        return command;
    }

    private static IMicrographTargets Targets(ParseResult parse, string? imagePath, string? volumePath, Option<MicrographPhantom> phantom, Option<int> targetSize,
        Option<double?> pixelSize, double bandLimit, SeedSequence seeds, ComputeContext context)
    {
        double? pixel = parse.GetValue(pixelSize);
        if (imagePath is not null)
        {
            using var reader = new MrcReader(imagePath);
            if (reader.SectionCount != 1 || reader.SectionShape.Nx != reader.SectionShape.Ny)
            {
                throw new InvalidFileException(imagePath, $"holds {reader.SectionCount} sections of {reader.SectionShape}; the target is one square image");
            }

            var target = reader.ReadImage(0);
            return new RotatedImageTargets(pixel is { } p ? new Image(target.Nx, target.Ny, p, target.Data) : target, bandLimit);
        }

        if (volumePath is not null)
        {
            var volume = VolumeInput.Load(volumePath, null, null, null, pixel, null, seeds, context);

            // An explicit -L brings the map to L³ by Fourier cropping (the field of view kept, the pixel size grown), as
            // RELION's relion_image_handler --new_box does after --rescale_angpix: multi-target detection works in small boxes.
            if (parse.GetResult(targetSize) is { Implicit: false } && parse.GetValue(targetSize) is var box && box != volume.Nx)
            {
                if (box < 5 || box > volume.Nx)
                {
                    throw new InvalidParameterException("--target-size", box, $"must be between 5 and the map's box ({volume.Nx}) to resample {volumePath}");
                }

                volume = (Volume)FourierResampling.Resample(volume, box);
            }

            return new ProjectedVolumeTargets(volume);
        }

        int l = parse.GetValue(targetSize);
        if (l is < 5 or > 256)
        {
            throw new InvalidParameterException("--target-size", l, "must be between 5 and 256 pixels");
        }

        double angpix = pixel ?? 2.0;
        return parse.GetValue(phantom) switch
        {
            MicrographPhantom.Blobs => new RotatedImageTargets(BlobImagePhantom.Create(l, angpix, seeds.Spawn("phantom")), bandLimit),
            MicrographPhantom.VolumeBlobs => new ProjectedVolumeTargets(VolumeInput.Load(null, PhantomKind.Blobs, null, Math.Max(l, 8), angpix, null, seeds, context)),
            _ => new ProjectedVolumeTargets(SmallSheppLogan(l, angpix)),
        };
    }

    /// <summary>
    /// The Shepp–Logan phantom drawn 8 times finer and brought to L³ by Fourier cropping: sampled at L³ directly, its
    /// ellipsoids' edges alias into isolated voxels (at 11³ even the best expansion in a band-limited basis misses 60 %
    /// of it); cropped, it is the band-limited object a small box can hold.
    /// </summary>
    private static Volume SmallSheppLogan(int l, double angpix)
    {
        int fine = 8 * l;
        return (Volume)FourierResampling.Resample(SheppLoganPhantom.Create(fine, angpix * l / fine), l);
    }

    /// <summary>‖x‖² of the target; for a volume, the mean over 64 random views.</summary>
    private static double MeanEnergy(IMicrographTargets targets, SeedSequence seeds)
    {
        var box = new float[targets.Size * targets.Size];
        var random = seeds.CreateStream();
        int views = targets is RotatedImageTargets ? 1 : 64;
        double sum = 0;
        for (int v = 0; v < views; v++)
        {
            targets.Render(targets.DrawPose(default, random), box);
            sum += System.Numerics.Tensors.TensorPrimitives.SumOfSquares<float>(box);
        }

        return sum / views;
    }

    private static void SaveReport(string path, MicrographSimulation noisy, MicrographTruth truth)
    {
        // A corner crop, clean and noisy, at a size a page shows.
        int crop = Math.Min(256, Math.Min(noisy.Width, noisy.Height)), l = truth.TargetSize;
        var noisyRows = new float[noisy.Width * crop];
        var cleanRows = new float[noisy.Width * crop];
        noisy.ReadRows(0, crop, noisyRows);
        noisy.ReadRows(0, crop, cleanRows, withNoise: false);
        var noisyCrop = new float[crop * crop];
        var cleanCrop = new float[crop * crop];
        for (int r = 0; r < crop; r++)
        {
            noisyRows.AsSpan(r * noisy.Width, crop).CopyTo(noisyCrop.AsSpan(r * crop));
            cleanRows.AsSpan(r * noisy.Width, crop).CopyTo(cleanCrop.AsSpan(r * crop));
        }

        var target = new float[l * l];
        noisy.Targets.Render(default, target);
        int scale = Math.Max(1, 128 / l);
        var crops = new Montage { Columns = 2, Scale = crop <= 128 ? 2 : 1 }.Add(cleanCrop, crop, crop, "clean").Add(noisyCrop, crop, crop, $"SNR {truth.Snr:0.###}");
        var report = new HtmlReport("Simulated micrograph")
            .Paragraph(string.Create(CultureInfo.InvariantCulture,
                $"{truth.Width} × {truth.Height} pixels at {truth.PixelSizeA:0.###} Å, {truth.Copies} copies of a {l}-pixel {truth.Target} target ({(truth.Target == "image" ? "random in-plane rotations" : "projections at uniformly random orientations")}), {truth.Spacing} spacing."))
            .Table([
                ("density γ", truth.Gamma.ToString("0.#####", CultureInfo.InvariantCulture)),
                ("SNR ‖x‖²/(L²σ²)", truth.Snr.ToString("0.####", CultureInfo.InvariantCulture)),
                ("σ", truth.Sigma.ToString("0.#####", CultureInfo.InvariantCulture)),
                ("seed", truth.Seed.ToString(CultureInfo.InvariantCulture)),
            ])
            .Picture(PngEncoder.Encode(new Montage { Columns = 1, Scale = scale }.Add(target, l, l, "target").Render()), "The target at ψ = 0 (the band-limited image, or the projection at rot = tilt = ψ = 0).")
            .Picture(PngEncoder.Encode(crops.Render()), string.Create(CultureInfo.InvariantCulture, $"The top-left {crop} × {crop} pixels, without and with noise."));
        report.Save(path);
    }
}
