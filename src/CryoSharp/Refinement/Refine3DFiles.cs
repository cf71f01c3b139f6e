using System.Globalization;
using System.Text.Json;
using CryoSharp.Classification;
using CryoSharp.Imaging;
using CryoSharp.IO;
using CryoSharp.IO.Star;
using CryoSharp.Particles;

namespace CryoSharp.Refinement;

/// <summary>
/// A 3D refinement's files: the half maps (<c>half1.mrc</c>, <c>half2.mrc</c>; <c>classNNN_halfH.mrc</c> with several
/// classes), <c>model.json</c> (noise spectra, half-map FSC, offsets prior and the angular schedule, numbers that round
/// trip) and <c>particles.star</c> (every input column kept, with the angles, origins, class, half set and RELION's
/// per-particle statistics). A run continued from an iteration's files goes on exactly as an uninterrupted one.
/// </summary>
public static class Refine3DFiles
{
    /// <summary>The model's file name.</summary>
    public const string ModelName = "model.json";

    /// <summary>The particles' file name.</summary>
    public const string ParticlesName = "particles.star";

    private static readonly CultureInfo C = CultureInfo.InvariantCulture;
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <summary>The file name of class <paramref name="c"/>'s (from 0) half <paramref name="half"/> (1 or 2) map among <paramref name="classes"/>.</summary>
    public static string HalfMapName(int c, int half, int classes) => classes == 1 ? $"half{half}.mrc" : string.Create(C, $"class{c + 1:D3}_half{half}.mrc");

    /// <summary>The file name of class <paramref name="c"/>'s final map.</summary>
    public static string MapName(int c, int classes) => classes == 1 ? "map.mrc" : string.Create(C, $"class{c + 1:D3}.mrc");

    /// <summary>Every half map's file name.</summary>
    public static IEnumerable<string> HalfMapNames(int classes) =>
        Enumerable.Range(0, classes).SelectMany(c => new[] { HalfMapName(c, 1, classes), HalfMapName(c, 2, classes) });

    /// <summary>Writes the half maps, each through <paramref name="stage"/>(file name) → path.</summary>
    public static void WriteHalfMaps(Func<string, string> stage, Refine3DModel model)
    {
        ArgumentNullException.ThrowIfNull(stage);
        ArgumentNullException.ThrowIfNull(model);
        for (int c = 0; c < model.ClassCount; c++)
        {
            for (int h = 0; h < 2; h++)
            {
                MrcWriter.Write(stage(HalfMapName(c, h + 1, model.ClassCount)), new Volume(model.Box, model.Box, model.Box, model.PixelSizeA, model.HalfMaps[c][h]));
            }
        }
    }

    /// <summary>The saved form of the model (everything but the maps).</summary>
    private sealed record ModelFile(int Box, double PixelSizeA, int Iteration, int Classes, Dictionary<string, double[]> NoiseSpectra, double[][] HalfMapFsc,
        double SigmaOffsetA, int CurrentRadiusPx, int HealpixOrder, double ResolutionA, double BestResolutionA, int IterationsWithoutResolutionGain,
        double SmallestOrientationChangeDeg, int IterationsWithoutSettling, double AccuracyRotationDeg, double[] ClassPriors, bool FinalNext, bool Finished);

