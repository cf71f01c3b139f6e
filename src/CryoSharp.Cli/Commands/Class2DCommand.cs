using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using CryoSharp.Classification;
using CryoSharp.Cli.Options;
using CryoSharp.IO;
using CryoSharp.IO.Star;
using CryoSharp.Numerics;
using CryoSharp.Particles;

namespace CryoSharp.Cli.Commands;

/// <summary>
/// <c>cryosharp class2d</c>: reference-free 2D classification (maximum likelihood as RELION's Class2D, or template
/// matching), with per-iteration results under <c>DIR/iterNNN/</c> and <c>--continue</c>.
/// </summary>
public static class Class2DCommand
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

        /// <summary>Number of classes.</summary>
        public int Classes { get; init; }

        /// <summary>Iterations asked for.</summary>
        public int Iterations { get; init; }

        /// <summary>Particle diameter in Å, or null.</summary>
        public double? ParticleDiameterA { get; init; }

        /// <summary>Model the CTF.</summary>
        public bool Ctf { get; init; }

        /// <summary>T.</summary>
        public double Tau2Fudge { get; init; }

        /// <summary>ψ step in degrees.</summary>
        public double PsiStepDeg { get; init; }

        /// <summary>Offset range in pixels.</summary>
        public double OffsetRangePx { get; init; }

        /// <summary>Offset step in pixels.</summary>
        public double OffsetStepPx { get; init; }

        /// <summary>Oversampling order.</summary>
        public int Oversampling { get; init; }

        /// <summary>"ml" or "cc".</summary>
        public required string Algorithm { get; init; }

        /// <summary>Shells added beyond the resolution.</summary>
        public int IncrementShells { get; init; }

        /// <summary>First iteration's resolution limit in Å, or null.</summary>
        public double? InitialResolutionA { get; init; }

        /// <summary>Centre the classes.</summary>
        public bool CenterClasses { get; init; }

        /// <summary>"exhaustive" or "branch-and-bound" (--search).</summary>
        public string Search { get; init; } = "exhaustive";

        /// <summary>Correct each micrograph group's intensity scale (--scale).</summary>
        public bool ScaleCorrection { get; init; }

        /// <summary>--seed.</summary>
        public long Seed { get; init; }

        /// <summary>--threads (results are repeated exactly with the same count).</summary>
        public int Threads { get; init; }
    }

    /// <summary>What a classification produced.</summary>
    public sealed record Class2DResult(string ClassesFile, string Model, string ParticlesFile, string Report, int ParticleCount, int Box, double PixelSize,
        IReadOnlyList<ClassSummary> Classes, IReadOnlyList<Class2DIterationStatistics> Iterations, double Seconds, int ContinuedFrom);

    /// <summary>One class in the result.</summary>
    public sealed record ClassSummary(int Class, int Particles, double Distribution, double Resolution);

    /// <summary>The algorithms by name.</summary>
    public static readonly (string Name, SearchAlgorithm Value)[] AlgorithmChoices = [("ml", SearchAlgorithm.MaximumLikelihood), ("cc", SearchAlgorithm.CrossCorrelation)];

    private const string RunFileName = "run.json";
    private const string IterationStatisticsName = "iteration.json";
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>Builds the command.</summary>
    public static Command Create(GlobalOptions globals, CliConsole console)
    {
        ArgumentNullException.ThrowIfNull(globals);
        var defaults = new Class2DOptions();
        var particles = new Option<string?>("--particles", "-i") { Description = "RELION STAR file (3.0 or 3.1) of the particles to classify (not needed with --continue)." };
        var output = new Option<string?>("--out", "-o")
        {
            Description = "Output folder (created if needed): classes.mrcs, model.star, particles.star, report.html, run.json, and iterNNN/ after every iteration.",
        };
        var resume = new Option<string?>("--continue") { Description = "Continue the run in this folder from its last complete iteration (its run.json gives every setting; --iterations may raise the count)." };
        var classes = new Option<int?>("--classes", "-K") { Description = "Number of classes (RELION's --K)." };
        var iterations = new Option<int?>("--iterations") { Description = $"EM iterations (RELION's --iter) [default: {defaults.Iterations}]." };
        var diameter = new Option<double?>("--particle-diameter") { Description = "Particle diameter in Å: images and averages are masked to it and normalised outside it [default: 90 % of the box]." };
        var ctf = SharedOptions.CorrectCtf();
        var tau2 = new Option<double>("--tau2-fudge") { Description = "Regularisation T in σ²/(T·τ²); larger trusts the data more.", DefaultValueFactory = _ => defaults.Tau2Fudge };
        var psiStep = new Option<double>("--psi-step") { Description = "In-plane angular step of the coarse search, in degrees.", DefaultValueFactory = _ => defaults.PsiStepDeg };
        var offsetRange = new Option<double>("--offset-range") { Description = "Translations searched within this many pixels of each particle's previous offset.", DefaultValueFactory = _ => defaults.OffsetRangePx };
        var offsetStep = new Option<double>("--offset-step") { Description = "Translation step of the coarse search, in pixels.", DefaultValueFactory = _ => defaults.OffsetStepPx };
        var oversampling = new Option<int>("--oversampling") { Description = "Adaptive oversampling order: the fine pass halves both steps this many times.", DefaultValueFactory = _ => defaults.Oversampling };
        var algorithm = ChoiceOption.Create("--algorithm", "ml: maximum likelihood (RELION); cc: template matching (best cross-correlation, hard assignment).",
            AlgorithmChoices, SearchAlgorithm.MaximumLikelihood);
        var initial = new Option<double?>("--initial-resolution") { Description = "Resolution limit of the first iteration, in Å [default: 4 pixels, a quarter of the box's frequencies]." };
        var increment = new Option<int>("--increment-shells") { Description = "Fourier shells used beyond each iteration's estimated resolution (RELION's incr_size).", DefaultValueFactory = _ => defaults.IncrementShells };
        var noCenter = new Option<bool>("--dont-center") { Description = "Do not move each class's centre of mass to the box centre after every iteration." };
        var search = Refine3DCommand.SearchOption();
        var scale = new Option<bool>("--scale")
        {
            Description = "Correct the intensity scale of each micrograph's particles (rlnMicrographName; RELION's --scale): the references are " +
                "multiplied by a scale per micrograph, estimated every iteration by least squares and normalised to a mean of 1 (model.star's model_groups).",
        };
        var dataRoot = SharedOptions.DataRoot();
        var pixel = SharedOptions.PixelSize("of every particle, replacing the STAR file's");
        var compare = new Option<string?>("--compare-classes") { Description = "Another program's class averages (an MRC stack, e.g. RELION's run_it025_classes.mrcs; a _model.star beside it gives their sizes) to show beside ours in the report." };
        var json = SharedOptions.Json();
        var command = new Command("class2d", "Reference-free 2D classification of particles: maximum-likelihood EM over classes, in-plane angles and translations with adaptive oversampling (RELION's Class2D), or template matching.")
        {
            particles, output, resume, classes, iterations, diameter, ctf, tau2, psiStep, offsetRange, offsetStep, oversampling, algorithm, initial, increment,
            noCenter, search, scale, dataRoot, pixel, compare, json,
        };
        command.SetAction(parse =>
        {
            RunSettings settings;
            string directory;
            bool continuing = parse.GetValue(resume) is not null;
            if (parse.GetValue(resume) is { } folder)
            {
                if (parse.GetValue(particles) is not null || parse.GetValue(classes) is not null)
                {
                    throw new InvalidParameterException("--continue", folder, "takes its particles and classes from the run's run.json; give neither --particles nor --classes");
                }

                directory = parse.GetValue(output) ?? folder;
                settings = ReadSettings(folder);
                if (parse.GetValue(iterations) is int more)
                {
                    settings = settings with { Iterations = more };
                }

                if (parse.GetResult(globals.Threads) is { Implicit: false })
                {
                    settings = settings with { Threads = globals.Context(parse).Threads };
                }
            }
            else
            {
                directory = parse.GetValue(output) ?? throw new InvalidParameterException("--out", "(missing)", "is required: the folder to write the classification into");
                string star = parse.GetValue(particles) ?? throw new InvalidParameterException("--particles", "(missing)", "is required (or --continue DIR)");
                int k = parse.GetValue(classes) ?? throw new InvalidParameterException("--classes", "(missing)", "is required: the number of classes (RELION's --K)");
                settings = new RunSettings
                {
                    Particles = Path.GetFullPath(star),
                    DataRoot = parse.GetValue(dataRoot) is { } root ? Path.GetFullPath(root) : null,
                    PixelSizeA = parse.GetValue(pixel),
                    Classes = k,
                    Iterations = parse.GetValue(iterations) ?? defaults.Iterations,
                    ParticleDiameterA = parse.GetValue(diameter),
                    Ctf = parse.GetValue(ctf),
                    Tau2Fudge = parse.GetValue(tau2),
                    PsiStepDeg = parse.GetValue(psiStep),
                    OffsetRangePx = parse.GetValue(offsetRange),
                    OffsetStepPx = parse.GetValue(offsetStep),
                    Oversampling = parse.GetValue(oversampling),
                    Algorithm = ChoiceOption.NameOf(AlgorithmChoices, parse.GetValue(algorithm)),
                    IncrementShells = parse.GetValue(increment),
                    InitialResolutionA = parse.GetValue(initial),
                    CenterClasses = !parse.GetValue(noCenter),
                    ScaleCorrection = parse.GetValue(scale),
                    Search = ChoiceOption.NameOf(Refine3DCommand.SearchChoices, parse.GetValue(search)),
                    Seed = parse.GetValue(globals.Seed),
                    Threads = globals.Context(parse).Threads,
                };
            }

            var context = globals.Context(parse) with { Threads = Math.Min(settings.Threads, Environment.ProcessorCount) };
            var result = Run(settings, directory, continuing, console, context, parse.GetValue(compare));
            return CommandOutput.Emit(console, parse.GetValue(json), result, (o, r) =>
            {
                var last = r.Iterations.Count > 0 ? r.Iterations[^1] : null;
                o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{r.ParticleCount} particles in {r.Classes.Count} classes after {last?.Iteration ?? 0} iterations: best class {r.Classes.Min(c => c.Resolution):0.0} Å, {last?.ChangedFraction ?? 0:0.000} changing, {r.Seconds:0.0} s"));
                o.WriteLine($"  {r.ClassesFile}\n  {r.ParticlesFile}\n  {r.Report}");
            });
        });
        return command;
    }

    /// <summary>Runs (or continues) a classification and writes every output.</summary>
    public static Class2DResult Run(RunSettings settings, string directory, bool continuing, CliConsole console, ComputeContext context, string? compareClasses = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(console);
        var clock = Stopwatch.StartNew();
        var communicator = context.Communicator;
        var options = OptionsOf(settings, context);
        options.Validate();
        var table = ParticleTable.Load(settings.Particles, context.Communicator);
        if (!table.Columns.HasFlag(ParticleColumns.Image))
        {
            throw new InvalidFileException(settings.Particles, "needs an _rlnImageName column");
        }

        if (options.Ctf && !table.Columns.HasFlag(ParticleColumns.Defocus))
        {
            throw new InvalidFileException(settings.Particles, "--ctf needs _rlnDefocusU/_rlnDefocusV/_rlnDefocusAngle columns");
        }

        string[] finals = [Class2DFiles.ClassesName, Class2DFiles.ModelName, Class2DFiles.ParticlesName, "report.html", RunFileName];
        OutputSafety.RefuseOverwritingInputs(
            [(settings.Particles, "--particles"), (compareClasses, "--compare-classes"), .. OutputSafety.StacksOf(table, settings.Particles, settings.DataRoot, "--particles")],
            finals.Select(name => (Path.Combine(directory, name), "--out")));
        using var source = StarParticleSource.Open(table, settings.Particles, settings.DataRoot, settings.PixelSizeA);
        var classifier = new Classification2D(options);
        classifier.Check(source);
        var comparison = compareClasses is null ? null : ReadComparison(compareClasses);
        var prepared = classifier.Preprocess(source);
        // Under MPI every rank iterates (each on its share of the particles) and rank 0 alone writes; the others read a
        // run to continue only once rank 0 holds the folder and has finished any interrupted commit.
        bool writes = communicator.IsRoot;
        using var set = writes ? OutputSet.Begin(directory) : null;
        communicator.Barrier();

        var imageNames = IterationFolders.ImageNames(settings.Particles, settings.DataRoot);
        Class2DState state;
        var history = new List<Class2DIterationStatistics>();
        int from = 0;
        if (continuing)
        {
            (state, from) = LoadLastIteration(directory, source, options);
            history.AddRange(ReadHistory(directory, from));
            console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"class2d: continuing {directory} after iteration {from} of {options.Iterations}"));
        }
        else
        {
            if (writes)
            {
                IterationFolders.RemoveAll(directory);
                AtomicFile.WriteAllText(Path.Combine(directory, RunFileName), JsonSerializer.Serialize(settings, Json));
            }

            console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"class2d: {source.Count} particles of {source.Box} px at {source.PixelSizeA:0.###} Å from {settings.Particles}, K = {options.Classes}, diameter {classifier.DiameterA(source):0} Å"));
            state = classifier.Start(prepared);
            if (writes)
            {
                WriteIteration(directory, state, source, table, imageNames, options, null);
            }
        }

        for (int it = state.Model.Iteration + 1; it <= options.Iterations; it++)
        {
            Class2DIterationStatistics stats = null!;
            var current = state;
            ProgressDisplay.Run(console, string.Create(CultureInfo.InvariantCulture, $"Iteration {it}/{options.Iterations}"), source.Count, progress =>
            {
                (current, stats) = classifier.Iterate(prepared, current, progress);
            });
            state = current;
            history.Add(stats);
            console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"iteration {stats.Iteration}: log-likelihood {stats.LogLikelihood:0.###e+0}, {stats.ChangedFraction:0.000} changed class, best class {stats.BestResolutionA:0.0} Å, {stats.MeanSignificantSamples:0.#} significant samples, {stats.Seconds:0.0} s ({source.Count / Math.Max(stats.Seconds, 1e-9):0} particles/s){(communicator.IsDistributed ? $", {stats.ReduceSeconds:0.00} s adding the {communicator.Size} ranks' sums" : "")}"));
            if (writes)
            {
                WriteIteration(directory, state, source, table, imageNames, options, stats);
            }
        }

        var counts = new int[options.Classes];
        foreach (int c in state.Assignments.Class)
        {
            if (c >= 1 && c <= counts.Length)
            {
                counts[c - 1]++;
            }
        }

        var classList = Enumerable.Range(0, options.Classes).Select(c => new ClassSummary(c + 1, counts[c], state.Model.ClassPriors[c], state.Model.ResolutionA[c])).ToList();
        if (set is null)
        {
            return new Class2DResult("", "", "", "", source.Count, source.Box, source.PixelSizeA, classList, history, clock.Elapsed.TotalSeconds, from);
        }

        string relative(string path) => ParticleSet.ProjectRelativePath(path);
        Class2DFiles.WriteClasses(set.Stage(Class2DFiles.ClassesName), state.Model);
        Class2DFiles.WriteModel(set.Stage(Class2DFiles.ModelName), state.Model, options, relative(set.Final(Class2DFiles.ClassesName)));
        Class2DFiles.WriteParticles(set.Stage(Class2DFiles.ParticlesName), source.Records, table, state.Assignments, source.PixelSizeA, imageNames);
        Class2DReport.Write(set.Stage("report.html"), state, history, options, prepared, settings.Particles, comparison);
        set.Commit();
        return new Class2DResult(set.Final(Class2DFiles.ClassesName), set.Final(Class2DFiles.ModelName), set.Final(Class2DFiles.ParticlesName), set.Final("report.html"),
            source.Count, source.Box, source.PixelSizeA, classList, history, clock.Elapsed.TotalSeconds, from);
    }

    private static Class2DOptions OptionsOf(RunSettings s, ComputeContext context) => new()
    {
        Classes = s.Classes,
        Iterations = s.Iterations,
        ParticleDiameterA = s.ParticleDiameterA,
        Ctf = s.Ctf,
        Tau2Fudge = s.Tau2Fudge,
        PsiStepDeg = s.PsiStepDeg,
        OffsetRangePx = s.OffsetRangePx,
        OffsetStepPx = s.OffsetStepPx,
        Oversampling = s.Oversampling,
        Algorithm = ChoiceOption.ValueOf(AlgorithmChoices, s.Algorithm, "--algorithm"),
        IncrementShells = s.IncrementShells,
        InitialResolutionA = s.InitialResolutionA,
        CenterClasses = s.CenterClasses,
        ScaleCorrection = s.ScaleCorrection,
        Search = ChoiceOption.ValueOf(Refine3DCommand.SearchChoices, s.Search, "--search"),
        Seeds = new SeedSequence(s.Seed),
        Context = context,
    };

    private static void WriteIteration(string directory, Class2DState state, StarParticleSource source, ParticleTable table, Func<string, string> imageNames,
        Class2DOptions options, Class2DIterationStatistics? stats)
    {
        string folder = IterationFolders.Folder(directory, state.Model.Iteration);
        using var set = OutputSet.Begin(folder);
        Class2DFiles.WriteClasses(set.Stage(Class2DFiles.ClassesName), state.Model);
        Class2DFiles.WriteModel(set.Stage(Class2DFiles.ModelName), state.Model, options, ParticleSet.ProjectRelativePath(set.Final(Class2DFiles.ClassesName)));
        Class2DFiles.WriteParticles(set.Stage(Class2DFiles.ParticlesName), source.Records, table, state.Assignments, source.PixelSizeA, imageNames);
        if (stats is not null)
        {
            AtomicFile.WriteAllText(set.Stage(IterationStatisticsName), JsonSerializer.Serialize(stats, Json));
        }

        set.Commit();
    }

    private static bool Complete(string folder) =>
        File.Exists(Path.Combine(folder, Class2DFiles.ClassesName)) && File.Exists(Path.Combine(folder, Class2DFiles.ModelName)) &&
        File.Exists(Path.Combine(folder, Class2DFiles.ParticlesName));

    private static (Class2DState State, int Iteration) LoadLastIteration(string directory, StarParticleSource source, Class2DOptions options)
    {
        var last = IterationFolders.All(directory).Where(x => Complete(x.Folder)).ToList();
        if (last.Count == 0)
        {
            throw new InvalidParameterException("--continue", directory, "holds no complete iteration (iterNNN/ with classes.mrcs, model.star and particles.star)");
        }

        var (iteration, folder) = last[^1];
        var model = Class2DFiles.ReadModel(Path.Combine(folder, Class2DFiles.ModelName), Path.Combine(folder, Class2DFiles.ClassesName));
        if (model.ClassCount != options.Classes || model.Box != source.Box)
        {
            throw new InvalidFileException(Path.Combine(folder, Class2DFiles.ModelName), $"describes {model.ClassCount} classes of {model.Box} px; the run has {options.Classes} of {source.Box} px");
        }

        var assignments = Class2DFiles.ReadAssignments(Path.Combine(folder, Class2DFiles.ParticlesName), source.Count, source.PixelSizeA);
        return (new Class2DState(model, assignments), iteration);
    }

    private static IEnumerable<Class2DIterationStatistics> ReadHistory(string directory, int upTo)
    {
        foreach (var (iteration, folder) in IterationFolders.All(directory))
        {
            string file = Path.Combine(folder, IterationStatisticsName);
            if (iteration >= 1 && iteration <= upTo && File.Exists(file) &&
                JsonSerializer.Deserialize<Class2DIterationStatistics>(File.ReadAllText(file), Json) is { } stats)
            {
                yield return stats;
            }
        }
    }

    private static RunSettings ReadSettings(string folder)
    {
        string file = Path.Combine(folder, RunFileName);
        if (!File.Exists(file))
        {
            throw new InvalidParameterException("--continue", folder, $"has no {RunFileName}: it is not a class2d output folder");
        }

        try
        {
            return JsonSerializer.Deserialize<RunSettings>(File.ReadAllText(file), Json) ?? throw new InvalidFileException(file, "is empty");
        }
        catch (JsonException e)
        {
            throw new InvalidFileException(file, $"is not a class2d run file ({e.Message})");
        }
    }

    private static ComparisonClasses ReadComparison(string path)
    {
        var stack = MrcReader.ReadStack(path);
        IReadOnlyList<double>? distribution = null;

        // RELION writes run_itNNN_classes.mrcs beside run_itNNN_model.star.
        string model = path.EndsWith("_classes.mrcs", StringComparison.Ordinal) ? path[..^"_classes.mrcs".Length] + "_model.star" : Path.Combine(Path.GetDirectoryName(path) ?? ".", "model.star");
        if (File.Exists(model) && StarDocument.Load(model).Find("model_classes")?.Loop is { } classes && classes.IndexOf("rlnClassDistribution") is int column and >= 0)
        {
            distribution = Enumerable.Range(0, classes.RowCount)
                .Select(r => double.Parse(classes.GetSpan(r, column), NumberStyles.Float, CultureInfo.InvariantCulture)).ToList();
        }

        return new ComparisonClasses(path, Enumerable.Range(0, stack.Count).Select(i => stack[i].ToArray()).ToList(), stack.ImageShape.Nx, distribution);
    }
}
