using System.Globalization;
using CryoSharp.Classification;
using CryoSharp.Imaging;
using CryoSharp.IO;
using CryoSharp.Numerics;
using CryoSharp.Reconstruction;
using CryoSharp.Refinement;
using CryoSharp.Reports;

namespace CryoSharp.Cli.Commands;

/// <summary>
/// The demo's structure determination from particles of unknown pose, as a user runs it: 2D classes, an ab initio
/// map from no reference, its refinement, and the refined map aligned to the truth and scored by FSC. Each step runs
/// the command's own code into its own folder (class2d/, abinitio/, refine3d/) with its own report, so the demo's
/// report links to what each command makes.
/// </summary>
internal static class DemoPipeline
{
    /// <summary>Particles the demo's steps use by default (the first of the simulation; enough for 2D classes and a map).</summary>
    public const int DefaultParticles = 2000;

    /// <summary>What the steps produced and how the maps compare with the truth.</summary>
    /// <param name="AbInitioVersusTruth05">FSC 0.5 of the ab initio map against the truth after alignment (hand included), Å.</param>
    /// <param name="RefinedVersusTruth05">FSC 0.5 of the refined map against the truth after alignment, Å.</param>
    /// <param name="Reflected">Whether the ab initio map came out with the other hand (ab initio cannot tell).</param>
    public sealed record Outcome(Class2DCommand.Class2DResult Classes, AbInitioCommand.AbInitioRunResult AbInitio, Refine3DCommand.Refine3DResult Refinement,
        double AbInitioVersusTruth05, double RefinedVersusTruth05, bool Reflected, double Seconds);

    /// <summary>Runs the steps on <paramref name="particlesStar"/> into folders of <paramref name="directory"/> and adds their section to <paramref name="report"/>.</summary>
    /// <param name="particles">How many of the simulated particles the steps use (the first ones).</param>
    /// <param name="truePosesVersusTruth05">What the particles give with their true poses (FSC 0.5 against the truth, Å): the mark to reach.</param>
    public static Outcome Run(string directory, string particlesStar, int particles, Volume truth, double diameterA, double truePosesVersusTruth05, SeedSequence seeds,
        CliConsole console, ComputeContext context, HtmlReport report)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var c = CultureInfo.InvariantCulture;
        long seed = seeds.Seed;
        int threads = context.Threads;

        // The demo's particles, as a STAR file of the first ones with neither poses nor origins (the steps must find them).
        string input = Path.Combine(directory, "unaligned.star");
        var table = IO.Star.ParticleTable.Load(particlesStar);
        if (table.Count > particles)
        {
            table.Particles.RemoveRange(particles, table.Count - particles);
        }

        table.Columns &= ~(IO.Star.ParticleColumns.Angles | IO.Star.ParticleColumns.Origins);
        table.Save(input);

        console.Error.WriteLine("demo: 2D classification (class2d/)");
        var class2dDefaults = new Class2DOptions();
        var classes = Class2DCommand.Run(new Class2DCommand.RunSettings
        {
            Particles = input,
            Classes = 10,
            Iterations = 10,
            ParticleDiameterA = diameterA,
            Ctf = true,
            Tau2Fudge = class2dDefaults.Tau2Fudge,
            PsiStepDeg = 10,
            OffsetRangePx = 3,
            OffsetStepPx = 2,
            Oversampling = class2dDefaults.Oversampling,
            Algorithm = "ml",
            IncrementShells = class2dDefaults.IncrementShells,
            CenterClasses = true,
            Seed = seed,
            Threads = threads,
        }, Path.Combine(directory, "class2d"), false, console, context);

        console.Error.WriteLine("demo: ab initio (abinitio/)");
        var d = new AbInitioOptions();
        var abinitio = AbInitioCommand.Run(new AbInitioCommand.RunSettings
        {
            Particles = input,
            Settings = new AbInitioCommand.AbInitioSettings(1, diameterA, true, "C1", d.InitialResolutionA, d.FinalResolutionA, 80, d.InitialMinibatch,
                d.FinalMinibatch, d.LearningRate, d.Momentum, d.InitialNoiseScale, d.MaxHealpixOrder, d.OffsetRangePx, d.OffsetStepPx, d.MaxSignificant, null, null),
            Seed = seed,
            Threads = threads,
        }, Path.Combine(directory, "abinitio"), false, console, context);

        console.Error.WriteLine("demo: refinement from the ab initio map (refine3d/)");
        var r = new Refine3DOptions();
        var refined = Refine3DCommand.Run(new Refine3DCommand.RunSettings
        {
            Particles = input,
            Reference = abinitio.Map,
            ParticleDiameterA = diameterA,
            Ctf = true,
            InitialLowpassA = 20,
            Symmetry = "C1",
            HealpixOrder = 2,
            LocalFromOrder = r.LocalFromOrder,

            // 7.5° after oversampling is as fine as a demo needs at this box, and keeps it to minutes.
            MaxHealpixOrder = 2,
            OffsetRangePx = 3,
            OffsetStepPx = 2,
            Oversampling = 1,
            Algorithm = "ml",
            Search = "branch-and-bound",
            Tau2Fudge = r.Tau2Fudge,
            IncrementShells = r.IncrementShells,
            MaxSignificant = r.MaxSignificant,
            MaxIterations = 10,
            Seed = seed,
            Threads = threads,
        }, Path.Combine(directory, "refine3d"), false, console, context);