    /// <summary>Writes model.json.</summary>
    public static void WriteModel(string path, Refine3DModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var file = new ModelFile(model.Box, model.PixelSizeA, model.Iteration, model.ClassCount,
            NoiseSpectraToJson(model.NoiseSpectra), model.HalfMapFsc, model.SigmaOffsetA, model.CurrentRadiusPx,
            model.HealpixOrder, model.ResolutionA, model.BestResolutionA, model.IterationsWithoutResolutionGain, model.SmallestOrientationChangeDeg,
            model.IterationsWithoutSettling, model.AccuracyRotationDeg, model.ClassPriors, model.FinalNext, model.Finished);
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(file, Json));
    }

    /// <summary>Reads model.json and the half maps in its folder.</summary>
    public static Refine3DModel ReadModel(string path)
    {
        ModelFile file;
        try
        {
            file = JsonSerializer.Deserialize<ModelFile>(File.ReadAllText(path), Json) ?? throw new InvalidFileException(path, "is empty");
        }
        catch (JsonException e)
        {
            throw new InvalidFileException(path, $"is not a refine3d model ({e.Message})");
        }

        string folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var maps = new float[file.Classes][][];
        for (int c = 0; c < file.Classes; c++)
        {
            maps[c] = new float[2][];
            for (int h = 0; h < 2; h++)
            {
                var volume = MrcReader.ReadVolume(Path.Combine(folder, HalfMapName(c, h + 1, file.Classes)));
                if (volume.Nx != file.Box)
                {
                    throw new InvalidFileException(Path.Combine(folder, HalfMapName(c, h + 1, file.Classes)), $"has a box of {volume.Nx}; the model's is {file.Box}");
                }

                maps[c][h] = volume.Data;
            }
        }

        var noise = NoiseSpectraFromJson(file.NoiseSpectra);
        return new Refine3DModel
        {
            Box = file.Box,
            PixelSizeA = file.PixelSizeA,
            Iteration = file.Iteration,
            HalfMaps = maps,
            NoiseSpectra = noise,
            HalfMapFsc = file.HalfMapFsc,
            SigmaOffsetA = file.SigmaOffsetA,
            CurrentRadiusPx = file.CurrentRadiusPx,
            HealpixOrder = file.HealpixOrder,
            ResolutionA = file.ResolutionA,
            BestResolutionA = file.BestResolutionA,
            IterationsWithoutResolutionGain = file.IterationsWithoutResolutionGain,
            SmallestOrientationChangeDeg = file.SmallestOrientationChangeDeg,
            IterationsWithoutSettling = file.IterationsWithoutSettling,
            AccuracyRotationDeg = file.AccuracyRotationDeg,
            ClassPriors = file.ClassPriors,
            FinalNext = file.FinalNext,
            Finished = file.Finished,
        };
    }

    /// <summary>σ² per optics group as JSON keys (the group number as text).</summary>
    internal static Dictionary<string, double[]> NoiseSpectraToJson(SortedDictionary<int, double[]> spectra) => spectra.ToDictionary(e => e.Key.ToString(C), e => e.Value);

    /// <summary>The inverse of <see cref="NoiseSpectraToJson"/>.</summary>
    internal static SortedDictionary<int, double[]> NoiseSpectraFromJson(Dictionary<string, double[]> spectra)
    {
        var noise = new SortedDictionary<int, double[]>();
        foreach (var (key, value) in spectra)
        {
            noise[int.Parse(key, C)] = value;
        }

        return noise;
    }

    /// <summary>
    /// Writes the particles with their poses: the input table's rows (every column kept, image names rewritten by
    /// <paramref name="imageName"/>), angles, origins, class and half set replaced, and rlnMaxValueProbDistribution,
    /// rlnNrOfSignificantSamples and rlnLogLikeliContribution set. Particles without a pose yet keep their input angles.
    /// </summary>
    public static void WriteParticles(string path, IReadOnlyList<ParticleRecord> records, ParticleTable? template, Refine3DAssignments assignments,
        double pixelSizeA, Func<string, string>? imageName = null)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(assignments);
        var updated = new ParticleRecord[records.Count];
        for (int i = 0; i < records.Count; i++)
        {
            var r = records[i];
            var image = r.Image is { } reference && imageName is not null ? reference with { StackPath = imageName(reference.StackPath) } : r.Image;
            var pose = assignments.HasPose[i] ? new Pose(assignments.RotDeg[i], assignments.TiltDeg[i], assignments.PsiDeg[i]) : r.Pose;
            updated[i] = r with
            {
                Pose = pose with { OriginXA = Class2DFiles.OriginOf(assignments.OffsetXPx[i], pixelSizeA), OriginYA = Class2DFiles.OriginOf(assignments.OffsetYPx[i], pixelSizeA) },
                ClassNumber = assignments.Class[i],
                Subset = assignments.Half[i],
                Image = image,
            };
        }

        var table = ParticleRecords.ToTable(updated, ParticleColumns.Angles | ParticleColumns.Origins | ParticleColumns.ClassNumber | ParticleColumns.RandomSubset, template);
        for (int i = 0; i < table.Count; i++)
        {
            var p = table.Particles[i];
            table.SetExtra(p, StarLabels.MaxValueProbDistribution.Name, assignments.MaxProbability[i].ToString("R", C));
            table.SetExtra(p, StarLabels.NrOfSignificantSamples.Name, assignments.SignificantSamples[i].ToString(C));
            table.SetExtra(p, StarLabels.LogLikeliContribution.Name, assignments.LogLikelihood[i].ToString("R", C));
            table.SetExtra(p, PoseKnownLabel, assignments.HasPose[i] ? "1" : "0");
        }

        table.Save(path);
    }

    /// <summary>Our column saying whether a particle's angles are an estimate yet (RELION ignores unknown columns).</summary>
    private const string PoseKnownLabel = "_cryosharpPoseEstimated";

    /// <summary>Reads the assignments of a particles.star written by <see cref="WriteParticles"/>.</summary>
    public static Refine3DAssignments ReadAssignments(string path, int expectedCount, double pixelSizeA)
    {
        var table = ParticleTable.Load(path);
        if (table.Count != expectedCount)
        {
            throw new InvalidFileException(path, $"holds {table.Count} particles; the refinement has {expectedCount}");
        }

        if (!table.Columns.HasFlag(ParticleColumns.RandomSubset))
        {
            throw new InvalidFileException(path, "has no _rlnRandomSubset column");
        }

        var a = new Refine3DAssignments(table.Count);
        for (int i = 0; i < table.Count; i++)
        {
            var p = table.Particles[i];
            a.RotDeg[i] = p.AngleRotDeg;
            a.TiltDeg[i] = p.AngleTiltDeg;
            a.PsiDeg[i] = p.AnglePsiDeg;
            a.OffsetXPx[i] = Class2DFiles.OffsetFromOrigin(p.OriginXA, pixelSizeA);
            a.OffsetYPx[i] = Class2DFiles.OffsetFromOrigin(p.OriginYA, pixelSizeA);
            a.Class[i] = Math.Max(1, p.ClassNumber);
            a.Half[i] = p.RandomSubset;
            a.HasPose[i] = table.GetExtra(p, PoseKnownLabel) != "0";
            a.MaxProbability[i] = double.TryParse(table.GetExtra(p, StarLabels.MaxValueProbDistribution.Name), NumberStyles.Float, C, out double m) ? m : 0;
            a.SignificantSamples[i] = int.TryParse(table.GetExtra(p, StarLabels.NrOfSignificantSamples.Name), NumberStyles.Integer, C, out int n) ? n : 0;
            a.LogLikelihood[i] = double.TryParse(table.GetExtra(p, StarLabels.LogLikeliContribution.Name), NumberStyles.Float, C, out double l) ? l : 0;
            if (a.Half[i] is not (1 or 2))
            {
                throw new InvalidFileException(path, $"particle {i + 1} has half set {a.Half[i]}, not 1 or 2", p.SourceLine > 0 ? p.SourceLine : null);
            }
        }

        return a;
    }
}
