using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using CryoSharp.Cli.Options;
using CryoSharp.Geometry;
using CryoSharp.IO;
using CryoSharp.IO.Star;
using CryoSharp.Numerics;
using CryoSharp.Particles;
using CryoSharp.Refinement;

namespace CryoSharp.Cli.Commands;

/// <summary>
/// <c>cryosharp abinitio</c>: a 3D map (or K) from particles alone, no reference, by stochastic gradient descent
/// (cryoSPARC's ab initio), with checkpoints under <c>DIR/iterNNN/</c> and <c>--continue</c>.
/// </summary>
public static class AbInitioCommand
{
    /// <summary>The settings of a run, saved as DIR/run.json so that <c>--continue DIR</c> needs nothing else.</summary>
    public sealed record RunSettings
    {
        /// <summary>The particles' STAR file, absolute.</summary>
        public required string Particles { get; init; }

        /// <summary>--data-root, absolute, or null.</summary>
        public string? DataRoot { get; init; }

        /// <summary>--pixel-size, or null.</summary>
        public double? PixelSizeA { get; init; }

        /// <summary>The library's settings (everything but the seed and threads, which follow).</summary>
        public required AbInitioSettings Settings { get; init; }

        /// <summary>Iterations between checkpoints.</summary>
        public int CheckpointEvery { get; init; } = 10;

        /// <summary>--seed.</summary>
        public long Seed { get; init; }

        /// <summary>--threads.</summary>
        public int Threads { get; init; }
    }

    /// <summary>The options of <see cref="AbInitioOptions"/> that a run file keeps.</summary>
    public sealed record AbInitioSettings(int Classes, double? ParticleDiameterA, bool Ctf, string Symmetry, double InitialResolutionA, double FinalResolutionA,
        int Iterations, int InitialMinibatch, int FinalMinibatch, double LearningRate, double Momentum, double InitialNoiseScale, int MaxHealpixOrder,
        double OffsetRangePx, double OffsetStepPx, int MaxSignificant, int? MaxParticles, int? WorkingBox, string Search = "exhaustive");

    /// <summary>One class of the result.</summary>
    public sealed record ClassSummary(int Class, string Map, int Particles);

    /// <summary>What a run produced.</summary>
    public sealed record AbInitioRunResult(string Map, string ParticlesFile, string Report, int ParticleCount, int Box, double PixelSize, int WorkingBox,
        double WorkingPixelSize, double ResolutionA, IReadOnlyList<AbInitioIterationStatistics> Iterations, double Seconds, int ContinuedFrom, IReadOnlyList<ClassSummary> Classes);

