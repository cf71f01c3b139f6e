using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using CryoSharp.Cli.Options;
using CryoSharp.Imaging;
using CryoSharp.IO;
using CryoSharp.IO.Star;
using CryoSharp.Numerics;
using CryoSharp.Particles;
using CryoSharp.Reports;
using CryoSharp.Simulation;

namespace CryoSharp.Cli.Commands;

/// <summary>
/// <c>cryosharp demo</c>: a tour of what CryoSharp does, with nothing to download. It grows with each capability;
/// today it builds a phantom molecule, writes it as MRC, reads it back, simulates its particles with CTF and noise,
/// reconstructs the map from them with their true poses, and reports slices of truth and map, the FSCs against
/// the truth and between half maps, the particles and the power spectrum.
/// </summary>
public static class DemoCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create(GlobalOptions globals, CliConsole console)
    {
        ArgumentNullException.ThrowIfNull(globals);
        var output = SharedOptions.OutputFolder("the demo's maps, particles, figures and report.html");
        output.Required = false;
        output.DefaultValueFactory = _ => "cryosharp-demo";

        // The demo's own defaults (a small box, 3 Å) keep it to seconds; simulate's are those of a typical data set.
        var box = SharedOptions.Box("of the phantom [default: 64]");
        var pixel = SharedOptions.PixelSize("of the phantom [default: 3]");
        var quick = new Option<bool>("--quick") { Description = "Stop after the reconstruction from the true poses (seconds): no 2D classes, ab initio or refinement." };
        var json = SharedOptions.Json();
        var command = new Command("demo", "Build a phantom molecule, simulate its particles (CTF, noise) and reconstruct it from their true poses; then, as from real data, find its structure with no poses known: 2D classes, an ab initio map, its refinement, and the FSC against the truth. One report (report.html) links each step's report. Its defaults (a 64-pixel box of 3 Å, 4,000 particles at SNR 0.5) keep it to a few minutes on 2 cores; simulate's are those of a typical data set.")
        {
            output,
            box,
            pixel,
            quick,
            json,
        };
        command.SetAction(parse =>
        {
            var result = Run(parse.GetValue(output)!, parse.GetValue(box) ?? 64, parse.GetValue(pixel) ?? 3.0, globals.Seeds(parse), console, globals.Context(parse),
                !parse.GetValue(quick));
            return CommandOutput.Emit(console, parse.GetValue(json), result, (o, r) =>
            {
                o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"Phantom {r.Box}³ at {r.PixelSize} Å/voxel written to {r.Map} (round trip max error {r.RoundTripMaxError:G3})."));
                o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"Reconstructed from 4000 simulated particles: {r.Resolution0143:0.0} Å gold-standard, {r.ResolutionVersusTruth05:0.0} Å against the truth."));
                if (r.Pipeline is { } p)
                {
                    o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"From {p.Particles} particles of unknown pose: ab initio {p.AbInitioVersusTruth05:0.0} Å and refined {p.RefinedVersusTruth05:0.0} Å against the truth (FSC 0.5 after alignment), {p.Refined0143:0.0} Å gold-standard, in {p.Seconds:0} s."));
                }

                o.WriteLine($"Report: {r.Report}");
            });
        });
        return command;
    }

    /// <summary>What the demo produced.</summary>
    public sealed record DemoResult(string OutputDirectory, string Map, string Report, string Slices, string PowerSpectrum,
        string Particles, string Reconstruction, int Box, double PixelSize, double RoundTripMaxError, double Resolution0143,
        double ResolutionVersusTruth05, double Seconds, PipelineSummary? Pipeline = null);

    /// <summary>The structure-determination steps (absent with --quick).</summary>
    /// <param name="AbInitioVersusTruth05">Ab initio map against the truth after alignment, FSC 0.5, Å.</param>
    /// <param name="RefinedVersusTruth05">Refined map against the truth after alignment, FSC 0.5, Å.</param>
    /// <param name="Refined0143">The refinement's gold-standard resolution, Å.</param>
    public sealed record PipelineSummary(int Particles, string Class2DReport, string AbInitioReport, string Refine3DReport, double AbInitioVersusTruth05, double RefinedVersusTruth05,
        double Refined0143, bool Reflected, double Seconds);

    /// <summary>Runs the demo into <paramref name="outputDirectory"/>.</summary>
    /// <param name="pipeline">Whether to go on to the structure from particles of unknown pose (class2d, abinitio, refine3d).</param>
    /// <param name="pipelineParticles">How many particles those steps use.</param>
    public static DemoResult Run(string outputDirectory, int box, double pixelSizeA, SeedSequence seeds, CliConsole console, ComputeContext context, bool pipeline = true,
        int pipelineParticles = DemoPipeline.DefaultParticles)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(seeds);
        if (box is < 16 or > 512)
        {
            throw new InvalidParameterException("--box", box, "must be between 16 and 512 voxels");
        }

        InvalidParameterException.ThrowIfNotPositive("--pixel-size", pixelSizeA);

        var clock = Stopwatch.StartNew();
        var c = CultureInfo.InvariantCulture;
        console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"demo: output {Path.GetFullPath(outputDirectory)}"));
        using var set = IO.OutputSet.Begin(outputDirectory);
        string map = set.Final("phantom.mrc");
        string slices = set.Final("phantom_views.png");
        string power = set.Final("power_spectrum.svg");
        string report = set.Final("report.html");

        var phantom = new GaussianBlobPhantom { Seeds = seeds.Spawn("phantom") }.Create(box, pixelSizeA);
        MrcWriter.Write(set.Stage("phantom.mrc"), phantom);
        var reread = MrcReader.ReadVolume(set.Stage("phantom.mrc"));
        double roundTrip = 0;
        for (int i = 0; i < phantom.Data.Length; i++)
        {
            roundTrip = Math.Max(roundTrip, Math.Abs(phantom.Data[i] - reread.Data[i]));
        }

        var montage = new Montage { Columns = 3 };
        string[] axes = ["x", "y", "z"];
        for (int axis = 0; axis < 3; axis++)
        {
            montage.Add(reread.CentralSlice(axis), $"slice {axes[axis]}");
        }

        for (int axis = 0; axis < 3; axis++)
        {
            montage.Add(AxisProjection.Sum(reread, axis), $"sum along {axes[axis]}");
        }

        var png = PngEncoder.Encode(montage.Render());
        AtomicFile.WriteAllBytes(set.Stage("phantom_views.png"), png);

        var spectrum = reread.ToFourier();
        var shells = new FourierShells(reread.Shape);
        var radial = shells.RadialPower(spectrum.Data);
        var frequency = new List<double>();
        var values = new List<double>();
        for (int s = 1; s <= shells.NyquistShell; s++)
        {
            frequency.Add(shells.Frequency(s, pixelSizeA));
            values.Add(radial[s]);
        }

        var plot = new LinePlot
        {
            Title = "Radial power spectrum of the phantom",
            XLabel = "spatial frequency (1/Å)",
            YLabel = "mean |F|² per shell",
            LogY = true,
        }.Add("phantom", frequency, values);
        string svg = plot.Render();
        AtomicFile.WriteAllText(set.Stage("power_spectrum.svg"), svg);

        // Particles of the phantom, as the simulator makes them (projection, shift, CTF, noise), and the map
        // reconstructed from them with their true poses.
        string particles = set.Final("particles.mrcs");
        var simulation = new SimulationOptions { Count = 4000, Snr = 0.5, Ctf = true, ShiftSigmaA = 2 * pixelSizeA, Seeds = seeds };
        var simulator = new ParticleSimulator(reread, simulation, context);
        var source = simulator.CreateSource();

        // The reconstruction reads the simulation straight from memory; the stack and STAR file are written for
        // people to open, not for the reconstruction.
        var reconstruction = new Reconstruction.ParticleReconstruction(new Reconstruction.ReconstructionOptions { Ctf = true, Seeds = seeds, Context = context })
            .Run(source);
        ParticleSet.Save(source, set.Stage("particles.mrcs"), set.Stage("particles.star"), simulator.Columns, imagePath: ParticleSet.ProjectRelativePath(particles));
        var samples = ParticleSimulator.Samples(source);
        string reconstructed = set.Final("reconstruction.mrc");
        MrcWriter.Write(set.Stage("reconstruction.mrc"), reconstruction.Map);
        var versusTruth = Reconstruction.FourierShellCorrelation.Compute(reconstruction.Map, reread);
        var fscPlot = FscFigure.Create(reconstruction.HalfMapFsc, "half maps (gold standard)");
        fscPlot.Add("map vs ground truth", [.. Enumerable.Range(0, versusTruth.Values.Length).Select(versusTruth.Frequency)], versusTruth.Values);
        string fscSvg = fscPlot.Render();
        AtomicFile.WriteAllText(set.Stage("fsc.svg"), fscSvg);
        var comparison = new Montage { Columns = 3 };
        for (int axis = 0; axis < 3; axis++)
        {
            comparison.Add(reread.CentralSlice(axis), $"truth {axes[axis]}");
        }

        for (int axis = 0; axis < 3; axis++)
        {
            comparison.Add(reconstruction.Map.CentralSlice(axis), $"map {axes[axis]}");
        }

        var comparisonPng = PngEncoder.Encode(comparison.Render());
        var particleMontage = new Montage { Columns = 8 };
        int shown = Math.Min(8, samples.Count), n = box * box;
        for (int i = 0; i < shown; i++)
        {
            particleMontage.Add(samples.Clean.AsSpan(i * n, n), box, box, $"clean {i + 1}");
        }

        for (int i = 0; i < shown; i++)
        {
            particleMontage.Add(samples.Noisy.AsSpan(i * n, n), box, box, $"SNR 0.5");
        }

        var particlePng = PngEncoder.Encode(particleMontage.Render());
        var stats = reread.Statistics();
        var page = new HtmlReport("CryoSharp demo: a phantom molecule and its particles")
            .Paragraph("An asymmetric molecule of Gaussian blobs, built from a seed, written as an MRC map (mode 2) and read back.")
            .Table([
                ("map", Path.GetFileName(map)),
                ("box", string.Create(c, $"{box} × {box} × {box} voxels")),
                ("pixel size", string.Create(c, $"{pixelSizeA} Å")),
                ("seed", seeds.Seed.ToString(c)),
                ("min / max", string.Create(c, $"{stats.Min:G4} / {stats.Max:G4}")),
                ("mean / std", string.Create(c, $"{stats.Mean:G4} / {stats.StdDev:G4}")),
                ("MRC round trip, max |error|", roundTrip.ToString("G3", c)),
            ])
            .Heading("Views")
            .Picture(png, "Central slices through the centre (index n/2) and sums along each axis (projections).")
            .Heading("Particles")
            .Picture(particlePng, "Simulated particles of the phantom (RELION's image formation: projection, shift by −origin, CTF) without and with noise at SNR 0.5.")
            .Heading("Reconstruction")
            .Paragraph(string.Create(c, $"{simulation.Count} particles with CTF (defocus 1–3 µm) at SNR 0.5, reconstructed from their true poses by direct Fourier inversion with CTF correction: gold-standard resolution {reconstruction.Resolution0143:0.0} Å (FSC 0.143), {versusTruth.Resolution(0.5):0.0} Å against the ground truth (FSC 0.5); Nyquist is {2 * pixelSizeA:0.0} Å."))
            .Picture(comparisonPng, "Central slices of the ground truth (top) and of the reconstruction (bottom).")
            .Plot(fscSvg, "FSC between the half maps and between the map and the ground truth.")
            .Heading("Power spectrum")
            .Plot(svg, "Mean squared Fourier amplitude per shell, up to Nyquist.");
        page.Save(set.Stage("report.html"));
        set.Commit();

        // The steps from particles of unknown pose each write their own folder; the report, rewritten at the end, links them.
        PipelineSummary? summary = null;
        if (pipeline)
        {
            double diameterA = 0.7 * box * pixelSizeA;
            var o = DemoPipeline.Run(Path.GetFullPath(outputDirectory), set.Final("particles.star"), pipelineParticles, reread, diameterA, versusTruth.Resolution(0.5), seeds,
                console, context, page);
            page.Save(report);
            summary = new PipelineSummary(o.Classes.ParticleCount, o.Classes.Report, o.AbInitio.Report, o.Refinement.Report, o.AbInitioVersusTruth05, o.RefinedVersusTruth05,
                o.Refinement.Resolution0143, o.Reflected, o.Seconds);
        }

        return new DemoResult(Path.GetFullPath(outputDirectory), map, report, slices, power, particles, reconstructed, box, pixelSizeA, roundTrip,
            reconstruction.Resolution0143, versusTruth.Resolution(0.5),
            clock.Elapsed.TotalSeconds, summary);
    }
}
