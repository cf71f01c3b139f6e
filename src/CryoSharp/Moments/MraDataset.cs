using CryoSharp.Imaging;
using CryoSharp.IO;
using CryoSharp.Numerics;

namespace CryoSharp.Moments;

/// <summary>
/// An MRA data set on disk, as <c>cryosharp mra simulate</c> writes it and <c>mra solve --data</c> reads it:
/// <c>observations.mrcs</c> (N sections of L × 1), <c>shifts.mrc</c> (the true shifts, N × 1) and <c>truth.json</c>.
/// </summary>
public static class MraDataset
{
    /// <summary>The observations' file name.</summary>
    public const string ObservationsFile = "observations.mrcs";

    /// <summary>The true shifts' file name.</summary>
    public const string ShiftsFile = "shifts.mrc";

    /// <summary>The truth's file name.</summary>
    public const string TruthFileName = "truth.json";

    /// <summary>Writes every observation of <paramref name="observations"/>, its shifts and the truth into the staging folder of <paramref name="set"/>.</summary>
    /// <param name="observations">The data (with true shifts, such as a simulation).</param>
    /// <param name="truth">What the data were made from.</param>
    /// <param name="set">The output set the files are staged in (they appear when it is committed).</param>
    /// <param name="progress">Chunks written.</param>
    public static void Save(IMraObservations observations, MraTruth truth, OutputSet set, IProgress<long>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(observations);
        ArgumentNullException.ThrowIfNull(truth);
        if (!observations.HasShifts)
        {
            throw new ArgumentException("A data set is saved with its true shifts.", nameof(observations));
        }

        if (observations.Count > int.MaxValue / 2)
        {
            throw new InvalidParameterException("--count", observations.Count, "is too many to write to one MRC stack");
        }

        int l = observations.Length;
        var allShifts = new float[observations.Count];
        using (var writer = new MrcStackWriter(set.Stage(ObservationsFile), new GridShape(l, 1), 1.0))
        {
            var buffer = new float[observations.ChunkSize * l];
            var shifts = new int[observations.ChunkSize];
            for (int c = 0; c < observations.ChunkCount; c++)
            {
                int n = observations.ChunkLength(c);
                observations.Read(c, buffer, shifts);
                writer.Append(buffer.AsSpan(0, n * l));
                for (int j = 0; j < n; j++)
                {
                    allShifts[((long)c * observations.ChunkSize) + j] = shifts[j];
                }

                progress?.Report(c + 1);
            }

            writer.Complete();
        }

        MrcWriter.Write(set.Stage(ShiftsFile), new Image(allShifts.Length, 1, 1.0, allShifts));
        TruthFile.Write(set.Stage(TruthFileName), truth);
    }

    /// <summary>Opens a data set written by <see cref="Save"/>: the observations (with their true shifts) and the truth.</summary>
    public static (MraObservationSet Observations, MraTruth Truth) Open(string directory)
    {
        var truth = TruthFile.Read<MraTruth>(Path.Combine(directory, TruthFileName), "cryosharp mra simulate");
        var shifts = MrcReader.ReadStack(Path.Combine(directory, ShiftsFile));
        var observations = MraObservationSet.Open(Path.Combine(directory, ObservationsFile), [.. shifts.Data.Select(v => (int)v)]);
        return (observations, truth);
    }
}
