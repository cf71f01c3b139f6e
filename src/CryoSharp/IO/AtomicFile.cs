namespace CryoSharp.IO;

/// <summary>
/// A file written under a temporary name next to its destination and renamed over it only when complete, so a
/// crash or an error never leaves a half-written map, table or report behind. Dispose without
/// <see cref="Commit"/> deletes the temporary file.
/// </summary>
public sealed class AtomicFile : IDisposable
{
    private bool committed;

    /// <summary>Opens a temporary file for writing beside <paramref name="path"/>; its folder is created if needed.</summary>
    public AtomicFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        FinalPath = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(FinalPath)!;
        try
        {
            Directory.CreateDirectory(folder);
            TemporaryPath = Path.Combine(folder, $".{Path.GetFileName(FinalPath)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
            Stream = new FileStream(TemporaryPath, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CryoSharpException($"{path}: {FileSystemError.Writing(e, path)}", e);
        }
    }

    /// <summary>Where the file will be once committed.</summary>
    public string FinalPath { get; }

    /// <summary>The temporary file being written.</summary>
    public string TemporaryPath { get; } = "";

    /// <summary>The stream to write to (seekable).</summary>
    public FileStream Stream { get; }

    /// <summary>Writes a whole file atomically.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        using var file = new AtomicFile(path);
        try
        {
            write(file.Stream);
            file.Stream.Flush();
        }
        catch (IOException e)
        {
            // A full disk or a failing device, met while writing the hidden temporary file: say it of the file asked for.
            throw new CryoSharpException($"{path}: {FileSystemError.Writing(e, path)}", e);
        }

        file.Commit();
    }

    /// <summary>Writes text (UTF-8, no byte-order mark) atomically.</summary>
    public static void WriteAllText(string path, string text) =>
        Write(path, s =>
        {
            using var writer = new StreamWriter(s, new System.Text.UTF8Encoding(false), 1 << 16, leaveOpen: true);
            writer.Write(text);
        });

    /// <summary>Writes bytes atomically.</summary>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        using var file = new AtomicFile(path);
        file.Stream.Write(bytes);
        file.Commit();
    }

    /// <summary>Flushes to disk and renames the temporary file to its final name.</summary>
    public void Commit()
    {
        ObjectDisposedException.ThrowIf(committed, this);
        try
        {
            Stream.Flush(flushToDisk: true);
            Stream.Dispose();
            File.Move(TemporaryPath, FinalPath, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CryoSharpException($"{FinalPath}: {FileSystemError.Writing(e, FinalPath)}", e);
        }

        committed = true;
    }

    /// <summary>Abandons an uncommitted file.</summary>
    public void Dispose()
    {
        if (committed)
        {
            return;
        }

        try
        {
            // Disposing flushes what is buffered, which fails again on a full disk; the file goes either way.
            Stream.Dispose();
        }
        catch (IOException)
        {
        }

        try
        {
            File.Delete(TemporaryPath);
        }
        catch (IOException)
        {
            // Leaving a stray temporary file is better than hiding the error that brought us here.
        }

        committed = true;
    }
}
