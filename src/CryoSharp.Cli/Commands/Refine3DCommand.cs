using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using CryoSharp.Classification;
using CryoSharp.Cli.Options;
using CryoSharp.Geometry;
using CryoSharp.Imaging;
using CryoSharp.IO;
using CryoSharp.IO.Star;
using CryoSharp.Numerics;
using CryoSharp.Particles;
using CryoSharp.Reconstruction;
using CryoSharp.Refinement;

namespace CryoSharp.Cli.Commands;

/// <summary>
/// <c>cryosharp refine3d</c>: gold-standard 3D auto-refinement of particles of unknown orientation from a reference
/// (maximum likelihood as RELION's auto-refine, or projection matching), with per-iteration results under
/// <c>DIR/iterNNN/</c> and <c>--continue</c>.
/// </summary>
public static class Refine3DCommand
{
    /// <summary>The settings of a run, saved as DIR/run.json so that <c>--continue DIR</c> needs nothing else.</summary>
    public sealed record RunSettings
    {
        /// <summary>The particles' STAR file, absolute.</summary>
        public required string Particles { get; init; }

        /// <summary>The reference map, absolute.</summary>
        public required string Reference { get; init; }

        /// <summary>The solvent mask, absolute, or null.</summary>
        public string? Mask { get; init; }

        /// <summary>--data-root, absolute, or null.</summary>
        public string? DataRoot { get; init; }

        /// <summary>--pixel-size, or null.</summary>
        public double? PixelSizeA { get; init; }

        /// <summary>Particle diameter in Å, or null.</summary>
        public double? ParticleDiameterA { get; init; }

        /// <summary>Model the CTF.</summary>
        public bool Ctf { get; init; }

        /// <summary>The reference is on the particles' grey scale.</summary>
        public bool AbsoluteScale { get; init; }

        /// <summary>Point group by RELION's name.</summary>
        public string Symmetry { get; init; } = "C1";

        /// <summary>Initial low-pass in Å.</summary>
        public double InitialLowpassA { get; init; }

        /// <summary>First HEALPix order.</summary>
        public int HealpixOrder { get; init; }

        /// <summary>Local searches from this order.</summary>
        public int LocalFromOrder { get; init; }

        /// <summary>Finest order.</summary>
        public int MaxHealpixOrder { get; init; }

        /// <summary>Offset range in pixels.</summary>
        public double OffsetRangePx { get; init; }

        /// <summary>Offset step in pixels.</summary>
        public double OffsetStepPx { get; init; }

        /// <summary>Oversampling order.</summary>
        public int Oversampling { get; init; }

        /// <summary>"ml" or "cc".</summary>
        public required string Algorithm { get; init; }

        /// <summary>Not --whole-sphere.</summary>
        public bool AsymmetricUnit { get; init; } = true;

        /// <summary>"exhaustive" or "branch-and-bound" (runs from before the option read as exhaustive).</summary>
        public string Search { get; init; } = "exhaustive";

        /// <summary>T.</summary>
        public double Tau2Fudge { get; init; }

        /// <summary>Shells added beyond the resolution.</summary>
        public int IncrementShells { get; init; }

        /// <summary>Most coarse hypotheses refined per particle (0: no limit).</summary>
        public int MaxSignificant { get; init; }

        /// <summary>Most iterations before the final one.</summary>
        public int MaxIterations { get; init; }

        /// <summary>Number of classes (1 for refine3d; class3d's --classes).</summary>
        public int Classes { get; init; } = 1;

        /// <summary>class3d's --iterations (a fixed angular step), or null for refine3d's schedule.</summary>
        public int? FixedIterations { get; init; }

        /// <summary>--seed.</summary>
        public long Seed { get; init; }

        /// <summary>--threads (results are repeated exactly with the same count).</summary>
        public int Threads { get; init; }
    }

    /// <summary>What a refinement produced.</summary>
    public sealed record Refine3DResult(string Map, string Half1, string Half2, string ParticlesFile, string FscCsv, string Report, int ParticleCount, int Box,
        double PixelSize, double Resolution0143, double Resolution05, double? MaskedResolution0143, IReadOnlyList<IterationSummary> Iterations, double Seconds, int ContinuedFrom,
        IReadOnlyList<ClassSummary>? Classes = null);

