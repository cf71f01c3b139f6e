namespace CryoSharp.IO;

/// <summary>
/// What went wrong with a file or folder, said in the user's terms. .NET's own messages mislead on Linux: a folder
/// that cannot be made where the file system refuses new entries reads "Could not find file", a file in the way of a
/// folder reads "already exists", and a refused write names the hidden temporary file instead of the one asked for.
/// These turn the exception (and its errno, which .NET keeps as the HResult of the errors it does not map) into a
/// short reason naming the path the user gave.
/// </summary>
public static class FileSystemError
{
    // Linux errno values .NET leaves in IOException.HResult.
    private const int NotADirectory = 20, IsADirectory = 21, NoSpace = 28, ReadOnlyFileSystem = 30, TooManyLinks = 40, QuotaExceeded = 122;

    /// <summary>Why <paramref name="path"/> could not be read.</summary>
    public static string Reading(Exception error, string path)
    {
        ArgumentNullException.ThrowIfNull(error);
        return error switch
        {
            FileNotFoundException => "no such file",
            DirectoryNotFoundException => "no such file (its folder does not exist)",
            UnauthorizedAccessException => "cannot be read: permission denied (this user may not read it or enter its folder)",
            _ => Common(error, path) ?? $"cannot be read ({error.Message})",
        };
    }

    /// <summary>Why the file <paramref name="path"/> could not be written (made, or renamed into place).</summary>
    public static string Writing(Exception error, string path)
    {
        ArgumentNullException.ThrowIfNull(error);
        string folder = Folder(path);
        if (FileInTheWay(folder) is { } file)
        {
            return $"cannot be written: {file} is a file, not a folder";
        }

        return error switch
        {
            UnauthorizedAccessException => $"cannot be written: permission denied (this user may not write in {folder}, or the file is protected)",
            FileNotFoundException or DirectoryNotFoundException => $"cannot be written: {folder} does not take new files",
            IOException when error.HResult == IsADirectory => "cannot be written: a folder of that name is in the way",
            _ => Common(error, path) is { } reason ? $"cannot be written: {reason}" : $"cannot be written ({Without(error.Message, path)})",
        };
    }

    /// <summary>Why the folder <paramref name="path"/> could not be made or used.</summary>
    public static string MakingFolder(Exception error, string path)
    {
        ArgumentNullException.ThrowIfNull(error);
        string full = Path.GetFullPath(path);
        if (File.Exists(full))
        {
            return "is a file, not a folder; give a folder";
        }

        if (FileInTheWay(full) is { } file)
        {
            return $"the folder cannot be made: {file} is a file, not a folder";
        }

        return error switch
        {
            UnauthorizedAccessException => $"the folder cannot be made: permission denied (this user may not write in {Folder(full)})",
            FileNotFoundException or DirectoryNotFoundException => $"the folder cannot be made: {Folder(full)} does not take new folders",
            _ => Common(error, full) is { } reason ? $"the folder cannot be made: {reason}" : $"the folder cannot be made ({error.Message})",
        };
    }

    /// <summary>
    /// The reason for an error that is about the file system itself (full, read-only, a name too long...) rather than
    /// about one file, or null when it is none of those. What the program's last resort prints before .NET's message.
    /// </summary>
    public static string? Unusual(Exception error) => Common(error ?? throw new ArgumentNullException(nameof(error)), "the path");

    /// <summary>The reasons any operation shares, or null for none of them.</summary>
    private static string? Common(Exception error, string path) => error switch
    {
        PathTooLongException => "the name is too long (Linux allows 255 bytes per name and 4,096 per path)",
        IOException when error.HResult == NotADirectory => $"a part of {path} is a file, not a folder",
        IOException when error.HResult == NoSpace => "the disk is full",
        IOException when error.HResult == QuotaExceeded => "the disk quota is used up",
        IOException when error.HResult == ReadOnlyFileSystem => "the file system is read-only",
        IOException when error.HResult == TooManyLinks => "the path has a loop of symbolic links",
        _ => null,
    };

    /// <summary>The nearest existing ancestor of <paramref name="path"/> when it is a file (which no folder can be made in).</summary>
    private static string? FileInTheWay(string path)
    {
        for (string? at = Path.GetFullPath(path); !string.IsNullOrEmpty(at); at = Path.GetDirectoryName(at))
        {
            if (Directory.Exists(at))
            {
                return null;
            }

            if (File.Exists(at))
            {
                return at;
            }
        }

        return null;
    }

    private static string Folder(string path) => Path.GetDirectoryName(Path.GetFullPath(path)) is { Length: > 0 } folder ? folder : "/";

    // A message about the hidden temporary file beside the destination names the destination instead.
    private static string Without(string message, string path)
    {
        string folder = Folder(path);
        int at = message.IndexOf(Path.Combine(folder, "."), StringComparison.Ordinal);
        if (at < 0)
        {
            return message;
        }

        int end = message.IndexOf('\'', at);
        return end < 0 ? message : string.Concat(message.AsSpan(0, at), Path.GetFullPath(path), message.AsSpan(end));
    }
}
