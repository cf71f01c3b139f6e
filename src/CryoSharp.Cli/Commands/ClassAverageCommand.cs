using System.CommandLine;
using System.Globalization;
using CryoSharp.ClassAveraging;
using CryoSharp.Cli.Options;
using CryoSharp.Geometry;
using CryoSharp.IO;
using CryoSharp.IO.Star;
using CryoSharp.Numerics;
using CryoSharp.Numerics.Fft;
using CryoSharp.Particles;
using CryoSharp.Projection;

namespace CryoSharp.Cli.Commands;

/// <summary><c>cryosharp class-average</c>: neighbours by RID, VDM and MFVDM, and class averages.</summary>
public static class ClassAverageCommand
{
    /// <summary>The methods by their command-line names.</summary>
    public static readonly (string Name, ClassAveragingMethod Value)[] MethodChoices =
        [("rid", ClassAveragingMethod.Rid), ("vdm", ClassAveragingMethod.Vdm), ("mfvdm", ClassAveragingMethod.Mfvdm)];

    private static readonly Dictionary<string, string> PhaseNames = new()
    {
        ["expanding"] = "Expanding images",
        ["projecting"] = "Projecting on the steerable PCA",
        ["candidates"] = "Finding candidates",
        ["aligning"] = "Aligning candidates",
        ["vector diffusion maps"] = "Vector diffusion maps",
    };

    /// <summary>The --embedding-search choices: whether VDM and MFVDM search all images or re-rank the candidates.</summary>
    public static readonly (string Name, EmbeddingSearch Value)[] EmbeddingSearchChoices = [("all", EmbeddingSearch.All), ("candidates", EmbeddingSearch.Candidates)];

    /// <summary>Where VDM and MFVDM look for neighbours.</summary>
    public enum EmbeddingSearch
    {
        /// <summary>Every image, by its embedding.</summary>
        All,

        /// <summary>Only the rotation-invariant candidates, re-ranked.</summary>
        Candidates,
    }

    /// <summary>Neighbour accuracy of one method against the true viewing directions.</summary>
    public sealed record MethodAccuracy(string Method, double FractionWithin10Deg, double MedianAngleDeg);

    /// <summary>What a run produced.</summary>
    public sealed record ClassAverageResult(string Neighbors, string Averages, string AveragesStar, string Report, int Particles, int Box, string Method,
        int NeighborsPerImage, int AverageCount, int BasisCoefficients, int PcaComponents, double NoiseVariance, IReadOnlyDictionary<string, double> Seconds,
        IReadOnlyList<MethodAccuracy>? Accuracy, double? MeanCorrelationWithTruth);

    private const string NeighborsName = "neighbors.csv";
    private const string AveragesName = "class_averages.mrcs";
    private const string AveragesStarName = "class_averages.star";
    private const string ReportName = "report.html";