    /// <summary>One class of a 3D classification: its map, how many particles it holds and its gold-standard resolution.</summary>
    public sealed record ClassSummary(int Class, string Map, int Particles, double Distribution, double Resolution0143);

    /// <summary>One iteration in the result.</summary>
    /// <remarks>The changes are null on the first iteration, which has no poses before it.</remarks>
    /// <param name="EvaluatedFraction">Fraction of the coarse poses scored at the full current resolution (below 1 by branch and bound).</param>
    public sealed record IterationSummary(int Iteration, double Seconds, double Resolution, double AngularStepDeg, bool Local, double? ChangedOrientationsDeg,
        double? ChangedOffsetsPx, int RadiusPx, bool Final, double? EvaluatedFraction = null);

    /// <summary>--search's names.</summary>
    public static readonly (string Name, PoseSearchStrategy Value)[] SearchChoices =
        [("exhaustive", PoseSearchStrategy.Exhaustive), ("branch-and-bound", PoseSearchStrategy.BranchAndBound)];

    /// <summary>The --search option, shared with class3d.</summary>
    internal static Option<PoseSearchStrategy> SearchOption() => ChoiceOption.Create("--search",
        "exhaustive: every pose scored at the current resolution; branch-and-bound: poses whose bound (low frequencies scored, the rest bounded) cannot come near the best are never scored in full. The result is the same.",
        SearchChoices, PoseSearchStrategy.Exhaustive);

