using System.Globalization;
using CryoSharp.IO;
using CryoSharp.IO.Star;

namespace CryoSharp.Detection;

/// <summary>
/// A simulated micrograph on disk, as <c>cryosharp micrograph simulate</c> writes it: <c>micrograph.mrc</c> (written
/// band by band, so its size is bounded by the disk), <c>truth.star</c> (every copy: RELION's rlnCoordinateX/Y, the
/// centre of its box at (L/2, L/2) within it, in pixels, and rlnAngleRot/Tilt/Psi) and <c>truth.json</c>.
/// </summary>
public static class MicrographDataset
{
    /// <summary>The micrograph's file name.</summary>
    public const string MicrographFile = "micrograph.mrc";

    /// <summary>The copies' file name.</summary>
    public const string CopiesFile = "truth.star";

    /// <summary>The truth's file name.</summary>
    public const string TruthFileName = "truth.json";

    /// <summary>Rows rendered and written at a time.</summary>
    public const int BandRows = 256;

    /// <summary>Streams the micrograph, the copies and the truth into the staging folder of <paramref name="set"/>; reports rows written.</summary>
    public static void Save(MicrographSimulation simulation, MicrographTruth truth, OutputSet set, IProgress<long>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(simulation);
        ArgumentNullException.ThrowIfNull(truth);
        ArgumentNullException.ThrowIfNull(set);
        int w = simulation.Width, h = simulation.Height;
        using (var writer = new MrcStackWriter(set.Stage(MicrographFile), new Numerics.GridShape(w, h), simulation.PixelSizeA, MrcFileKind.Stack))
        {
            int bandCount = (h + BandRows - 1) / BandRows;
            var bands = new float[2][];
            bands[0] = new float[(long)w * BandRows > int.MaxValue ? throw new InvalidParameterException("--size", w, "is too wide") : w * BandRows];
            bands[1] = new float[w * BandRows];

            // Render the next band while the last one is written.
            Task? rendering = null;
            for (int b = 0; b < bandCount; b++)
            {
                int first = b * BandRows, rows = Math.Min(BandRows, h - first);
                var band = bands[b % 2];
                if (rendering is null)
                {
                    simulation.ReadRows(first, rows, band);
                }
                else
                {
                    rendering.Wait();
                }

                if (b + 1 < bandCount)
                {
                    int next = first + BandRows, nextRows = Math.Min(BandRows, h - next);
                    var target = bands[(b + 1) % 2];
                    rendering = Task.Run(() => simulation.ReadRows(next, nextRows, target));
                }

                writer.AppendRows(band.AsSpan(0, rows * w));
                progress?.Report(first + rows);
            }

            writer.Complete();
        }

        WriteCopies(set.Stage(CopiesFile), simulation);
        TruthFile.Write(set.Stage(TruthFileName), truth);
    }

    /// <summary>Opens the truth of a folder <see cref="Save"/> wrote.</summary>
    public static MicrographTruth OpenTruth(string directory) =>
        TruthFile.Read<MicrographTruth>(Path.Combine(directory, TruthFileName), "cryosharp micrograph simulate");

    private static void WriteCopies(string path, MicrographSimulation simulation)
    {
        AtomicFile.Write(path, stream =>
        {
            using var text = new StreamWriter(stream, leaveOpen: true);
            WriteCopies(text, simulation);
        });
    }

    private static void WriteCopies(TextWriter text, MicrographSimulation simulation)
    {
        var copies = simulation.Copies;
        int half = simulation.Targets.Size / 2;
        StarWriter.WriteBlockHeader("particles", null, text);
        string[] columns = ["rlnCoordinateX", "rlnCoordinateY", "rlnAngleRot", "rlnAngleTilt", "rlnAnglePsi"];
        StarWriter.WriteLoop(columns, copies.Count, (r, row) =>
        {
            var c = copies[r];
            row[0] = (c.X + half).ToString(CultureInfo.InvariantCulture);
            row[1] = (c.Y + half).ToString(CultureInfo.InvariantCulture);
            row[2] = c.RotDeg.ToString("0.######", CultureInfo.InvariantCulture);
            row[3] = c.TiltDeg.ToString("0.######", CultureInfo.InvariantCulture);
            row[4] = c.PsiDeg.ToString("0.######", CultureInfo.InvariantCulture);
        }, text);
    }
}