    /// <summary>Builds the command.</summary>
    public static Command Create(GlobalOptions globals, CliConsole console)
    {
        ArgumentNullException.ThrowIfNull(globals);
        var particles = SharedOptions.Particles("with images (and, for --ctf, CTF parameters; true angles, when present, are used to score the neighbours)");
        var output = SharedOptions.OutputFolder($"{NeighborsName}, {AveragesName}, {AveragesStarName} and {ReportName}");
        var method = ChoiceOption.Create("--method", "How neighbours are chosen for the averages: rid (rotationally invariant distance), vdm (vector diffusion maps), mfvdm (multi-frequency VDM). All three are computed and scored.",
            MethodChoices, ClassAveragingMethod.Mfvdm);
        var neighbours = new Option<int>("--neighbors") { Description = "Neighbours per image (each average has this many members besides its reference).", DefaultValueFactory = _ => 50 };
        var candidates = new Option<int?>("--candidates") { Description = "Candidates per image from the invariant features, aligned exactly and re-ranked [default: 3 × --neighbors]." };
        var exactUpTo = new Option<int?>("--exact-search-up-to") { Description = "Images up to which the candidate search scores every pair exactly [default: all]; above, every pair is scored by the features' 32 leading principal axes per part and a shortlist of 8 × --candidates ranked exactly (no faster up to 10⁵ images)." };
        var kmax = new Option<int>("--kmax") { Description = "Highest angular frequency of MFVDM.", DefaultValueFactory = _ => 10 };
        var extra = new Option<int>("--extra-eigenvectors") { Description = "Eigenvectors beyond 2k + 1 in the VDM and MFVDM embeddings (0: Fan and Zhao's truncation).", DefaultValueFactory = _ => 0 };
        var vdmEigenvectors = new Option<int>("--vdm-eigenvectors") { Description = "Eigenvectors in VDM's embedding (frequency 1).", DefaultValueFactory = _ => 10 };
        var alpha = new Option<double>("--density-alpha") { Description = "α of the neighbour graph's density normalisation, edge weights 1/(dᵢdⱼ)^α with d the edge counts (1: the views' sampling density taken out; 0: unweighted).", DefaultValueFactory = _ => 1 };
        var embeddingSearch = ChoiceOption.Create("--embedding-search", "Where VDM and MFVDM look for neighbours: all (every image, by its embedding, as Singer and Wu and Fan and Zhao do) or candidates (re-rank the rotation-invariant candidates only: cheaper, cannot find what they missed).",
            EmbeddingSearchChoices, EmbeddingSearch.All);
        var averages = new Option<int>("--averages") { Description = "Class averages to make.", DefaultValueFactory = _ => 100 };
        var ctf = SharedOptions.CorrectCtf();
        var radius = new Option<double?>("--radius") { Description = "Radius in Å of the disc the images are described on [default: half the box]." };
        var searchBox = new Option<int?>("--search-box") { Description = "Search on images Fourier-cropped to this box (faster; the averages keep the particles' box) [default: the particles' box]." };
        var truth = new Option<string?>("--truth") { Description = "A map of the true structure (simulations): each average is compared (correlation) with its projection at the reference particle's true pose." };
        var dataRoot = SharedOptions.DataRoot();
        var pixel = SharedOptions.PixelSize("of every particle, replacing the STAR file's");
        var json = SharedOptions.Json();
        var command = new Command("class-average", "Class averages from rotation-invariant neighbours: steerable PCA, exact rotational alignment with reflections, and neighbour graphs cleaned by vector diffusion maps (VDM) and multi-frequency VDM.")
        {
            particles, output, method, neighbours, candidates, exactUpTo, kmax, extra, vdmEigenvectors, alpha, embeddingSearch, averages, ctf, radius, searchBox, truth, dataRoot, pixel, json,
        };
        command.SetAction(parse =>
        {
            var options = new ClassAveragingOptions
            {
                Neighbours = parse.GetValue(neighbours),
                Candidates = parse.GetValue(candidates),
                ExactSearchUpTo = parse.GetValue(exactUpTo) ?? NearestNeighbourSearch.ExactUpTo,
                MaxFrequency = parse.GetValue(kmax),
                ExtraEigenvectors = parse.GetValue(extra),
                EmbeddingSearchAll = parse.GetValue(embeddingSearch) == EmbeddingSearch.All,
                VdmEigenvectors = parse.GetValue(vdmEigenvectors),
                DensityNormalisation = parse.GetValue(alpha),
                Averages = parse.GetValue(averages),
                Method = parse.GetValue(method),
                Ctf = parse.GetValue(ctf),
                RadiusA = parse.GetValue(radius),
                SearchBox = parse.GetValue(searchBox),
                Seeds = globals.Seeds(parse),
                Context = globals.Context(parse),
            };
            var result = Run(parse.GetValue(particles)!, parse.GetValue(dataRoot), parse.GetValue(output)!, options, parse.GetValue(pixel), parse.GetValue(truth), console);
            return CommandOutput.Emit(console, parse.GetValue(json), result, (o, r) =>
            {
                var c0 = CultureInfo.InvariantCulture;
                o.WriteLine(string.Create(c0, $"{r.Particles} particles: {r.AverageCount} class averages of {r.NeighborsPerImage + 1} images by {r.Method} in {r.Seconds.Values.Sum():0.0} s"));
                foreach (var a in r.Accuracy ?? [])
                {
                    o.WriteLine(string.Create(c0, $"  {a.Method,-6} {100 * a.FractionWithin10Deg:0.0} % of neighbours within 10°, median {a.MedianAngleDeg:0.0}°"));
                }

                if (r.MeanCorrelationWithTruth is double cc)
                {
                    o.WriteLine(string.Create(c0, $"  averages against the truth's projections: mean correlation {cc:0.000}"));
                }

                o.WriteLine($"  {r.Neighbors}\n  {r.Averages}\n  {r.AveragesStar}\n  {r.Report}");
            });
        });
        return command;
    }

