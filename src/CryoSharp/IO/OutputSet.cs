using System.Globalization;
using System.Text;

namespace CryoSharp.IO;

/// <summary>
/// The files one run of a command writes into a folder, made to appear together or not at all. The run holds a lock
/// on the folder (a second run into it is refused while the first is alive), writes every file into a staging folder
/// inside it, and commits: a journal naming every staged file is written, the files are renamed into place, and the
/// journal is removed. A run killed before the journal leaves the old set untouched; one killed during the renames
/// (microseconds) leaves the journal, and the next run into the folder finishes the renames before anything else.
/// Staging folders of killed runs are removed by the next run.
/// </summary>
public sealed class OutputSet : IDisposable
{
    private const string LockName = ".cryosharp.lock";

    // Who holds the lock, beside it: the locked file cannot be read by another process while it is held.
    private const string OwnerName = ".cryosharp.owner";
    private const string JournalName = ".cryosharp.journal";
    private const string StagingPrefix = ".cryosharp-staging-";
    private readonly FileStream lockFile;
    private readonly List<string> names = [];
    private bool committed;

    private readonly bool createdFolder;

    private OutputSet(string directory, FileStream lockFile, string staging, bool createdFolder)
    {
        this.createdFolder = createdFolder;
        Directory = directory;
        this.lockFile = lockFile;
        StagingDirectory = staging;
    }

    /// <summary>The folder the files end up in.</summary>
    public string Directory { get; }

    /// <summary>Where the files are written until <see cref="Commit"/>.</summary>
    public string StagingDirectory { get; }

    /// <summary>
    /// Starts a set in <paramref name="directory"/> (created if needed): takes its lock, finishes a commit a killed run
    /// left, and removes the staging folders of killed runs.
    /// </summary>
    /// <param name="directory">The output folder.</param>
    /// <param name="option">The option that named it, for messages.</param>
    public static OutputSet Begin(string directory, string option = "--out")
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        string full = Path.GetFullPath(directory);
        bool created = !System.IO.Directory.Exists(full);
        try
        {
            System.IO.Directory.CreateDirectory(full);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidParameterException(option, directory, FileSystemError.MakingFolder(e, directory));
        }

        FileStream held;
        try
        {
            // FileShare.None is an exclusive advisory lock (flock) on Unix: the kernel drops it when the process dies.
            held = new FileStream(Path.Combine(full, LockName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e) when (FileSystemError.Unusual(e) is { } reason)
        {
            throw new InvalidParameterException(option, directory, $"the folder cannot be written: {reason}");
        }
        catch (IOException)
        {
            throw new InvalidParameterException(option, directory, Owner(full) is { } owner
                ? string.Create(CultureInfo.InvariantCulture,
                    $"another cryosharp run (process {owner.Pid}, started {owner.Started:yyyy-MM-dd HH:mm} UTC) is writing into this folder; wait for it to finish, stop it (kill {owner.Pid}) if it is stuck, or choose another folder")
                : "another cryosharp run is writing into this folder; wait for it to finish or choose another folder");
        }
        catch (UnauthorizedAccessException)
        {
            throw new InvalidParameterException(option, directory, "the folder is not writable by this user (permission denied)");
        }

        held.SetLength(0);
        held.Write(Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{Environment.ProcessId}\n")));
        held.Flush();
        AtomicFile.WriteAllText(Path.Combine(full, OwnerName),
            string.Create(CultureInfo.InvariantCulture, $"{Environment.ProcessId}\n{DateTime.UtcNow:O}\n"));
        Recover(full);
        string staging = Path.Combine(full, $"{StagingPrefix}{Environment.ProcessId}-{Guid.NewGuid():N}");
        System.IO.Directory.CreateDirectory(staging);
        return new OutputSet(full, held, staging, created);
    }

    /// <summary>The staging path of output <paramref name="name"/> (a file name in the folder); write it there.</summary>
    public string Stage(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name.Contains(Path.DirectorySeparatorChar, StringComparison.Ordinal) || name.StartsWith(".cryosharp", StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{name}' is not a plain file name.", nameof(name));
        }

        if (!names.Contains(name))
        {
            names.Add(name);
        }

        return Path.Combine(StagingDirectory, name);
    }

    /// <summary>The final path of output <paramref name="name"/>.</summary>
    public string Final(string name) => Path.Combine(Directory, name);

    /// <summary>Moves every staged file into the folder, as one set.</summary>
    public void Commit()
    {
        if (committed)
        {
            return;
        }

        var moves = names.Where(n => File.Exists(Path.Combine(StagingDirectory, n))).ToList();
        var journal = new StringBuilder();
        foreach (var n in moves)
        {
            journal.Append(Path.GetFileName(StagingDirectory)).Append('/').Append(n).Append('\n');
        }

        AtomicFile.WriteAllText(Path.Combine(Directory, JournalName), journal.ToString());
        Replay(Directory);
        committed = true;
    }

    /// <summary>Removes the staging folder (and its files, if not committed) and releases the lock.</summary>
    public void Dispose()
    {
        try
        {
            if (System.IO.Directory.Exists(StagingDirectory))
            {
                System.IO.Directory.Delete(StagingDirectory, recursive: true);
            }
        }
        catch (IOException)
        {
            // The next run removes it.
        }

        try
        {
            File.Delete(Path.Combine(Directory, OwnerName));
        }
        catch (IOException)
        {
            // A stale owner file names a process that no longer holds the lock; it is only read when the lock is held.
        }

        lockFile.Dispose();

        // A failed run into a folder it made leaves nothing behind.
        if (!committed && createdFolder)
        {
            try
            {
                File.Delete(Path.Combine(Directory, LockName));
                if (!System.IO.Directory.EnumerateFileSystemEntries(Directory).Any())
                {
                    System.IO.Directory.Delete(Directory);
                }
            }
            catch (IOException)
            {
                // Left as it is.
            }
        }
    }

    /// <summary>The process that holds the folder's lock and when it started, from the owner file beside the lock; null if unknown.</summary>
    private static (int Pid, DateTime Started)? Owner(string directory)
    {
        try
        {
            var lines = File.ReadAllLines(Path.Combine(directory, OwnerName));
            return lines.Length >= 2 && int.TryParse(lines[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out int pid) &&
                DateTime.TryParse(lines[1], CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var started)
                ? (pid, started.ToUniversalTime())
                : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Finishes a commit a killed run left, then removes the staging folders of dead runs (the lock is ours).</summary>
    private static void Recover(string directory)
    {
        Replay(directory);
        foreach (var staging in System.IO.Directory.EnumerateDirectories(directory, StagingPrefix + "*"))
        {
            try
            {
                System.IO.Directory.Delete(staging, recursive: true);
            }
            catch (IOException)
            {
                // Left for a later run.
            }
        }
    }

    /// <summary>Renames every file the journal names into place, then removes the journal.</summary>
    private static void Replay(string directory)
    {
        string journal = Path.Combine(directory, JournalName);
        if (!File.Exists(journal))
        {
            return;
        }

        foreach (var line in File.ReadAllLines(journal))
        {
            if (line.Length == 0)
            {
                continue;
            }

            string staged = Path.Combine(directory, line);
            string final = Path.Combine(directory, Path.GetFileName(line));
            if (File.Exists(staged))
            {
                File.Move(staged, final, overwrite: true);
            }
        }

        File.Delete(journal);
    }
}
