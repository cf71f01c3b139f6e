using System.Collections.Concurrent;

namespace CryoSharp.IO.Star;

/// <summary>
/// Finds the stack files a STAR file refers to. RELION resolves relative paths from its project folder, the
/// directory it runs in, not from the STAR file's folder (conventions.md); so an explicit data root is tried
/// first, then the current directory, then the STAR file's folder. When none has the file, the error names every
/// place that was tried.
/// </summary>
public sealed class ImagePathResolver
{
    private readonly ConcurrentDictionary<string, string> found = new(StringComparer.Ordinal);
    private readonly string[] roots;

    /// <summary>Creates a resolver for references read from <paramref name="starFilePath"/>.</summary>
    /// <param name="starFilePath">The STAR file the references come from (for its folder and for messages).</param>
    /// <param name="dataRoot">An explicit folder to resolve relative paths from (<c>--data-root</c>), or null.</param>
    public ImagePathResolver(string starFilePath, string? dataRoot = null)
    {
        StarFilePath = starFilePath;
        var list = new List<string>();
        if (!string.IsNullOrEmpty(dataRoot))
        {
            list.Add(Path.GetFullPath(dataRoot));
        }

        list.Add(Directory.GetCurrentDirectory());
        var starFolder = Path.GetDirectoryName(Path.GetFullPath(starFilePath));
        if (starFolder is not null && !list.Contains(starFolder))
        {
            list.Add(starFolder);
        }

        roots = [.. list];
    }

    /// <summary>The STAR file the references belong to.</summary>
    public string StarFilePath { get; }

    /// <summary>The folders tried in order for relative paths.</summary>
    public IReadOnlyList<string> Roots => roots;

    /// <summary>The full path of a stack; <paramref name="line"/> (the STAR line) goes into the error message.</summary>
    public string Resolve(string stackPath, int? line = null)
    {
        if (found.TryGetValue(stackPath, out var path))
        {
            return path;
        }

        if (Path.IsPathRooted(stackPath))
        {
            if (File.Exists(stackPath))
            {
                return found[stackPath] = stackPath;
            }

            throw new InvalidFileException(StarFilePath, $"image stack {stackPath} does not exist", line);
        }

        foreach (var root in roots)
        {
            var candidate = Path.Combine(root, stackPath);
            if (File.Exists(candidate))
            {
                return found[stackPath] = candidate;
            }
        }

        throw new InvalidFileException(StarFilePath,
            $"image stack {stackPath} not found; looked in {string.Join(", ", roots)} (set --data-root to the RELION project folder)",
            line);
    }
}