    /// <summary>Runs the search and the averaging and writes every output.</summary>
    public static ClassAverageResult Run(string starPath, string? dataRoot, string directory, ClassAveragingOptions options, double? pixelSizeA, string? truthPath,
        CliConsole console)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(console);
        options.Validate();
        var table = ParticleTable.Load(starPath);
        if (!table.Columns.HasFlag(ParticleColumns.Image))
        {
            throw new InvalidFileException(starPath, "needs an _rlnImageName column");
        }

        if (options.Ctf && !table.Columns.HasFlag(ParticleColumns.Defocus))
        {
            throw new InvalidFileException(starPath, "--ctf needs _rlnDefocusU/_rlnDefocusV/_rlnDefocusAngle columns");
        }

        string[] names = [NeighborsName, AveragesName, AveragesStarName, ReportName];
        OutputSafety.RefuseOverwritingInputs(
            [(starPath, "--particles"), (truthPath, "--truth"), .. OutputSafety.StacksOf(table, starPath, dataRoot, "--particles")],
            names.Select(name => (Path.Combine(directory, name), "--out")));
        using var source = StarParticleSource.Open(table, starPath, dataRoot, pixelSizeA);
        var truthMap = truthPath is null ? null : MrcReader.ReadVolume(truthPath);
        if (truthMap is not null && truthMap.Nx != source.Box)
        {
            throw new InvalidFileException(truthPath!, $"is a {truthMap.Nx}³ map; the particles are {source.Box} px");
        }

        using var set = OutputSet.Begin(directory);
        var c0 = CultureInfo.InvariantCulture;
        console.Error.WriteLine(string.Create(c0,
            $"class-average: {source.Count} particles of {source.Box} px at {source.PixelSizeA:0.###} Å from {starPath}, {options.Neighbours} neighbours from {options.CandidateCount} candidates, k_max {options.MaxFrequency}"));
        var averager = new ClassAverager(options);
        // The expansion is the phase that reads every image; its fraction drives the bar, and each phase's time is printed after.
        NeighbourSearchResult search = null!;
        ProgressDisplay.RunPhases(console, "Expanding images", 1000, (progress, rename) => search = averager.FindNeighbours(source,
            new Progress<(string Phase, double Fraction)>(p =>
            {
                rename(PhaseNames.TryGetValue(p.Phase, out var name) ? name : p.Phase);
                progress.Report((long)(1000 * Math.Clamp(p.Fraction, 0, 1)));
            })));
        foreach (var (name, s) in search.Seconds)
        {
            console.Error.WriteLine(string.Create(c0, $"  {name}: {s:0.0} s"));
        }

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var chosen = search.Of(options.Method);
        var set2 = ClassAverages.Build(source, chosen, options.Averages, options.Method == ClassAveragingMethod.Rid, options.Ctf, options.AverageSsnr, options.Context);
        var seconds = new Dictionary<string, double>(search.Seconds) { ["averages"] = clock.Elapsed.TotalSeconds };

        // Neighbours as the STAR rows number them, from 1; the angle brings the neighbour onto the image.
        using (var writer = new StreamWriter(set.Stage(NeighborsName)))
        {
            writer.WriteLine("image,neighbor,rank,angleDeg,reflected");
            for (int i = 0; i < chosen.Count; i++)
            {
                for (int r = 0; r < chosen.PerImage; r++)
                {
                    int o = (i * chosen.PerImage) + r;
                    writer.WriteLine(string.Create(c0, $"{i + 1},{chosen.Neighbour[o] + 1},{r + 1},{chosen.AngleRad[o] * 180 / Math.PI:0.###},{(chosen.Reflected[o] ? 1 : 0)}"));
                }
            }
        }

