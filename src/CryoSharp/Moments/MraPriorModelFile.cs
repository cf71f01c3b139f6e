using System.Text.Json;

namespace CryoSharp.Moments;

/// <summary>The settings file beside a trained model's weights (PATH.json).</summary>
/// <param name="Format">Always <see cref="FormatName"/>.</param>
/// <param name="Length">L.</param>
/// <param name="Channels">c.</param>
/// <param name="Window">w.</param>
/// <param name="Hidden">Fully connected width.</param>
/// <param name="Mixtures">K of the training instances.</param>
/// <param name="Observations">N of the training moments.</param>
/// <param name="Sigma">σ of the training moments.</param>
/// <param name="TrainCount">Training instances.</param>
/// <param name="Epochs">Epochs run.</param>
/// <param name="BestEpoch">Epoch kept.</param>
/// <param name="TestRhoError">Its test error of ρ.</param>
/// <param name="TestSignalError">Its test error of the signal.</param>
/// <param name="FreshInstances">Whether each epoch drew a new training set (false in files written before the option existed).</param>
/// <param name="BranchChannels">Channels each branch ends in before the stacking (3 in the paper, and in files written before the option existed).</param>
/// <param name="TrunkLayers">Convolutions after the stacking (2 in the paper's reading, and in older files).</param>
/// <param name="MinimumWidth">Smallest bump width of the training instances, samples (0 in older files).</param>
/// <param name="GridCentres">Whether the training instances' bumps were centred on samples (false in older files).</param>
public sealed record MraPriorModelFile(string Format, int Length, int Channels, int Window, int Hidden, int Mixtures, long Observations, double Sigma,
    int TrainCount, int Epochs, int BestEpoch, double TestRhoError, double TestSignalError, bool FreshInstances = false,
    int BranchChannels = 3, int TrunkLayers = 2, double MinimumWidth = 0, bool GridCentres = false)
{
    /// <summary>The format tag.</summary>
    public const string FormatName = "cryosharp-mra-prior-1";

    /// <summary>camelCase, indented.</summary>
    public static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = true };

    /// <summary>Reads PATH.json for the model at <paramref name="model"/>; one-line errors name the file.</summary>
    public static MraPriorModelFile Read(string model)
    {
        string path = model + ".json";
        if (!File.Exists(model))
        {
            throw new InvalidFileException(model, "does not exist");
        }

        if (!File.Exists(path))
        {
            throw new InvalidFileException(path, "is missing: a model is its weights and this settings file, written together by mra train-prior");
        }

        MraPriorModelFile? file;
        try
        {
            file = JsonSerializer.Deserialize<MraPriorModelFile>(File.ReadAllText(path), JsonOptions);
        }
        catch (JsonException e)
        {
            throw new InvalidFileException(path, $"is not a model settings file ({e.Message})");
        }

        if (file is null || file.Format != FormatName)
        {
            throw new InvalidFileException(path, $"is not a {FormatName} settings file");
        }

        return file;
    }
}