    private const string RunFileName = "run.json";
    private const string HistoryName = "history.json";
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
        var d = new AbInitioOptions();
        var particles = new Option<string?>("--particles", "-i") { Description = "RELION STAR file of the particles (not needed with --continue)." };
        var output = new Option<string?>("--out", "-o") { Description = "Output folder: map.mrc (classNNN.mrc with --classes > 1), particles.star, report.html, run.json, iterNNN/ checkpoints." };
        var resume = new Option<string?>("--continue") { Description = "Continue the run in this folder from its last checkpoint (its run.json gives every setting)." };
        var classes = new Option<int>("--classes", "-K") { Description = "Number of maps grown together (cryoSPARC's multi-class ab initio).", DefaultValueFactory = _ => d.Classes };
        var diameter = new Option<double?>("--particle-diameter") { Description = "Particle diameter in Å: images and maps are masked to it [default: 90 % of the box]." };
        var ctf = SharedOptions.CorrectCtf();
        var symmetry = new Option<string>("--symmetry", "--sym") { Description = "Point group imposed on every update (RELION's names); C1 unless the symmetry is known.", DefaultValueFactory = _ => "C1" };
        var initial = new Option<double>("--initial-resolution") { Description = "Resolution of the first iterations, Å.", DefaultValueFactory = _ => d.InitialResolutionA };
        var final = new Option<double>("--final-resolution") { Description = "Resolution of the last iterations, Å; sets the working box (Nyquist there).", DefaultValueFactory = _ => d.FinalResolutionA };
        var iterations = new Option<int>("--iterations") { Description = "SGD iterations, one minibatch each.", DefaultValueFactory = _ => d.Iterations };
        var minibatch0 = new Option<int>("--initial-minibatch") { Description = "Particles per minibatch at first.", DefaultValueFactory = _ => d.InitialMinibatch };
        var minibatch1 = new Option<int>("--final-minibatch") { Description = "Particles per minibatch at the end.", DefaultValueFactory = _ => d.FinalMinibatch };
        var rate = new Option<double>("--learning-rate") { Description = "Step along the preconditioned gradient (1 = jump to the minibatch's reconstruction); annealed to a fifth over the last quarter.", DefaultValueFactory = _ => d.LearningRate };
        var momentum = new Option<double>("--momentum") { Description = "Fraction of the previous step carried into the next.", DefaultValueFactory = _ => d.Momentum };
        var noise = new Option<double>("--initial-noise-scale") { Description = "The noise σ² is multiplied by this at first, falling to 1 (annealing).", DefaultValueFactory = _ => d.InitialNoiseScale };
        var maxOrder = new Option<int>("--max-healpix-order") { Description = "The finest HEALPix order searched (global searches; 2 = 7.5° after oversampling).", DefaultValueFactory = _ => d.MaxHealpixOrder };
        var offsetRange = new Option<double>("--offset-range") { Description = "Translations searched within this many pixels (of the particles' box) of each particle's last offset.", DefaultValueFactory = _ => d.OffsetRangePx };
        var offsetStep = new Option<double>("--offset-step") { Description = "Translation step in pixels of the particles' box.", DefaultValueFactory = _ => d.OffsetStepPx };
        var maxSignificant = new Option<int>("--max-significant") { Description = "The most coarse hypotheses per particle refined in the fine pass.", DefaultValueFactory = _ => d.MaxSignificant };
        var maxParticles = new Option<int?>("--max-particles") { Description = "Use at most this many particles (a seeded random subset) [default: all]." };
        var search = Refine3DCommand.SearchOption();
        var workingBox = new Option<int?>("--working-box") { Description = "Working box in pixels [default: Nyquist at --final-resolution]." };
        var checkpoint = new Option<int>("--checkpoint-every") { Description = "Write a checkpoint (iterNNN/) every this many iterations.", DefaultValueFactory = _ => 10 };
        var dataRoot = SharedOptions.DataRoot();
        var pixel = SharedOptions.PixelSize("of every particle, replacing the STAR file's");
        var json = SharedOptions.Json();
        var command = new Command("abinitio", "A 3D map from particles of unknown orientation with no reference: stochastic gradient descent on the likelihood from random starts, poses marginalised per minibatch (cryoSPARC's ab initio).")
        {
            particles, output, resume, classes, diameter, ctf, symmetry, initial, final, iterations, minibatch0, minibatch1, rate, momentum, noise, maxOrder,
            offsetRange, offsetStep, maxSignificant, search, maxParticles, workingBox, checkpoint, dataRoot, pixel, json,
        };
        command.SetAction(parse =>
        {
            RunSettings settings;
            string directory;
            bool continuing = parse.GetValue(resume) is not null;
            if (parse.GetValue(resume) is { } folder)
            {
                if (parse.GetValue(particles) is not null)
                {
                    throw new InvalidParameterException("--continue", folder, "takes its particles from the run's run.json; do not give --particles");
                }

                directory = parse.GetValue(output) ?? folder;
                settings = ReadSettings(folder);
            }
            else
            {
                directory = parse.GetValue(output) ?? throw new InvalidParameterException("--out", "(missing)", "is required: the folder to write the map into");
                string star = parse.GetValue(particles) ?? throw new InvalidParameterException("--particles", "(missing)", "is required (or --continue DIR)");
                int every = parse.GetValue(checkpoint);
                if (every < 1)
                {
                    throw new InvalidParameterException("--checkpoint-every", every, "must be at least 1");
                }

                settings = new RunSettings
                {
                    Particles = Path.GetFullPath(star),
                    DataRoot = parse.GetValue(dataRoot) is { } root ? Path.GetFullPath(root) : null,
                    PixelSizeA = parse.GetValue(pixel),
                    Settings = new AbInitioSettings(parse.GetValue(classes), parse.GetValue(diameter), parse.GetValue(ctf), SymmetryGroup.Parse(parse.GetValue(symmetry)!).Name,
                        parse.GetValue(initial), parse.GetValue(final), parse.GetValue(iterations), parse.GetValue(minibatch0), parse.GetValue(minibatch1),
                        parse.GetValue(rate), parse.GetValue(momentum), parse.GetValue(noise), parse.GetValue(maxOrder), parse.GetValue(offsetRange),
                        parse.GetValue(offsetStep), parse.GetValue(maxSignificant), parse.GetValue(maxParticles), parse.GetValue(workingBox),
                        ChoiceOption.NameOf(Refine3DCommand.SearchChoices, parse.GetValue(search))),
                    CheckpointEvery = every,
                    Seed = parse.GetValue(globals.Seed),
                    Threads = globals.Context(parse).Threads,
                };
            }

            var context = globals.Context(parse) with { Threads = Math.Min(settings.Threads, Environment.ProcessorCount) };
            var result = Run(settings, directory, continuing, console, context);
            return CommandOutput.Emit(console, parse.GetValue(json), result, (o, r) =>
            {
                o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{r.ParticleCount} particles, {r.Iterations.Count} iterations on a {r.WorkingBox} px working box, maps at {r.ResolutionA:0.#} Å, {r.Seconds:0.0} s"));
                foreach (var c in r.Classes)
                {
                    o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  class {c.Class}: {c.Particles} particles  {c.Map}"));
                }

                o.WriteLine($"  {r.ParticlesFile}\n  {r.Report}");
            });
        });
        return command;
    }

