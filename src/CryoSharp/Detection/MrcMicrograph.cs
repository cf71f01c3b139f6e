using CryoSharp.IO;

namespace CryoSharp.Detection;

/// <summary>
/// A micrograph in an MRC file (a single section, any mode MRC files hold), read band by band from disk so that
/// its size is limited by the disk, not by memory.
/// </summary>
public sealed class MrcMicrograph : IMicrograph, IDisposable
{
    private readonly MrcReader reader;

    /// <summary>Opens <paramref name="path"/>; a stack or volume of more than one section is an error naming the file.</summary>
    public MrcMicrograph(string path)
    {
        reader = new MrcReader(path);
        if (reader.SectionCount != 1)
        {
            reader.Dispose();
            throw new InvalidFileException(path, $"holds {reader.SectionCount} sections; a micrograph is one image");
        }
    }

    /// <summary>The file.</summary>
    public string FilePath => reader.FilePath;

    /// <inheritdoc />
    public int Width => reader.SectionShape.Nx;

    /// <inheritdoc />
    public int Height => reader.SectionShape.Ny;

    /// <inheritdoc />
    public double PixelSizeA => reader.PixelSizeA > 0 ? reader.PixelSizeA : 1.0;

    /// <inheritdoc />
    public void ReadRows(int firstRow, int rows, Span<float> destination) => reader.ReadRowsInto(0, firstRow, rows, destination);

    /// <inheritdoc />
    public void Dispose() => reader.Dispose();
}
