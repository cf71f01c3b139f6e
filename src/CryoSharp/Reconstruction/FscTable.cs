using System.Globalization;
using System.Text;
using CryoSharp.IO;

namespace CryoSharp.Reconstruction;

/// <summary>An FSC curve as a CSV file: shell, frequency (1/Å), resolution (Å) and FSC per shell.</summary>
public static class FscTable
{
    /// <summary>Writes <paramref name="curve"/> to <paramref name="path"/> (atomically).</summary>
    public static void Write(string path, FscCurve curve)
    {
        ArgumentNullException.ThrowIfNull(curve);
        var csv = new StringBuilder("shell,frequency_per_A,resolution_A,fsc\n");
        for (int s = 0; s < curve.Values.Length; s++)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{s},{curve.Frequency(s):G6},{(s == 0 ? double.PositiveInfinity : 1 / curve.Frequency(s)):G6},{curve.Values[s]:G6}\n");
        }

        AtomicFile.WriteAllText(path, csv.ToString());
    }
}