    /// <summary>The library options of a run.</summary>
    public static AbInitioOptions OptionsOf(RunSettings settings, ComputeContext context)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var s = settings.Settings;
        return new AbInitioOptions
        {
            Classes = s.Classes,
            ParticleDiameterA = s.ParticleDiameterA,
            Ctf = s.Ctf,
            Symmetry = SymmetryGroup.Parse(s.Symmetry),
            InitialResolutionA = s.InitialResolutionA,
            FinalResolutionA = s.FinalResolutionA,
            Iterations = s.Iterations,
            InitialMinibatch = s.InitialMinibatch,
            FinalMinibatch = s.FinalMinibatch,
            LearningRate = s.LearningRate,
            Momentum = s.Momentum,
            InitialNoiseScale = s.InitialNoiseScale,
            MaxHealpixOrder = s.MaxHealpixOrder,
            OffsetRangePx = s.OffsetRangePx,
            OffsetStepPx = s.OffsetStepPx,
            MaxSignificant = s.MaxSignificant,
            Search = ChoiceOption.ValueOf(Refine3DCommand.SearchChoices, s.Search, "--search"),
            MaxParticles = s.MaxParticles,
            WorkingBox = s.WorkingBox,
            Seeds = new SeedSequence(settings.Seed),
            Context = context,
        };
    }

    /// <summary>Runs (or continues) an ab initio reconstruction and writes every output.</summary>
    public static AbInitioRunResult Run(RunSettings settings, string directory, bool continuing, CliConsole console, ComputeContext context)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(console);
        var clock = Stopwatch.StartNew();
        var table = ParticleTable.Load(settings.Particles, context.Communicator);
        if (!table.Columns.HasFlag(ParticleColumns.Image))
        {
            throw new InvalidFileException(settings.Particles, "needs an _rlnImageName column");
        }

        if (settings.Settings.Ctf && !table.Columns.HasFlag(ParticleColumns.Defocus))
        {
            throw new InvalidFileException(settings.Particles, "--ctf needs _rlnDefocusU/_rlnDefocusV/_rlnDefocusAngle columns");
        }

        var options = OptionsOf(settings, context);
        var abinitio = new AbInitio(options);
        int k = options.Classes;
        string[] finals = [.. MapNames(k), Refine3DFiles.ParticlesName, "report.html", RunFileName];
        OutputSafety.RefuseOverwritingInputs(
            [(settings.Particles, "--particles"), .. OutputSafety.StacksOf(table, settings.Particles, settings.DataRoot, "--particles")],
            finals.Select(name => (Path.Combine(directory, name), "--out")));
        using var source = StarParticleSource.Open(table, settings.Particles, settings.DataRoot, settings.PixelSizeA);
        abinitio.Check(source);
        int used = Math.Min(source.Count, options.MaxParticles ?? source.Count);
        AbInitioParticles prepared = null!;
        var communicator = context.Communicator;
        ProgressDisplay.Run(console, "Preparing particles", communicator.Share(used).Count, progress => prepared = abinitio.Prepare(source, progress));
        var working = prepared.Working;

        // Under MPI every rank iterates (each scoring its share of every minibatch) and rank 0 alone writes; the others
        // read a run to continue only once rank 0 holds the folder and has finished any interrupted commit.
        bool writes = communicator.IsRoot;
        using var set = writes ? OutputSet.Begin(directory) : null;
        communicator.Barrier();
        string Final(string file) => set?.Final(file) ?? Path.Combine(Path.GetFullPath(directory), file);
        AbInitioState state;
        var history = new List<AbInitioIterationStatistics>();
        int from = 0;
        var c0 = CultureInfo.InvariantCulture;
        if (continuing)
        {
            var last = IterationFolders.All(directory).Where(x => AbInitioFiles.IsComplete(x.Folder)).ToList();
            if (last.Count == 0)
            {
                throw new InvalidParameterException("--continue", directory, "holds no complete checkpoint (iterNNN/ with model.json and particles.star)");
            }

            state = AbInitioFiles.Read(last[^1].Folder, prepared);
            from = state.Model.Iteration;
            history.AddRange(ReadHistory(last[^1].Folder));
            console.Error.WriteLine(string.Create(c0, $"abinitio: continuing {directory} after iteration {from}"));
        }
        else
        {
            if (writes)
            {
                IterationFolders.RemoveAll(directory);
                AtomicFile.WriteAllText(Path.Combine(directory, RunFileName), JsonSerializer.Serialize(settings, Json));
            }

            console.Error.WriteLine(string.Create(c0,
                $"abinitio: {used} of {source.Count} particles of {source.Box} px at {source.PixelSizeA:0.###} Å from {settings.Particles}, working box {working.Box} px at {working.PixelSizeA:0.###} Å, diameter {abinitio.DiameterA(source):0} Å, K = {k}, {options.Iterations} iterations"));
            state = abinitio.Start(prepared);
        }

        var current = state;
        ProgressDisplay.Run(console, "SGD iterations", options.Iterations, progress =>
        {
            progress.Report(current.Model.Iteration);
            while (current.Model.Iteration < options.Iterations)
            {
                var (next, stats) = abinitio.Iterate(prepared, current);
                current = next;
                history.Add(stats);
                progress.Report(stats.Iteration);
                if (stats.Iteration == 1 || stats.Iteration % 10 == 0 || stats.Iteration == options.Iterations)
                {
                    console.Error.WriteLine(string.Create(c0,
                        $"iteration {stats.Iteration}: {AbInitioReport.Describe(stats)}{(communicator.IsDistributed ? $", {stats.ReduceSeconds:0.00} s adding the {communicator.Size} ranks' sums" : "")}"));
                }

                if (writes && (stats.Iteration % settings.CheckpointEvery == 0 || stats.Iteration == options.Iterations))
                {
                    WriteCheckpoint(directory, current, prepared, history);
                }
            }
        });
        state = current;

        AbInitioResult result = null!;
        ProgressDisplay.Run(console, "Final poses", communicator.Share(working.Count).Count, progress => result = abinitio.Finish(prepared, state, progress));
        var names = MapNames(k).ToArray();
        var classes = Enumerable.Range(0, k).Select(c => new ClassSummary(c + 1, Final(names[c]), result.ClassCounts[c])).ToList();
        var summary = new AbInitioRunResult(Final("map.mrc"), Final(Refine3DFiles.ParticlesName), Final("report.html"), used, source.Box, source.PixelSizeA,
            working.Box, working.PixelSizeA, result.ResolutionA, history, clock.Elapsed.TotalSeconds, from, classes);
        if (set is null)
        {
            return summary;
        }

        for (int c = 0; c < k; c++)
        {
            MrcWriter.Write(set.Stage(names[c]), result.Maps[c]);
        }

        int main = Array.IndexOf(result.ClassCounts, result.ClassCounts.Max());
        if (k > 1)
        {
            MrcWriter.Write(set.Stage("map.mrc"), result.Maps[main]);
        }

        var records = prepared.Used.Select(i => source.Records[i]).ToList();
        ParticleTable? template = null;
        if (prepared.Used.Length == table.Count)
        {
            template = table;
        }
        else
        {
            template = ParticleTable.FromDocument(table.ToDocument());
            var keep = new HashSet<int>(prepared.Used);
            var rows = template.Particles.Where((_, i) => keep.Contains(i)).ToList();
            template.Particles.Clear();
            template.Particles.AddRange(rows);
        }

        Refine3DFiles.WriteParticles(set.Stage(Refine3DFiles.ParticlesName), records, template, result.Assignments, source.PixelSizeA,
            IterationFolders.ImageNames(settings.Particles, settings.DataRoot));
        var s = settings.Settings;
        AbInitioReport.Write(set.Stage("report.html"), result, history,
        [
            ("particles", string.Create(c0, $"{used} of {source.Count} from {settings.Particles}")),
            ("box, pixel size", string.Create(c0, $"{source.Box} px, {source.PixelSizeA:0.###} Å (working box {working.Box} px, {working.PixelSizeA:0.###} Å)")),
            ("schedule", string.Create(c0, $"{s.Iterations} iterations, {s.InitialResolutionA:0.#} → {s.FinalResolutionA:0.#} Å, minibatch {s.InitialMinibatch} → {s.FinalMinibatch}, σ² × {s.InitialNoiseScale:0.#} → 1, step {s.LearningRate:0.##}, momentum {s.Momentum:0.##}")),
            ("sampling", string.Create(c0, $"global, HEALPix order up to {s.MaxHealpixOrder} with oversampling, offsets ±{s.OffsetRangePx:0.#} px in {s.OffsetStepPx:0.#} px steps, {(s.Search == "branch-and-bound" ? "branch and bound" : "exhaustive")}")),
            ("CTF", s.Ctf ? "corrected" : "ignored"),
            ("symmetry", s.Symmetry),
        ]);
        set.Commit();
        return summary with { Seconds = clock.Elapsed.TotalSeconds };
    }

    private static IEnumerable<string> MapNames(int k) => k == 1 ? ["map.mrc"] : Enumerable.Range(0, k).Select(c => string.Create(CultureInfo.InvariantCulture, $"class{c + 1:D3}.mrc"));

    private static void WriteCheckpoint(string directory, AbInitioState state, AbInitioParticles particles, List<AbInitioIterationStatistics> history)
    {
        using var set = OutputSet.Begin(IterationFolders.Folder(directory, state.Model.Iteration));
        AbInitioFiles.Write(set.Stage, state, particles);
        AtomicFile.WriteAllText(set.Stage(HistoryName), JsonSerializer.Serialize(history, Json));
        set.Commit();
    }

    private static IEnumerable<AbInitioIterationStatistics> ReadHistory(string folder)
    {
        string file = Path.Combine(folder, HistoryName);
        return File.Exists(file) ? JsonSerializer.Deserialize<List<AbInitioIterationStatistics>>(File.ReadAllText(file), Json) ?? [] : [];
    }

    private static RunSettings ReadSettings(string folder)
    {
        string file = Path.Combine(folder, RunFileName);
        if (!File.Exists(file))
        {
            throw new InvalidParameterException("--continue", folder, $"has no {RunFileName}: it is not an abinitio output folder");
        }

        try
        {
            return JsonSerializer.Deserialize<RunSettings>(File.ReadAllText(file), Json) ?? throw new InvalidFileException(file, "is empty");
        }
        catch (JsonException e)
        {
            throw new InvalidFileException(file, $"is not an abinitio run file ({e.Message})");
        }
    }
}
