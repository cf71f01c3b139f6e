using CryoSharp.IO;
using CryoSharp.Numerics;

namespace CryoSharp.Detection;

/// <summary>
/// An MTD measurement on disk, as <c>cryosharp mtd simulate</c> writes it and <c>mtd solve --data</c> reads it:
/// <c>measurement.mrcs</c> (sections of <see cref="MtdMeasurementSet.RowLength"/> × 1 samples, the last zero-padded)
/// and <c>truth.json</c>.
/// </summary>
public static class MtdDataset
{
    /// <summary>The measurement's file name.</summary>
    public const string MeasurementFile = "measurement.mrcs";

    /// <summary>The truth's file name.</summary>
    public const string TruthFileName = "truth.json";

    /// <summary>Streams <paramref name="measurement"/> and the truth into the staging folder of <paramref name="set"/>.</summary>
    public static void Save(IMtdMeasurement measurement, MtdTruth truth, OutputSet set, IProgress<long>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(measurement);
        ArgumentNullException.ThrowIfNull(truth);
        const int row = MtdMeasurementSet.RowLength;
        using (var writer = new MrcStackWriter(set.Stage(MeasurementFile), new GridShape(row, 1), 1.0))
        {
            var buffer = new float[measurement.ChunkSize + row];
            for (int c = 0; c < measurement.ChunkCount; c++)
            {
                int n = measurement.ChunkLength(c);
                measurement.Read(c, 0, buffer);
                int rows = (n + row - 1) / row;
                buffer.AsSpan(n, (rows * row) - n).Clear();
                writer.Append(buffer.AsSpan(0, rows * row));
                progress?.Report(c + 1);
            }

            writer.Complete();
        }

        TruthFile.Write(set.Stage(TruthFileName), truth);
    }

    /// <summary>Opens a measurement written by <see cref="Save"/> and its truth.</summary>
    public static (MtdMeasurementSet Measurement, MtdTruth Truth) Open(string directory)
    {
        var truth = TruthFile.Read<MtdTruth>(Path.Combine(directory, TruthFileName), "cryosharp mtd simulate");
        return (MtdMeasurementSet.Open(Path.Combine(directory, MeasurementFile), truth.MeasurementLength), truth);
    }
}
