using System.Runtime.InteropServices;

namespace CryoSharp.IO;

/// <summary>
/// Whether a path is a regular file, asked of the operating system (stat) before a file is opened: opening a named
/// pipe (FIFO) for reading waits forever for a writer, and .NET's file attributes do not tell pipes and devices from
/// files.
/// </summary>
internal static partial class RegularFile
{
    private const uint TypeMask = 0xF000, Regular = 0x8000;

    /// <summary>Throws an <see cref="InvalidFileException"/> when <paramref name="path"/> exists and is not a regular file.</summary>
    public static void Require(string path)
    {
        if (Directory.Exists(path))
        {
            throw new InvalidFileException(path, "is a folder, not a file");
        }

        if (Mode(path) is uint mode && (mode & TypeMask) != Regular)
        {
            throw new InvalidFileException(path, "is not a regular file (a pipe, socket or device); give a file");
        }
    }

    /// <summary>The st_mode of a path (links followed), or null where it cannot be asked.</summary>
    private static uint? Mode(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        // struct stat: st_mode follows dev, ino and nlink on x86-64, dev and ino on 64-bit Arm.
        int offset = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => 24,
            Architecture.Arm64 => 16,
            _ => -1,
        };
        if (offset < 0)
        {
            return null;
        }

        Span<byte> buffer = stackalloc byte[256];
        try
        {
            return Stat(path, buffer) == 0 ? BitConverter.ToUInt32(buffer.Slice(offset, 4)) : null;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    [LibraryImport("libc", EntryPoint = "stat", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Stat(string path, Span<byte> buffer);
}
