using System.Globalization;
using CryoSharp.Imaging;
using CryoSharp.IO;
using CryoSharp.IO.Star;
using CryoSharp.Particles;

namespace CryoSharp.Classification;

/// <summary>
/// A 2D classification's files, as RELION names and lays them out: <c>classes.mrcs</c> (the K averages),
/// <c>model.star</c> (model_general, model_classes, one model_class_N table per class with SSNR and τ², and one
/// model_optics_group_N table per optics group with σ²), and <c>particles.star</c> (every input column kept, with the
/// class, ψ, origin and the per-particle statistics). Numbers are written to round trip, so a run continued from an
/// iteration's files goes on exactly as an uninterrupted one.
/// </summary>
public static class Class2DFiles
{
    /// <summary>The class averages' file name.</summary>
    public const string ClassesName = "classes.mrcs";

    /// <summary>The model's file name.</summary>
    public const string ModelName = "model.star";

    /// <summary>The particles' file name.</summary>
    public const string ParticlesName = "particles.star";

    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    /// <summary>rlnOriginXAngst of an offset in pixels (the image is the class translated by the offset; the origin re-centres it).</summary>
    public static double OriginOf(double offsetPx, double pixelSizeA) => -offsetPx * pixelSizeA;

    /// <summary>The offset in pixels of an rlnOriginXAngst.</summary>
    public static double OffsetFromOrigin(double originA, double pixelSizeA) => -originA / pixelSizeA;

    /// <summary>Writes the class averages as one stack.</summary>
    public static void WriteClasses(string path, Class2DModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var writer = new MrcStackWriter(path, Numerics.GridShape.Square(model.Box), model.PixelSizeA);
        foreach (var c in model.Classes)
        {
            writer.Append(c);
        }

        writer.Complete();
    }

    /// <summary>Writes model.star; <paramref name="classesPath"/> is how its rlnReferenceImage entries name the class stack.</summary>
    public static void WriteModel(string path, Class2DModel model, Class2DOptions options, string classesPath)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        var document = new StarDocument();
        var general = new StarBlock("model_general");
        general.SetPair("_rlnReferenceDimensionality", "2");
        general.SetPair("_rlnDataDimensionality", "2");
        general.SetPair("_rlnOriginalImageSize", Int(model.Box));
        general.SetPair("_rlnCurrentResolution", Num(model.ResolutionA.Length > 0 ? model.ResolutionA.Min() : 0));
        general.SetPair("_rlnCurrentImageSize", Int(2 * model.CurrentRadiusPx));
        general.SetPair("_rlnPixelSize", Num(model.PixelSizeA));
        general.SetPair("_rlnNrClasses", Int(model.ClassCount));
        general.SetPair("_rlnNrOpticsGroups", Int(model.NoiseSpectra.Count));
        general.SetPair("_rlnTau2FudgeFactor", Num(options.Tau2Fudge));
        general.SetPair("_rlnSigmaOffsetsAngst", Num(model.SigmaOffsetA));
        general.SetPair("_rlnLogLikelihood", Num(model.LogLikelihood));
        general.SetPair("_rlnCurrentIteration", Int(model.Iteration));
        document.Add(general);

        var classes = new StarTable();
        foreach (var label in new[] { "rlnReferenceImage", "rlnClassDistribution", "rlnAccuracyRotations", "rlnAccuracyTranslationsAngst", "rlnEstimatedResolution" })
        {
            classes.AddColumn(label);
        }

        for (int c = 0; c < model.ClassCount; c++)
        {
            classes.AddRow([new ImageReference(c + 1, classesPath).ToString(), Num(model.ClassPriors[c]), Num(model.AccuracyRotationDeg[c]),
                Num(model.AccuracyTranslationA[c]), Num(model.ResolutionA[c])]);
        }

        document.Add(new StarBlock("model_classes") { Loop = classes });
        for (int c = 0; c < model.ClassCount; c++)
        {
            var table = new StarTable();
            foreach (var label in new[] { "rlnSpectralIndex", "rlnResolution", "rlnAngstromResolution", "rlnSsnrMap", "rlnReferenceTau2" })
            {
                table.AddColumn(label);
            }

            for (int s = 0; s < model.ShellCount; s++)
            {
                double frequency = s / (model.Box * model.PixelSizeA);
                table.AddRow([Int(s), Num(frequency), Num(s == 0 ? 999 : 1 / frequency), Num(model.SpectralSignalToNoise[c][s]), Num(model.SignalSpectra[c][s])]);
            }

            document.Add(new StarBlock($"model_class_{c + 1}") { Loop = table });
        }

