using CryoSharp.IO;

namespace CryoSharp.Moments;

/// <summary>
/// Observations held in memory or read from an MRC stack of L × 1 sections (what <c>cryosharp mra simulate</c>
/// writes), with the true shifts when they are known.
/// </summary>
public sealed class MraObservationSet : IMraObservations, IDisposable
{
    private readonly float[]? data;
    private readonly MrcReader? reader;
    private readonly int[]? shifts;

    /// <summary>Wraps observations in memory (N rows of L values).</summary>
    public MraObservationSet(float[] observations, int length, int[]? trueShifts = null, int chunkSize = 16384)
    {
        ArgumentNullException.ThrowIfNull(observations);
        MraSignal.CheckLength(length);
        if (observations.Length % length != 0 || observations.Length == 0)
        {
            throw new InvalidParameterException("observations", observations.Length, $"must be a positive multiple of the length {length}");
        }

        data = observations;
        Length = length;
        Count = observations.Length / length;
        shifts = trueShifts;
        ChunkSize = chunkSize;
    }

    private MraObservationSet(MrcReader reader, int[]? trueShifts, int chunkSize)
    {
        this.reader = reader;
        Length = reader.SectionShape.Nx;
        Count = reader.SectionCount;
        shifts = trueShifts;
        ChunkSize = chunkSize;
    }

    /// <summary>Opens an MRC stack whose sections are L × 1 observations; shifts, when given, are one per section.</summary>
    public static MraObservationSet Open(string path, int[]? trueShifts = null)
    {
        var reader = new MrcReader(path);
        if (reader.SectionShape.Ny != 1)
        {
            reader.Dispose();
            throw new CryoSharpException($"{path}: sections are {reader.SectionShape.Nx} × {reader.SectionShape.Ny}; 1D observations are stored as L × 1 sections.");
        }

        if (trueShifts is not null && trueShifts.Length != reader.SectionCount)
        {
            reader.Dispose();
            throw new CryoSharpException($"{path}: {reader.SectionCount} observations but {trueShifts.Length} shifts.");
        }

        return new MraObservationSet(reader, trueShifts, 16384);
    }

    /// <inheritdoc />
    public int Length { get; }

    /// <inheritdoc />
    public long Count { get; }

    /// <inheritdoc />
    public int ChunkSize { get; }

    /// <inheritdoc />
    public bool HasShifts => shifts is not null;

    /// <inheritdoc />
    public void Read(int chunk, Span<float> observations, Span<int> trueShifts)
    {
        int n = ((IMraObservations)this).ChunkLength(chunk);
        long first = (long)chunk * ChunkSize;
        if (data is not null)
        {
            data.AsSpan((int)(first * Length), n * Length).CopyTo(observations);
        }
        else
        {
            reader!.ReadSectionsInto((int)first, n, observations[..(n * Length)]);
        }

        if (!trueShifts.IsEmpty && shifts is not null)
        {
            shifts.AsSpan((int)first, n).CopyTo(trueShifts);
        }
    }

    /// <inheritdoc />
    public void Dispose() => reader?.Dispose();
}
