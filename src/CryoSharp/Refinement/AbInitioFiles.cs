using System.Globalization;
using System.Text.Json;
using CryoSharp.Imaging;
using CryoSharp.IO;
using CryoSharp.Particles;

namespace CryoSharp.Refinement;

/// <summary>
/// An ab initio run's checkpoint: the working-box class maps and their last steps (<c>classNNN.mrc</c>,
/// <c>classNNN_step.mrc</c>), <c>model.json</c> (iteration, noise spectra, class priors; numbers that round trip) and
/// <c>particles.star</c> (the used particles' last poses and offsets, in working pixels). A run continued from a
/// checkpoint goes on exactly as an uninterrupted one: every minibatch is drawn from a seed of its iteration.
/// </summary>
public static class AbInitioFiles
{
    /// <summary>The model's file name.</summary>
    public const string ModelName = "model.json";

    /// <summary>The particles' file name.</summary>
    public const string ParticlesName = "particles.star";

    private static readonly CultureInfo C = CultureInfo.InvariantCulture;
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <summary>Class <paramref name="c"/>'s (from 0) map file name.</summary>
    public static string MapName(int c) => string.Create(C, $"class{c + 1:D3}.mrc");

    /// <summary>Class <paramref name="c"/>'s last step file name.</summary>
    public static string StepName(int c) => string.Create(C, $"class{c + 1:D3}_step.mrc");

    private sealed record ModelFile(int Box, double PixelSizeA, int Iteration, int Classes, Dictionary<string, double[]> NoiseSpectra, double[] ClassPriors);

    /// <summary>Writes the checkpoint, each file through <paramref name="stage"/>(file name) → path.</summary>
    public static void Write(Func<string, string> stage, AbInitioState state, AbInitioParticles particles)
    {
        ArgumentNullException.ThrowIfNull(stage);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(particles);
        var m = state.Model;
        for (int c = 0; c < m.ClassCount; c++)
        {
            MrcWriter.Write(stage(MapName(c)), new Volume(m.Box, m.Box, m.Box, m.PixelSizeA, m.Maps[c]));
            MrcWriter.Write(stage(StepName(c)), new Volume(m.Box, m.Box, m.Box, m.PixelSizeA, m.Velocities[c]));
        }

        var file = new ModelFile(m.Box, m.PixelSizeA, m.Iteration, m.ClassCount, Refine3DFiles.NoiseSpectraToJson(m.NoiseSpectra), m.ClassPriors);
        AtomicFile.WriteAllText(stage(ModelName), JsonSerializer.Serialize(file, Json));
        Refine3DFiles.WriteParticles(stage(ParticlesName), particles.Working.Records, null, state.Assignments, particles.Working.PixelSizeA);
    }

    /// <summary>Whether <paramref name="folder"/> holds a complete checkpoint.</summary>
    public static bool IsComplete(string folder) =>
        File.Exists(Path.Combine(folder, ModelName)) && File.Exists(Path.Combine(folder, ParticlesName));

    /// <summary>Reads the checkpoint in <paramref name="folder"/> for <paramref name="particles"/>.</summary>
    public static AbInitioState Read(string folder, AbInitioParticles particles)
    {
        ArgumentNullException.ThrowIfNull(particles);
        string path = Path.Combine(folder, ModelName);
        ModelFile file;
        try
        {
            file = JsonSerializer.Deserialize<ModelFile>(File.ReadAllText(path), Json) ?? throw new InvalidFileException(path, "is empty");
        }
        catch (JsonException e)
        {
            throw new InvalidFileException(path, $"is not an abinitio checkpoint ({e.Message})");
        }

        if (file.Box != particles.Working.Box)
        {
            throw new InvalidFileException(path, $"describes a working box of {file.Box} px; this run's is {particles.Working.Box} px");
        }

        var maps = new float[file.Classes][];
        var steps = new float[file.Classes][];
        for (int c = 0; c < file.Classes; c++)
        {
            maps[c] = MrcReader.ReadVolume(Path.Combine(folder, MapName(c))).Data;
            steps[c] = MrcReader.ReadVolume(Path.Combine(folder, StepName(c))).Data;
        }

        var noise = Refine3DFiles.NoiseSpectraFromJson(file.NoiseSpectra);
        var model = new AbInitioModel
        {
            Box = file.Box,
            PixelSizeA = file.PixelSizeA,
            Iteration = file.Iteration,
            Maps = maps,
            Velocities = steps,
            NoiseSpectra = noise,
            ClassPriors = file.ClassPriors,
        };
        var assignments = Refine3DFiles.ReadAssignments(Path.Combine(folder, ParticlesName), particles.Working.Count, particles.Working.PixelSizeA);
        return new AbInitioState(model, assignments);
    }
}
