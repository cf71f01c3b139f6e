using System.Globalization;
using System.Text.RegularExpressions;
using CryoSharp.IO.Star;
using CryoSharp.Particles;

namespace CryoSharp.Cli.Commands;

/// <summary>
/// What the iterative commands (class2d, refine3d, class3d) share about their output folder: one iterNNN/ folder per
/// iteration, found again for --continue, removed when a new run replaces an old one, and image names written as
/// RELION will resolve them from the new STAR files.
/// </summary>
internal static partial class IterationFolders
{
    /// <summary>DIR/iterNNN.</summary>
    public static string Folder(string directory, int iteration) => Path.Combine(directory, string.Create(CultureInfo.InvariantCulture, $"iter{iteration:D3}"));

    /// <summary>The iteration folders in DIR, in order of iteration.</summary>
    public static IEnumerable<(int Iteration, string Folder)> All(string directory) =>
        !Directory.Exists(directory) ? [] : Directory.EnumerateDirectories(directory)
            .Select(d => (Match: IterationName().Match(Path.GetFileName(d)), Folder: d))
            .Where(x => x.Match.Success)
            .Select(x => (int.Parse(x.Match.Groups[1].Value, CultureInfo.InvariantCulture), x.Folder))
            .OrderBy(x => x.Item1);

    /// <summary>Removes every iteration folder: a new run replaces an old one, whose iterations must not be continued from later.</summary>
    public static void RemoveAll(string directory)
    {
        foreach (var (_, folder) in All(directory).ToList())
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Image names as RELION will resolve them from a new STAR file: the stacks found, relative to the current folder.</summary>
    public static Func<string, string> ImageNames(string particles, string? dataRoot)
    {
        var resolver = new ImagePathResolver(particles, dataRoot);
        var cache = new Dictionary<string, string>();
        return stack =>
        {
            if (!cache.TryGetValue(stack, out var name))
            {
                name = cache[stack] = ParticleSet.ProjectRelativePath(resolver.Resolve(stack));
            }

            return name;
        };
    }

    [GeneratedRegex("^iter([0-9]{3,})$")]
    private static partial Regex IterationName();
}