        console.Error.WriteLine("demo: maps against the truth");
        var abinitioMap = MrcReader.ReadVolume(abinitio.Map);
        var refinedMap = MrcReader.ReadVolume(refined.Map);
        var abinitioFit = MapAlignment.Align(abinitioMap, truth, true, 20, context);
        var abinitioAligned = MapAlignment.Apply(abinitioMap, abinitioFit);

        // The refined map stays in the ab initio map's frame and hand, but refinement moves it a little: it gets its own fit.
        var refinedFit = MapAlignment.Align(refinedMap, truth, true, 20, context);
        var refinedAligned = MapAlignment.Apply(refinedMap, refinedFit);
        MrcWriter.Write(Path.Combine(directory, "abinitio_aligned.mrc"), abinitioAligned);
        MrcWriter.Write(Path.Combine(directory, "refined_aligned.mrc"), refinedAligned);
        var abinitioFsc = FourierShellCorrelation.Compute(abinitioAligned, truth);
        var refinedFsc = FourierShellCorrelation.Compute(refinedAligned, truth);

        var views = new Montage { Columns = 3 };
        string[] axes = ["x", "y", "z"];
        foreach (var (map, name) in new[] { (truth, "truth"), (abinitioAligned, "ab initio"), (refinedAligned, "refined") })
        {
            for (int axis = 0; axis < 3; axis++)
            {
                views.Add(AxisProjection.Sum(map, axis), $"{name} {axes[axis]}");
            }
        }

        var halves = FourierShellCorrelation.Compute(MrcReader.ReadVolume(refined.Half1), MrcReader.ReadVolume(refined.Half2));
        var fscPlot = FscFigure.Create(halves, "refine3d half maps");
        fscPlot.Add("refined map vs truth", [.. Enumerable.Range(0, refinedFsc.Values.Length).Select(refinedFsc.Frequency)], refinedFsc.Values);
        fscPlot.Add("ab initio map vs truth", [.. Enumerable.Range(0, abinitioFsc.Values.Length).Select(abinitioFsc.Frequency)], abinitioFsc.Values);

        double seconds = clock.Elapsed.TotalSeconds;
        var outcome = new Outcome(classes, abinitio, refined, abinitioFsc.Resolution(0.5), refinedFsc.Resolution(0.5), abinitioFit.Reflected, seconds);
        report.Heading("Structure from particles of unknown pose")
            .Paragraph(string.Create(c, $"The first {table.Count} particles, their poses and origins removed, taken through what a user runs: 2D classification, an ab initio map from no reference, and its gold-standard refinement; each step's own report is linked below. The maps are then aligned to the ground truth (rotation, shift and hand: ab initio cannot tell a map from its mirror image) and compared by FSC."))
            .Links([
                ("class2d/report.html", "class2d/report.html", string.Create(c, $"{classes.Classes.Count} classes, {classes.Iterations.Count} iterations, {classes.Seconds:0} s")),
                ("abinitio/report.html", "abinitio/report.html", string.Create(c, $"{abinitio.Iterations.Count} SGD iterations on a {abinitio.WorkingBox} px working box, {abinitio.Seconds:0} s; against the truth after alignment, FSC 0.5 at {outcome.AbInitioVersusTruth05:0.0} Å{(outcome.Reflected ? " (mirror image)" : "")}")),
                ("refine3d/report.html", "refine3d/report.html", string.Create(c, $"{refined.Iterations.Count} iterations, gold-standard {refined.Resolution0143:0.0} Å, {refined.Seconds:0} s; against the truth FSC 0.5 at {outcome.RefinedVersusTruth05:0.0} Å")),
            ])
            .Picture(PngEncoder.Encode(views.Render()), "Projections along x, y and z of the truth (top), the ab initio map aligned to it (middle) and the refined map aligned to it (bottom).")
            .Plot(fscPlot.Render(), "FSC against the truth of the ab initio and refined maps (after alignment), and between the refinement's half maps.")
            .Table([
                ("ab initio vs truth (FSC 0.5)", string.Create(c, $"{outcome.AbInitioVersusTruth05:0.0} Å")),
                ("refined vs truth (FSC 0.5)", string.Create(c, $"{outcome.RefinedVersusTruth05:0.0} Å")),
                ("refined, gold standard (FSC 0.143)", string.Create(c, $"{refined.Resolution0143:0.0} Å")),
                ("all particles with their true poses (FSC 0.5, above)", string.Create(c, $"{truePosesVersusTruth05:0.0} Å")),
                ("pipeline time", string.Create(c, $"{seconds:0} s on {threads} threads")),
            ]);
        return outcome;
    }
}