    private const string RunFileName = "run.json";
    private const string IterationStatisticsName = "iteration.json";
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Builds the command.</summary>
    public static Command Create(GlobalOptions globals, CliConsole console)
    {
        ArgumentNullException.ThrowIfNull(globals);
        var defaults = new Refine3DOptions();
        var particles = new Option<string?>("--particles", "-i") { Description = "RELION STAR file (3.0 or 3.1) of the particles to refine (not needed with --continue)." };
        var reference = new Option<string?>("--reference", "--ref") { Description = "Initial map (MRC) of the particles' box and pixel size; it is low-passed to --initial-lowpass first." };
        var output = new Option<string?>("--out", "-o")
        {
            Description = "Output folder (created if needed): map.mrc, half1.mrc, half2.mrc, particles.star, fsc.csv, report.html, run.json, and iterNNN/ after every iteration.",
        };
        var resume = new Option<string?>("--continue") { Description = "Continue the run in this folder from its last complete iteration (its run.json gives every setting)." };
        var diameter = new Option<double?>("--particle-diameter") { Description = "Particle diameter in Å: images and maps are masked to it [default: 90 % of the box]." };
        var ctf = SharedOptions.CorrectCtf();
        var lowpass = new Option<double>("--initial-lowpass") { Description = "Low-pass the reference to this resolution (Å) before the first iteration (RELION's --ini_high).", DefaultValueFactory = _ => defaults.InitialLowpassA };
        var absolute = new Option<bool>("--reference-absolute-scale") { Description = "The reference is on the particles' grey scale (refined from them); otherwise the first iteration aligns by correlation, as RELION's --firstiter_cc." };
        var symmetry = new Option<string>("--symmetry", "--sym") { Description = "Point group of the particle by RELION's name (C1, Cn, Dn, T, O, I), imposed on every reconstruction.", DefaultValueFactory = _ => "C1" };
        var order = new Option<int>("--healpix-order") { Description = "HEALPix order of the first iterations: 60°/2^order (2 = 15°).", DefaultValueFactory = _ => defaults.HealpixOrder };
        var localFrom = new Option<int>("--local-from-order") { Description = "From this HEALPix order on, search only near each particle's previous orientation (RELION's --auto_local_healpix_order).", DefaultValueFactory = _ => defaults.LocalFromOrder };
        var maxOrder = new Option<int>("--max-healpix-order") { Description = "The finest HEALPix order the angular step may reach.", DefaultValueFactory = _ => defaults.MaxHealpixOrder };
        var offsetRange = new Option<double>("--offset-range") { Description = "Translations searched within this many pixels of each particle's previous offset.", DefaultValueFactory = _ => defaults.OffsetRangePx };
        var offsetStep = new Option<double>("--offset-step") { Description = "Translation step of the coarse search, in pixels.", DefaultValueFactory = _ => defaults.OffsetStepPx };
        var oversampling = new Option<int>("--oversampling") { Description = "Adaptive oversampling order (0 or 1): the fine pass halves the angular and translational steps.", DefaultValueFactory = _ => defaults.Oversampling };
        var algorithm = ChoiceOption.Create("--algorithm", "ml: maximum likelihood (RELION's auto-refine); cc: projection matching (best correlation, hard assignment).",
            Class2DCommand.AlgorithmChoices, SearchAlgorithm.MaximumLikelihood);
        var search = SearchOption();
        var wholeSphere = new Option<bool>("--whole-sphere") { Description = "With --symmetry, search every orientation rather than only the asymmetric unit (|G| times more poses; RELION searches the asymmetric unit)." };
        var tau2 = new Option<double>("--tau2-fudge") { Description = "Regularisation T: the Wiener term is 1/(T·SSNR); larger trusts the data more.", DefaultValueFactory = _ => defaults.Tau2Fudge };
        var increment = new Option<int>("--increment-shells") { Description = "Fourier shells used beyond each iteration's resolution (RELION's incr_size).", DefaultValueFactory = _ => defaults.IncrementShells };
        var maxIterations = new Option<int>("--max-iterations") { Description = "Stop after this many iterations (then one final iteration) even if not converged.", DefaultValueFactory = _ => defaults.MaxIterations };
        var maxSignificant = new Option<int>("--max-significant") { Description = "The most coarse hypotheses per particle refined in the fine pass, most probable first (RELION's --maxsig); 0 for no limit.", DefaultValueFactory = _ => defaults.MaxSignificant };
        var mask = new Option<string?>("--mask") { Description = "Solvent mask (MRC, values 0–1, the particles' box): applied to the references, and the report adds the masked, corrected FSC." };
        var dataRoot = SharedOptions.DataRoot();
        var pixel = SharedOptions.PixelSize("of every particle, replacing the STAR file's");
        var json = SharedOptions.Json();
        var command = new Command("refine3d", "Gold-standard 3D refinement of particles of unknown orientation from a reference: maximum-likelihood EM over HEALPix orientations and translations with adaptive oversampling and local searches (RELION's auto-refine), or projection matching.")
        {
            particles, reference, output, resume, diameter, ctf, lowpass, absolute, symmetry, order, localFrom, maxOrder, offsetRange, offsetStep, oversampling, algorithm, search, wholeSphere, tau2,
            increment, maxSignificant, maxIterations, mask, dataRoot, pixel, json,
        };
        command.SetAction(parse =>
        {
            RunSettings settings;
            string directory;
            bool continuing = parse.GetValue(resume) is not null;
            if (parse.GetValue(resume) is { } folder)
            {
                if (parse.GetValue(particles) is not null || parse.GetValue(reference) is not null)
                {
                    throw new InvalidParameterException("--continue", folder, "takes its particles and reference from the run's run.json; give neither --particles nor --reference");
                }

                directory = parse.GetValue(output) ?? folder;
                settings = ReadSettings(folder);
                if (parse.GetResult(globals.Threads) is { Implicit: false })
                {
                    settings = settings with { Threads = globals.Context(parse).Threads };
                }
            }
            else
            {
                directory = parse.GetValue(output) ?? throw new InvalidParameterException("--out", "(missing)", "is required: the folder to write the refinement into");
                string star = parse.GetValue(particles) ?? throw new InvalidParameterException("--particles", "(missing)", "is required (or --continue DIR)");
                string map = parse.GetValue(reference) ?? throw new InvalidParameterException("--reference", "(missing)", "is required: the initial map (for no reference, see abinitio)");
                settings = new RunSettings
                {
                    Particles = Path.GetFullPath(star),
                    Reference = Path.GetFullPath(map),
                    Mask = parse.GetValue(mask) is { } m ? Path.GetFullPath(m) : null,
                    DataRoot = parse.GetValue(dataRoot) is { } root ? Path.GetFullPath(root) : null,
                    PixelSizeA = parse.GetValue(pixel),
                    ParticleDiameterA = parse.GetValue(diameter),
                    Ctf = parse.GetValue(ctf),
                    InitialLowpassA = parse.GetValue(lowpass),
                    AbsoluteScale = parse.GetValue(absolute),
                    Symmetry = SymmetryGroup.Parse(parse.GetValue(symmetry)!).Name,
                    HealpixOrder = parse.GetValue(order),
                    LocalFromOrder = parse.GetValue(localFrom),
                    MaxHealpixOrder = Math.Max(parse.GetValue(maxOrder), parse.GetValue(order)),
                    OffsetRangePx = parse.GetValue(offsetRange),
                    OffsetStepPx = parse.GetValue(offsetStep),
                    Oversampling = parse.GetValue(oversampling),
                    Algorithm = ChoiceOption.NameOf(Class2DCommand.AlgorithmChoices, parse.GetValue(algorithm)),
                    Search = ChoiceOption.NameOf(SearchChoices, parse.GetValue(search)),
                    AsymmetricUnit = !parse.GetValue(wholeSphere),
                    Tau2Fudge = parse.GetValue(tau2),
                    IncrementShells = parse.GetValue(increment),
                    MaxSignificant = parse.GetValue(maxSignificant),
                    MaxIterations = parse.GetValue(maxIterations),
                    Seed = parse.GetValue(globals.Seed),
                    Threads = globals.Context(parse).Threads,
                };
            }

            var context = globals.Context(parse) with { Threads = Math.Min(settings.Threads, Environment.ProcessorCount) };
            var result = Run(settings, directory, continuing, console, context);
            return CommandOutput.Emit(console, parse.GetValue(json), result, (o, r) =>
            {
                o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{r.ParticleCount} particles refined in {r.Iterations.Count} iterations: {r.Resolution0143:0.00} Å (gold-standard FSC 0.143){(r.MaskedResolution0143 is double mr ? $", {mr:0.00} Å masked" : "")}, {r.Seconds:0.0} s"));
                o.WriteLine($"  {r.Map}\n  {r.ParticlesFile}\n  {r.Report}");
            });
        });
        return command;
    }

