using System.Text.Json;
using CryoSharp.IO;

namespace CryoSharp.Cli;

/// <summary>The <c>truth.json</c> a simulate command writes next to its data, and reads back for <c>solve --data</c>.</summary>
internal static class TruthFile
{
    private static readonly JsonSerializerOptions Options = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = true };

    /// <summary>Writes <paramref name="truth"/> atomically.</summary>
    public static void Write<T>(string path, T truth) => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(truth, Options));

    /// <summary>Reads a truth file that <c>cryosharp <paramref name="command"/></c> wrote, or fails with one line.</summary>
    public static T Read<T>(string path, string command)
        where T : class
    {
        if (!File.Exists(path))
        {
            throw new CryoSharpException($"{path}: not found (the folder should be one 'cryosharp {command}' wrote).");
        }

        try
        {
            return JsonSerializer.Deserialize<T>(File.ReadAllText(path), Options) ?? throw new CryoSharpException($"{path}: empty.");
        }
        catch (JsonException e)
        {
            throw new CryoSharpException($"{path}: not a truth file ({e.Message.Split('.')[0]}).");
        }
    }
}
