using System.Text.Json;

namespace CryoSharp.IO;

/// <summary>
/// The ground truth of a simulated data set as JSON beside its data (<c>truth.json</c>: camelCase, indented), so the
/// library and the program can reopen their own data sets and score estimates against the truth.
/// </summary>
public static class TruthFile
{
    private static readonly JsonSerializerOptions Options = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = true };

    /// <summary>Writes <paramref name="truth"/> atomically.</summary>
    public static void Write<T>(string path, T truth) => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(truth, Options));

    /// <summary>Reads a truth file; a missing or malformed one is an error naming the file and what wrote it.</summary>
    /// <param name="path">The file.</param>
    /// <param name="writer">What writes such files (for the message), e.g. "cryosharp mra simulate".</param>
    public static T Read<T>(string path, string writer)
        where T : class
    {
        if (!File.Exists(path))
        {
            throw new InvalidFileException(path, $"not found (the folder should be one '{writer}' wrote)");
        }

        try
        {
            return JsonSerializer.Deserialize<T>(File.ReadAllText(path), Options) ?? throw new InvalidFileException(path, "is empty");
        }
        catch (JsonException e)
        {
            throw new InvalidFileException(path, $"not a truth file ({e.Message.Split('.')[0]})");
        }
    }
}
