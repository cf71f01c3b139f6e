using CryoSharp.IO;

namespace CryoSharp.Detection;

/// <summary>
/// A measurement held in memory, or read from an MRC stack of rows (what <c>cryosharp mtd simulate</c> writes:
/// sections of <see cref="RowLength"/> × 1 samples, the last one zero-padded, with the true length alongside).
/// </summary>
public sealed class MtdMeasurementSet : IMtdMeasurement, IDisposable
{
    /// <summary>Samples per MRC section in measurement files.</summary>
    public const int RowLength = 8192;

    private readonly float[]? data;
    private readonly MrcReader? reader;

    /// <summary>Wraps samples in memory.</summary>
    public MtdMeasurementSet(float[] samples, int chunkSize = 1 << 20)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Length == 0)
        {
            throw new InvalidParameterException("measurement length", 0, "must be positive");
        }

        data = samples;
        Length = samples.Length;
        ChunkSize = chunkSize;
    }

    private MtdMeasurementSet(MrcReader reader, long length)
    {
        this.reader = reader;
        Length = length;
        ChunkSize = RowLength * 128;
    }

    /// <summary>Opens a measurement file of <paramref name="length"/> samples.</summary>
    public static MtdMeasurementSet Open(string path, long length)
    {
        var reader = new MrcReader(path);
        if (reader.SectionShape.Nx != RowLength || reader.SectionShape.Ny != 1 || (long)reader.SectionCount * RowLength < length || length < 1)
        {
            reader.Dispose();
            throw new CryoSharpException($"{path}: expected sections of {RowLength} × 1 holding {length} samples, found {reader.SectionCount} sections of {reader.SectionShape.Nx} × {reader.SectionShape.Ny}.");
        }

        return new MtdMeasurementSet(reader, length);
    }

    /// <summary>Materialises any measurement in memory (for timing passes without generation or disk).</summary>
    public static MtdMeasurementSet Materialize(IMtdMeasurement source, Numerics.ComputeContext? context = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source.Length > Array.MaxLength)
        {
            throw new InvalidParameterException("measurement length", source.Length, "is too long to hold in memory");
        }

        var samples = new float[source.Length];
        Parallel.For(0, source.ChunkCount, (context ?? Numerics.ComputeContext.Default).ParallelOptions, c =>
        {
            int n = source.ChunkLength(c);
            var buffer = new float[n];
            source.Read(c, 0, buffer);
            buffer.CopyTo(samples, (long)c * source.ChunkSize);
        });
        return new MtdMeasurementSet(samples, source.ChunkSize);
    }

    /// <inheritdoc />
    public long Length { get; }

    /// <inheritdoc />
    public int ChunkSize { get; }

    /// <inheritdoc />
    public int Read(int chunk, int halo, Span<float> destination)
    {
        var self = (IMtdMeasurement)this;
        int n = self.ChunkLength(chunk);
        long start = (long)chunk * ChunkSize;
        int extra = (int)Math.Min(halo, Length - start - n);
        if (data is not null)
        {
            data.AsSpan((int)start, n + extra).CopyTo(destination);
        }
        else
        {
            // Chunks are whole rows; the halo comes from the next row.
            int firstRow = (int)(start / RowLength);
            int rows = (int)Math.Min((n + extra + RowLength - 1) / RowLength, reader!.SectionCount - firstRow);
            var buffer = new float[rows * RowLength];
            reader.ReadSectionsInto(firstRow, rows, buffer);
            buffer.AsSpan(0, n + extra).CopyTo(destination);
        }

        return extra;
    }

    /// <inheritdoc />
    public void Dispose() => reader?.Dispose();
}
