using System.Text;
using System.Text.Json;
using CryoSharp.IO;

namespace CryoSharp.Moments.Images;

/// <summary>
/// The file <c>cryosharp moments</c> writes and <c>cryosharp mom3d</c> reads: a magic line, a little-endian int32
/// length and a UTF-8 JSON header (<see cref="ImageMomentsHeader"/>), then float64 arrays, little-endian: M̂¹ (d),
/// M̂² (d × d, row-major) and, with CTFs, K¹ (d) and K² (d × d). Written through a temporary file.
/// </summary>
public static class ImageMomentsFile
{
    /// <summary>The first line of every file.</summary>
    public const string Magic = "CRYOSHARP-IMAGE-MOMENTS-1\n";

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = false };

    /// <summary>Writes <paramref name="moments"/> with what is known of how they were made.</summary>
    public static void Write(string path, ImageMoments moments, ImageMomentsTruth? truth = null)
    {
        ArgumentNullException.ThrowIfNull(moments);
        var b = moments.Basis;
        var header = new ImageMomentsHeader(b.Box, b.PixelSizeA, b.RadiusPx, b.Dimension, moments.Count, moments.NoiseVariance, moments.NoiseEstimated,
            moments.HasCtf, moments.Description, truth);
        AtomicFile.Write(path, stream =>
        {
            using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
            writer.Write(Encoding.ASCII.GetBytes(Magic));
            var json = JsonSerializer.SerializeToUtf8Bytes(header, Json);
            writer.Write(json.Length);
            writer.Write(json);
            WriteArray(writer, moments.First);
            WriteArray(writer, moments.Second);
            if (moments.HasCtf)
            {
                WriteArray(writer, moments.CtfFirst!);
                WriteArray(writer, moments.CtfSecond!);
            }
        });
    }

    /// <summary>Reads a file; problems are one line naming it.</summary>
    public static (ImageMoments Moments, ImageMomentsHeader Header) Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new InvalidFileException(path, "does not exist");
        }

        try
        {
            using var stream = File.OpenRead(path);
            using var reader = new BinaryReader(stream);
            var magic = reader.ReadBytes(Magic.Length);
            if (Encoding.ASCII.GetString(magic) != Magic)
            {
                throw new InvalidFileException(path, "is not a moments file written by cryosharp moments");
            }

            int length = reader.ReadInt32();
            if (length is <= 0 or > 1 << 20)
            {
                throw new InvalidFileException(path, "has a damaged header");
            }

            var header = JsonSerializer.Deserialize<ImageMomentsHeader>(reader.ReadBytes(length), Json)
                ?? throw new InvalidFileException(path, "has an empty header");
            var basis = new ImageMomentBasis(header.Box, header.PixelSizeA, header.RadiusPx);
            int d = basis.Dimension;
            if (d != header.Dimension)
            {
                throw new InvalidFileException(path, $"says {header.Dimension} coordinates but its basis has {d}");
            }

            long expected = stream.Position + (8L * (d + ((long)d * d)) * (header.Ctf ? 2 : 1));
            if (stream.Length != expected)
            {
                throw new InvalidFileException(path, $"holds {stream.Length} bytes; its header needs {expected} (truncated or damaged)");
            }

            var first = ReadArray(reader, d);
            var second = ReadArray(reader, (long)d * d);
            double[]? k1 = null, k2 = null;
            if (header.Ctf)
            {
                k1 = ReadArray(reader, d);
                k2 = ReadArray(reader, (long)d * d);
            }

            return (new ImageMoments(basis, header.Count, header.NoiseVariance, header.NoiseEstimated, first, second, k1, k2, header.Description), header);
        }
        catch (Exception e) when (e is JsonException or EndOfStreamException or InvalidParameterException)
        {
            throw new InvalidFileException(path, $"is damaged ({e.Message})");
        }
    }

    private static void WriteArray(BinaryWriter writer, double[] values)
    {
        var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan());
        writer.Write(bytes);
    }

    private static double[] ReadArray(BinaryReader reader, long count)
    {
        var values = new double[count];
        var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan());
        if (reader.Read(bytes) != bytes.Length)
        {
            throw new EndOfStreamException("the arrays end early");
        }

        return values;
    }
}

/// <summary>The JSON header of a moments file.</summary>
/// <param name="Box">Image box in pixels.</param>
/// <param name="PixelSizeA">Pixel size in Å.</param>
/// <param name="RadiusPx">Radius of the Fourier disk in Fourier pixels.</param>
/// <param name="Dimension">Coordinates d.</param>
/// <param name="Count">Images N.</param>
/// <param name="NoiseVariance">σ² subtracted from the diagonal of M̂².</param>
/// <param name="NoiseEstimated">Whether σ² was estimated from the corners.</param>
/// <param name="Ctf">Whether the CTF factors K¹, K² follow the moments.</param>
/// <param name="Description">Where the images came from.</param>
/// <param name="Truth">The simulation's ground truth, when the moments come from one.</param>
public sealed record ImageMomentsHeader(int Box, double PixelSizeA, int RadiusPx, int Dimension, long Count, double NoiseVariance, bool NoiseEstimated,
    bool Ctf, string Description, ImageMomentsTruth? Truth);

/// <summary>What a simulation was made from, so that a fit can be scored against it.</summary>
/// <param name="Volume">The map projected (full path), as it was scaled for the simulation.</param>
/// <param name="VolumeScale">The factor the map was multiplied by before projecting (to norm 1, say).</param>
/// <param name="Views">The view distribution, in words.</param>
/// <param name="ViewDirections">The distribution's mixture, when it is one of von Mises–Fisher parts: x, y, z, κ, weight per part.</param>
/// <param name="NoiseSigma">The noise standard deviation per pixel.</param>
public sealed record ImageMomentsTruth(string Volume, double VolumeScale, string Views, double[][]? ViewDirections, double NoiseSigma);
