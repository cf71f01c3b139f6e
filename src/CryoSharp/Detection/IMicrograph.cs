namespace CryoSharp.Detection;

/// <summary>
/// A micrograph read in bands of whole rows, so that micrographs far larger than memory (10,000² and beyond) can be
/// passed over band by band. Row r, column c is sample r·<see cref="Width"/> + c of a band starting at row 0. Contents
/// never depend on who reads them or when; reads are thread-safe.
/// </summary>
public interface IMicrograph
{
    /// <summary>Columns (pixels along x).</summary>
    int Width { get; }

    /// <summary>Rows (pixels along y).</summary>
    int Height { get; }

    /// <summary>Pixel size in Å.</summary>
    double PixelSizeA { get; }

    /// <summary>Writes rows [<paramref name="firstRow"/>, <paramref name="firstRow"/> + <paramref name="rows"/>) into <paramref name="destination"/> (rows · <see cref="Width"/> samples).</summary>
    void ReadRows(int firstRow, int rows, Span<float> destination);
}