        var records = Enumerable.Range(0, set2.Count).Select(a => new ParticleRecord
        {
            Index = a,
            Optics = source.Records[set2.References[a]].Optics with { CtfPhaseFlipped = false },
        }).ToArray();
        var averagesSource = new InMemoryParticleSource(set2.Images, set2.Box, set2.PixelSizeA, records, "class averages");
        ParticleSet.Save(averagesSource, set.Stage(AveragesName), set.Stage(AveragesStarName), ParticleColumns.Image, imagePath: AveragesName);

        List<MethodAccuracy>? accuracy = null;
        Dictionary<ClassAveragingMethod, double[]>? angles = null;
        // Picked particles may carry angle columns of zeros (no poses yet): score only poses that say something.
        if (table.Columns.HasFlag(ParticleColumns.Angles) && source.Records.Any(r => r.Pose.TiltDeg != 0 || r.Pose.RotDeg != 0))
        {
            angles = MethodChoices.ToDictionary(m => m.Value, m => NeighbourAccuracy.Angles(search.Of(m.Value), source.Records));
            accuracy = [.. MethodChoices.Select(m =>
            {
                var (within, median) = NeighbourAccuracy.Summarise(angles[m.Value]);
                return new MethodAccuracy(m.Name, within, median);
            })];
        }

        double? correlation = truthMap is null ? null : MeanCorrelation(truthMap, source, set2, options.Context);
        const int membersShown = 5;
        int length = set2.Box * set2.Box, shown = Math.Min(set2.Count, 12);
        var members = new float[shown * membersShown * length];
        for (int a = 0; a < shown; a++)
        {
            for (int m = 0; m < membersShown && m < set2.Members[a].Length; m++)
            {
                source.ReadImages(set2.Members[a][m], 1, members.AsSpan(((a * membersShown) + m) * length, length));
            }
        }

        ClassAveragingReport.Write(set.Stage(ReportName), search, set2, members, membersShown, angles,
        [
            ("particles", string.Create(c0, $"{source.Count} from {starPath}")),
            ("box, pixel size", string.Create(c0, $"{source.Box} px, {source.PixelSizeA:0.###} Å (search on {search.SearchBox} px)")),
            ("averages", string.Create(c0, $"{set2.Count} by {ClassAveragingReport.Name(options.Method)}, {options.Neighbours} neighbours each, {(options.Ctf ? "CTF-corrected (Wiener)" : "plain means")}")),
            .. correlation is double cc ? new[] { ("against the truth", string.Create(c0, $"mean correlation {cc:0.000} with the truth's projections at the references' poses")) } : [],
        ]);
        set.Commit();
        return new ClassAverageResult(set.Final(NeighborsName), set.Final(AveragesName), set.Final(AveragesStarName), set.Final(ReportName), source.Count, source.Box,
            ClassAveragingReport.Name(options.Method), chosen.PerImage, set2.Count, search.Basis.Count, search.Pca.Count, search.NoiseVariance, seconds, accuracy, correlation);
    }

    /// <summary>The mean correlation of each average with the truth's projection at its reference's pose (origin included, no CTF).</summary>
    private static double MeanCorrelation(Imaging.Volume truth, IParticleSource source, ClassAverageSet averages, ComputeContext context)
    {
        var projector = new FourierProjector(truth, 2, context);
        int box = averages.Box, length = box * box;
        var shape = GridShape.Square(box);
        var spectrum = new ComplexF[shape.HalfComplexLength];
        var scratch = new float[shape.HalfComplexLength];
        var image = new float[length];
        double sum = 0;
        for (int a = 0; a < averages.Count; a++)
        {
            var pose = source.Records[averages.References[a]].Pose;
            ParticleImageFormation.Form(projector, EulerAngles.FromDegrees(pose.RotDeg, pose.TiltDeg, pose.PsiDeg).ToMatrix(), pose.OriginXA, pose.OriginYA, null, spectrum, scratch);
            Fft.Inverse(spectrum, shape, image, context: context);
            sum += ImageComparison.Of(image, averages.Images.AsSpan(a * length, length)).Correlation;
        }

        return sum / averages.Count;
    }
}