    /// <summary>Runs (or continues) a refinement and writes every output.</summary>
    public static Refine3DResult Run(RunSettings settings, string directory, bool continuing, CliConsole console, ComputeContext context)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(console);
        var communicator = context.Communicator;
        var clock = Stopwatch.StartNew();
        var table = ParticleTable.Load(settings.Particles, context.Communicator);
        if (!table.Columns.HasFlag(ParticleColumns.Image))
        {
            throw new InvalidFileException(settings.Particles, "needs an _rlnImageName column");
        }

        if (settings.Ctf && !table.Columns.HasFlag(ParticleColumns.Defocus))
        {
            throw new InvalidFileException(settings.Particles, "--ctf needs _rlnDefocusU/_rlnDefocusV/_rlnDefocusAngle columns");
        }

        int k = settings.Classes;
        string[] finals = [.. Enumerable.Range(0, k).Select(c => Refine3DFiles.MapName(c, k)), .. Refine3DFiles.HalfMapNames(k), Refine3DFiles.ParticlesName, "fsc.csv", "report.html", RunFileName];
        OutputSafety.RefuseOverwritingInputs(
            [(settings.Particles, "--particles"), (settings.Reference, "--reference"), (settings.Mask, "--mask"),
                .. OutputSafety.StacksOf(table, settings.Particles, settings.DataRoot, "--particles")],
            finals.Select(name => (Path.Combine(directory, name), "--out")));
        using var source = StarParticleSource.Open(table, settings.Particles, settings.DataRoot, settings.PixelSizeA);
        var reference = ReadMap(settings.Reference, source, "--reference", console);
        var solvent = settings.Mask is null ? null : ReadMap(settings.Mask, source, "--mask", console);
        var options = OptionsOf(settings, context) with { SolventMask = solvent };
        string name = k > 1 ? "class3d" : "refine3d";
        var refinement = new Refinement3D(options);
        refinement.Check(source);
        Refinement3D.CheckReference(reference, source);
        var prepared = refinement.Preprocess(source);
        // Under MPI every rank iterates (each on its share of the particles) and rank 0 alone writes; the others read a
        // run to continue only once rank 0 holds the folder and has finished any interrupted commit.
        bool writes = communicator.IsRoot;
        using var set = writes ? OutputSet.Begin(directory) : null;
        communicator.Barrier();
        string Final(string file) => set?.Final(file) ?? Path.Combine(Path.GetFullPath(directory), file);
        var imageNames = IterationFolders.ImageNames(settings.Particles, settings.DataRoot);
        Refine3DState state;
        var history = new List<Refine3DIterationStatistics>();
        int from = 0;
        if (continuing)
        {
            (state, from) = LoadLastIteration(directory, source);
            history.AddRange(ReadHistory(directory, from));
            console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}: continuing {directory} after iteration {from}"));
        }
        else
        {
            if (writes)
            {
                IterationFolders.RemoveAll(directory);
                AtomicFile.WriteAllText(Path.Combine(directory, RunFileName), JsonSerializer.Serialize(settings, Json));
            }

            console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name}: {source.Count} particles of {source.Box} px at {source.PixelSizeA:0.###} Å from {settings.Particles}, reference {settings.Reference} low-passed to {options.InitialLowpassA:0.#} Å, diameter {refinement.DiameterA(source):0} Å, {settings.Algorithm}{(k > 1 ? $", K = {k}" : "")}"));
            state = refinement.Start(prepared, Enumerable.Repeat(reference, k).ToList());
            if (writes)
            {
                WriteIteration(directory, state, source, table, imageNames, null);
            }
        }

        while (!state.Model.Finished)
        {
            Refine3DIterationStatistics stats = null!;
            var current = state;
            int it = state.Model.Iteration + 1;
            string label = string.Create(CultureInfo.InvariantCulture, $"Iteration {it}{(state.Model.FinalNext ? " (final)" : "")}, {60.0 / (1 << (state.Model.HealpixOrder + options.Oversampling)):0.##}°");
            ProgressDisplay.Run(console, label, source.Count, progress =>
            {
                (current, stats) = refinement.Iterate(prepared, current, progress);
            });
            state = current;
            history.Add(stats);
            console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"iteration {stats.Iteration}{(stats.Final ? " (final)" : "")}: {Refine3DReport.Describe(stats)} ({source.Count / Math.Max(stats.Seconds, 1e-9):0} particles/s){(communicator.IsDistributed ? $", {stats.ReduceSeconds:0.00} s adding the {communicator.Size} ranks' sums" : "")}"));
            if (writes)
            {
                WriteIteration(directory, state, source, table, imageNames, stats);
            }
        }

        var model = state.Model;
        Volume VolumeOf(float[] data) => new(model.Box, model.Box, model.Box, model.PixelSizeA, data);
        var maps = model.CombinedMaps!.Select(VolumeOf).ToList();
        var counts = new int[k];
        foreach (int assigned in state.Assignments.Class)
        {
            counts[Math.Clamp(assigned, 1, k) - 1]++;
        }

        // The report's FSC and fsc.csv are those of the largest class (the only one in a refinement).
        int main = Array.IndexOf(counts, counts.Max());
        var half1 = VolumeOf(model.HalfMaps[main][0]);
        var half2 = VolumeOf(model.HalfMaps[main][1]);
        var fsc = new FscCurve(model.HalfMapFsc[main], model.Box, model.PixelSizeA);
        var masked = solvent is null ? null : FourierShellCorrelation.ComputeMasked(half1, half2, solvent, options.Seeds.Spawn("refine3d-masked-fsc"));
        if (set is not null)
        {
            for (int cl = 0; cl < k; cl++)
            {
                MrcWriter.Write(set.Stage(Refine3DFiles.MapName(cl, k)), maps[cl]);
            }

            Refine3DFiles.WriteHalfMaps(set.Stage, model);
            Refine3DFiles.WriteParticles(set.Stage(Refine3DFiles.ParticlesName), source.Records, table, state.Assignments, source.PixelSizeA, imageNames);
            FscTable.Write(set.Stage("fsc.csv"), masked?.Corrected ?? fsc);
            var c0 = CultureInfo.InvariantCulture;
            Refine3DReport.Write(set.Stage("report.html"), name, maps, state, fsc, masked, history,
            [
                ("particles", string.Create(c0, $"{source.Count} from {settings.Particles} ({state.Assignments.Half.Count(h => h == 1)} in half 1, {state.Assignments.Half.Count(h => h == 2)} in half 2)")),
                ("box, pixel size", string.Create(c0, $"{source.Box} px, {source.PixelSizeA:0.###} Å")),
                ("reference", string.Create(c0, $"{settings.Reference}, low-passed to {settings.InitialLowpassA:0.#} Å")),
                ("algorithm", settings.Algorithm == "cc" ? "projection matching (best correlation)" : "maximum likelihood (marginalised over poses)"),
                ("pose search", settings.Search == "branch-and-bound"
                    ? string.Create(c0, $"branch and bound: {100.0 * history.Sum(h => h.CoarseEvaluated) / Math.Max(1, history.Sum(h => h.CoarseHypotheses)):0.#} % of the coarse poses scored in full")
                    : "exhaustive"),
                ("sampling", string.Create(c0, $"HEALPix order {settings.HealpixOrder} to {settings.MaxHealpixOrder}, local from order {settings.LocalFromOrder}, offsets ±{settings.OffsetRangePx:0.#} px in {settings.OffsetStepPx:0.#} px steps, oversampling {settings.Oversampling}")),
                ("CTF", settings.Ctf ? "corrected" : "ignored"),
                ("symmetry", settings.Symmetry),
                .. k > 1 ? Enumerable.Range(0, k).Select(c => (string.Create(c0, $"class {c + 1}"), string.Create(c0, $"{counts[c]} particles ({100.0 * counts[c] / source.Count:0.0} %), {new FscCurve(model.HalfMapFsc[c], model.Box, model.PixelSizeA).DescribeResolution(0.143)}"))) : [],
            ]);
            set.Commit();
        }

        static double? Known(double value) => double.IsNaN(value) ? null : value;
        var summaries = history.Select(h => new IterationSummary(h.Iteration, h.Seconds, h.ResolutionA, h.AngularStepDeg, h.Local, Known(h.ChangedOrientationsDeg),
            Known(h.ChangedOffsetsPx), h.RadiusPx, h.Final, h.CoarseHypotheses > 0 ? (double)h.CoarseEvaluated / h.CoarseHypotheses : null)).ToList();
        var classes = k == 1 ? null : Enumerable.Range(0, k).Select(cl => new ClassSummary(cl + 1, Final(Refine3DFiles.MapName(cl, k)), counts[cl],
            model.ClassPriors[cl], new FscCurve(model.HalfMapFsc[cl], model.Box, model.PixelSizeA).Resolution(0.143))).ToList();
        return new Refine3DResult(Final(Refine3DFiles.MapName(main, k)), Final(Refine3DFiles.HalfMapName(main, 1, k)), Final(Refine3DFiles.HalfMapName(main, 2, k)),
            Final(Refine3DFiles.ParticlesName), Final("fsc.csv"), Final("report.html"), source.Count, source.Box, source.PixelSizeA, fsc.Resolution(0.143),
            fsc.Resolution(0.5), masked?.Corrected.Resolution(0.143), summaries, clock.Elapsed.TotalSeconds, from, classes);
    }

    /// <summary>Reads a map that must match the particles; a header without a pixel size takes the particles' (and says so).</summary>
    private static Volume ReadMap(string path, IParticleSource source, string option, CliConsole console)
    {
        using var reader = new MrcReader(path);
        var volume = reader.ReadVolume();
        if (!(reader.PixelSizeA > 0))
        {
            console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"refine3d: {path} gives no pixel size; taking the particles' {source.PixelSizeA:0.####} Å"));
            volume = new Volume(volume.Nx, volume.Ny, volume.Nz, source.PixelSizeA, volume.Data);
        }

        Refinement3D.CheckReference(volume, source, option);
        return volume;
    }

    private static Refine3DOptions OptionsOf(RunSettings s, ComputeContext context) => new()
    {
        ParticleDiameterA = s.ParticleDiameterA,
        Ctf = s.Ctf,
        InitialLowpassA = s.InitialLowpassA,
        ReferenceOnAbsoluteScale = s.AbsoluteScale,
        Symmetry = SymmetryGroup.Parse(s.Symmetry),
        HealpixOrder = s.HealpixOrder,
        LocalFromOrder = s.LocalFromOrder,
        MaxHealpixOrder = s.MaxHealpixOrder,
        OffsetRangePx = s.OffsetRangePx,
        OffsetStepPx = s.OffsetStepPx,
        Oversampling = s.Oversampling,
        Algorithm = ChoiceOption.ValueOf(Class2DCommand.AlgorithmChoices, s.Algorithm, "--algorithm"),
        AsymmetricUnit = s.AsymmetricUnit,
        Search = ChoiceOption.ValueOf(SearchChoices, s.Search, "--search"),
        Tau2Fudge = s.Tau2Fudge,
        IncrementShells = s.IncrementShells,
        MaxSignificant = s.MaxSignificant,
        MaxIterations = s.MaxIterations,
        FixedIterations = s.FixedIterations,
        SeedClassesFromSubsets = s.Classes > 1,
        Seeds = new SeedSequence(s.Seed),
        Context = context,
    };

    private static void WriteIteration(string directory, Refine3DState state, StarParticleSource source, ParticleTable table, Func<string, string> imageNames,
        Refine3DIterationStatistics? stats)
    {
        using var set = OutputSet.Begin(IterationFolders.Folder(directory, state.Model.Iteration));
        Refine3DFiles.WriteHalfMaps(set.Stage, state.Model);
        Refine3DFiles.WriteModel(set.Stage(Refine3DFiles.ModelName), state.Model);
        Refine3DFiles.WriteParticles(set.Stage(Refine3DFiles.ParticlesName), source.Records, table, state.Assignments, source.PixelSizeA, imageNames);
        if (state.Model.CombinedMaps is { } maps)
        {
            for (int c = 0; c < maps.Length; c++)
            {
                MrcWriter.Write(set.Stage(Refine3DFiles.MapName(c, maps.Length)), new Volume(state.Model.Box, state.Model.Box, state.Model.Box, state.Model.PixelSizeA, maps[c]));
            }
        }

        if (stats is not null)
        {
            AtomicFile.WriteAllText(set.Stage(IterationStatisticsName), JsonSerializer.Serialize(stats, Json));
        }

        set.Commit();
    }

    private static bool Complete(string folder) =>
        File.Exists(Path.Combine(folder, Refine3DFiles.ModelName)) && File.Exists(Path.Combine(folder, Refine3DFiles.ParticlesName));

    private static (Refine3DState State, int Iteration) LoadLastIteration(string directory, StarParticleSource source)
    {
        var last = IterationFolders.All(directory).Where(x => Complete(x.Folder)).ToList();
        if (last.Count == 0)
        {
            throw new InvalidParameterException("--continue", directory, "holds no complete iteration (iterNNN/ with model.json, the half maps and particles.star)");
        }

        var (iteration, folder) = last[^1];
        var model = Refine3DFiles.ReadModel(Path.Combine(folder, Refine3DFiles.ModelName));
        if (model.Box != source.Box)
        {
            throw new InvalidFileException(Path.Combine(folder, Refine3DFiles.ModelName), $"describes maps of {model.Box} px; the particles have {source.Box} px");
        }

        if (model.Finished)
        {
            // The final iteration's maps are in the folder: rebuild the outputs from them.
            var maps = new float[model.ClassCount][];
            for (int c = 0; c < maps.Length; c++)
            {
                maps[c] = MrcReader.ReadVolume(Path.Combine(folder, Refine3DFiles.MapName(c, model.ClassCount))).Data;
            }

            model = model with { CombinedMaps = maps };
        }

        var assignments = Refine3DFiles.ReadAssignments(Path.Combine(folder, Refine3DFiles.ParticlesName), source.Count, source.PixelSizeA);
        return (new Refine3DState(model, assignments), iteration);
    }

    private static IEnumerable<Refine3DIterationStatistics> ReadHistory(string directory, int upTo)
    {
        foreach (var (iteration, folder) in IterationFolders.All(directory))
        {
            string file = Path.Combine(folder, IterationStatisticsName);
            if (iteration >= 1 && iteration <= upTo && File.Exists(file) &&
                JsonSerializer.Deserialize<Refine3DIterationStatistics>(File.ReadAllText(file), Json) is { } stats)
            {
                yield return stats;
            }
        }
    }

    internal static RunSettings ReadSettings(string folder)
    {
        string file = Path.Combine(folder, RunFileName);
        if (!File.Exists(file))
        {
            throw new InvalidParameterException("--continue", folder, $"has no {RunFileName}: it is not a refine3d output folder");
        }

        try
        {
            return JsonSerializer.Deserialize<RunSettings>(File.ReadAllText(file), Json) ?? throw new InvalidFileException(file, "is empty");
        }
        catch (JsonException e)
        {
            throw new InvalidFileException(file, $"is not a refine3d run file ({e.Message})");
        }
    }
}
