using CryoSharp.IO.Star;

namespace CryoSharp.IO;

/// <summary>
/// Refuses, before anything is written, a command whose outputs would replace one of its inputs: the same file after
/// resolving relative paths and symbolic links, including the image stacks an input STAR file refers to. Writing a
/// projection over its own map, or a corrected stack over the stack it is read from, destroys the data.
/// </summary>
public static class OutputSafety
{
    /// <summary>
    /// Throws an <see cref="InvalidParameterException"/> naming the output's option when an output path is one of the
    /// inputs.
    /// </summary>
    /// <param name="inputs">Each input with the option or argument that named it.</param>
    /// <param name="outputs">Each output with the option that names it.</param>
    public static void RefuseOverwritingInputs(IEnumerable<(string? Path, string Option)> inputs, IEnumerable<(string Path, string Option)> outputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(outputs);
        var read = new Dictionary<string, (string Path, string Option)>(StringComparer.Ordinal);
        foreach (var (path, option) in inputs)
        {
            if (!string.IsNullOrEmpty(path))
            {
                read.TryAdd(Identity(path), (path, option));
            }
        }

        foreach (var (path, option) in outputs)
        {
            if (read.TryGetValue(Identity(path), out var input))
            {
                throw new InvalidParameterException(option, path, $"would overwrite the input {input.Path} ({input.Option}); choose another output");
            }
        }
    }

    /// <summary>Refuses an output file path that is a folder, naming the option.</summary>
    public static void RequireFile(string path, string option)
    {
        if (Directory.Exists(path))
        {
            throw new InvalidParameterException(option, path, "is a folder; give a file name");
        }
    }

    /// <summary>The image stacks a STAR table refers to, resolved as they would be read (those not found are left out).</summary>
    public static IEnumerable<(string? Path, string Option)> StacksOf(ParticleTable table, string starPath, string? dataRoot, string option)
    {
        ArgumentNullException.ThrowIfNull(table);
        if (!table.Columns.HasFlag(ParticleColumns.Image))
        {
            yield break;
        }

        var resolver = new ImagePathResolver(starPath, dataRoot);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in table.Particles)
        {
            if (!seen.Add(p.Image.StackPath))
            {
                continue;
            }

            string? resolved;
            try
            {
                resolved = resolver.Resolve(p.Image.StackPath, p.SourceLine);
            }
            catch (InvalidFileException)
            {
                resolved = null;
            }

            yield return (resolved, $"images of {option}");
        }
    }

    /// <summary>A file's identity: its full path with every symbolic link on the way resolved (as realpath does).</summary>
    private static string Identity(string path)
    {
        string full = Path.GetFullPath(path);
        string root = Path.GetPathRoot(full) ?? "/";
        string current = root;
        foreach (var part in full[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            current = Path.Combine(current, part);
            try
            {
                FileSystemInfo info = Directory.Exists(current) ? new DirectoryInfo(current) : new FileInfo(current);
                if (info.Exists && info.LinkTarget is not null && info.ResolveLinkTarget(returnFinalTarget: true) is { } target)
                {
                    current = target.FullName;
                }
            }
            catch (IOException)
            {
                // An unreadable link is compared by its own path.
            }
        }

        return current;
    }
}