        foreach (var (group, sigma2) in model.NoiseSpectra)
        {
            var table = new StarTable();
            foreach (var label in new[] { "rlnSpectralIndex", "rlnResolution", "rlnSigma2Noise" })
            {
                table.AddColumn(label);
            }

            for (int s = 0; s < model.ShellCount; s++)
            {
                table.AddRow([Int(s), Num(s / (model.Box * model.PixelSizeA)), Num(sigma2[s])]);
            }

            document.Add(new StarBlock($"model_optics_group_{group}") { Loop = table });
        }

        if (model.GroupScales is { } scales)
        {
            // RELION's model_groups table, with the scale correction of each micrograph group.
            var table = new StarTable();
            foreach (var label in new[] { "rlnGroupNumber", "rlnGroupScaleCorrection" })
            {
                table.AddColumn(label);
            }

            for (int g = 0; g < scales.Count; g++)
            {
                table.AddRow([Int(g + 1), Num(scales[g])]);
            }

            document.Add(new StarBlock("model_groups") { Loop = table });
        }

        document.Save(path);
    }

    /// <summary>Reads a model written by <see cref="WriteModel"/> with its class stack.</summary>
    public static Class2DModel ReadModel(string modelPath, string classesPath)
    {
        var document = StarDocument.Load(modelPath);
        var general = document.Find("model_general") ?? throw new InvalidFileException(modelPath, "has no data_model_general block");
        int box = Int(general, "_rlnOriginalImageSize", modelPath);
        int k = Int(general, "_rlnNrClasses", modelPath);
        double pixel = Num(general, "_rlnPixelSize", modelPath);
        var classes = document.Find("model_classes")?.Loop ?? throw new InvalidFileException(modelPath, "has no data_model_classes table");
        if (classes.RowCount != k)
        {
            throw new InvalidFileException(modelPath, $"names {k} classes but its model_classes table has {classes.RowCount} rows");
        }

        var stack = MrcReader.ReadStack(classesPath);
        if (stack.Count != k || stack.ImageShape.Nx != box || stack.ImageShape.Ny != box)
        {
            throw new InvalidFileException(classesPath, $"holds {stack.Count} images of {stack.ImageShape.Nx} px; {modelPath} describes {k} of {box} px");
        }

        int shells = (box / 2) + 1;
        var priors = new double[k];
        var rotation = new double[k];
        var translation = new double[k];
        var resolution = new double[k];
        var tau2 = new double[k][];
        var ssnr = new double[k][];
        var images = new float[k][];
        for (int c = 0; c < k; c++)
        {
            priors[c] = Cell(classes, c, "rlnClassDistribution", modelPath);
            rotation[c] = Cell(classes, c, "rlnAccuracyRotations", modelPath);
            translation[c] = Cell(classes, c, "rlnAccuracyTranslationsAngst", modelPath);
            resolution[c] = Cell(classes, c, "rlnEstimatedResolution", modelPath);
            var table = document.Find($"model_class_{c + 1}")?.Loop ?? throw new InvalidFileException(modelPath, $"has no data_model_class_{c + 1} table");
            tau2[c] = Column(table, "rlnReferenceTau2", shells, modelPath);
            ssnr[c] = Column(table, "rlnSsnrMap", shells, modelPath);
            images[c] = stack[c].ToArray();
        }

        var noise = new SortedDictionary<int, double[]>();
        foreach (var block in document.Blocks.Where(b => b.Name.StartsWith("model_optics_group_", StringComparison.Ordinal)))
        {
            int group = int.Parse(block.Name["model_optics_group_".Length..], C);
            noise[group] = Column(block.Loop ?? throw new InvalidFileException(modelPath, $"block {block.Name} has no table"), "rlnSigma2Noise", shells, modelPath);
        }

        double[]? scales = null;
        if (document.Find("model_groups")?.Loop is { } groups)
        {
            scales = new double[groups.RowCount];
            for (int g = 0; g < scales.Length; g++)
            {
                scales[g] = Cell(groups, g, "rlnGroupScaleCorrection", modelPath);
            }
        }

        return new Class2DModel
        {
            GroupScales = scales,
            Box = box,
            PixelSizeA = pixel,
            Iteration = Int(general, "_rlnCurrentIteration", modelPath),
            Classes = images,
            ClassPriors = priors,
            NoiseSpectra = noise,
            SignalSpectra = tau2,
            SpectralSignalToNoise = ssnr,
            SigmaOffsetA = Num(general, "_rlnSigmaOffsetsAngst", modelPath),
            CurrentRadiusPx = Int(general, "_rlnCurrentImageSize", modelPath) / 2,
            ResolutionA = resolution,
            AccuracyRotationDeg = rotation,
            AccuracyTranslationA = translation,
            LogLikelihood = Num(general, "_rlnLogLikelihood", modelPath),
        };
    }

    /// <summary>
    /// Writes the particles with their assignments: the input table's rows (every column kept, image names rewritten
    /// by <paramref name="imageName"/> so that they resolve from the new file), psi, origins and class replaced, and
    /// rlnMaxValueProbDistribution, rlnNrOfSignificantSamples and rlnLogLikeliContribution set.
    /// </summary>
    public static void WriteParticles(string path, IReadOnlyList<ParticleRecord> records, ParticleTable? template, Class2DAssignments assignments,
        double pixelSizeA, Func<string, string>? imageName = null)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(assignments);
        var updated = new ParticleRecord[records.Count];
        for (int i = 0; i < records.Count; i++)
        {
            var r = records[i];
            var image = r.Image is { } reference && imageName is not null ? reference with { StackPath = imageName(reference.StackPath) } : r.Image;
            updated[i] = r with
            {
                Pose = r.Pose with { PsiDeg = assignments.PsiDeg[i], OriginXA = OriginOf(assignments.OffsetXPx[i], pixelSizeA), OriginYA = OriginOf(assignments.OffsetYPx[i], pixelSizeA) },
                ClassNumber = assignments.Class[i],
                Image = image,
            };
        }

        var table = ParticleRecords.ToTable(updated, ParticleColumns.Angles | ParticleColumns.Origins | ParticleColumns.ClassNumber, template);
        for (int i = 0; i < table.Count; i++)
        {
            var p = table.Particles[i];
            table.SetExtra(p, StarLabels.MaxValueProbDistribution.Name, Num(assignments.MaxProbability[i]));
            table.SetExtra(p, StarLabels.NrOfSignificantSamples.Name, Int(assignments.SignificantSamples[i]));
            table.SetExtra(p, StarLabels.LogLikeliContribution.Name, Num(assignments.LogLikelihood[i]));
        }

        table.Save(path);
    }

    /// <summary>Reads the assignments of a particles.star written by <see cref="WriteParticles"/> (or by RELION's Class2D).</summary>
    public static Class2DAssignments ReadAssignments(string path, int expectedCount, double pixelSizeA)
    {
        var table = ParticleTable.Load(path);
        if (table.Count != expectedCount)
        {
            throw new InvalidFileException(path, $"holds {table.Count} particles; the classification has {expectedCount}");
        }

        if (!table.Columns.HasFlag(ParticleColumns.ClassNumber))
        {
            throw new InvalidFileException(path, "has no _rlnClassNumber column");
        }

        var a = new Class2DAssignments(table.Count);
        for (int i = 0; i < table.Count; i++)
        {
            var p = table.Particles[i];
            a.Class[i] = p.ClassNumber;
            a.PsiDeg[i] = p.AnglePsiDeg;
            a.OffsetXPx[i] = OffsetFromOrigin(p.OriginXA, pixelSizeA);
            a.OffsetYPx[i] = OffsetFromOrigin(p.OriginYA, pixelSizeA);
            a.MaxProbability[i] = double.TryParse(table.GetExtra(p, StarLabels.MaxValueProbDistribution.Name), NumberStyles.Float, C, out double m) ? m : 0;
            a.SignificantSamples[i] = int.TryParse(table.GetExtra(p, StarLabels.NrOfSignificantSamples.Name), NumberStyles.Integer, C, out int n) ? n : 0;
            a.LogLikelihood[i] = double.TryParse(table.GetExtra(p, StarLabels.LogLikeliContribution.Name), NumberStyles.Float, C, out double l) ? l : 0;
        }

        return a;
    }

    private static string Num(double v) => v.ToString("R", C);

    private static string Int(int v) => v.ToString(C);

    private static int Int(StarBlock block, string label, string path) =>
        int.TryParse(block.GetPair(label), NumberStyles.Integer, C, out int v) ? v : throw new InvalidFileException(path, $"has no integer {label}");

    private static double Num(StarBlock block, string label, string path) =>
        double.TryParse(block.GetPair(label), NumberStyles.Float, C, out double v) ? v : throw new InvalidFileException(path, $"has no number {label}");

    private static double Cell(StarTable table, int row, string label, string path)
    {
        int c = table.IndexOf(label);
        return c >= 0 && double.TryParse(table.GetSpan(row, c), NumberStyles.Float, C, out double v)
            ? v
            : throw new InvalidFileException(path, $"has no number {label} in row {row + 1}", table.LineOf(row));
    }

    private static double[] Column(StarTable table, string label, int rows, string path)
    {
        if (table.RowCount < rows)
        {
            throw new InvalidFileException(path, $"a {label} table has {table.RowCount} rows, not {rows}");
        }

        var values = new double[rows];
        for (int r = 0; r < rows; r++)
        {
            values[r] = Cell(table, r, label, path);
        }

        return values;
    }
}
