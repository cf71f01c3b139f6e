using System.Buffers.Binary;
using System.IO.Compression;

namespace CryoSharp.Reports;

/// <summary>
/// Encodes 8-bit grayscale or RGB images as PNG (ISO/IEC 15948) with the framework's zlib alone: signature,
/// IHDR, one IDAT of filtered scanlines, IEND, each chunk with its CRC-32.
/// </summary>
public static class PngEncoder
{
    private static readonly uint[] CrcTable = MakeCrcTable();

    /// <summary>The PNG bytes of a raster.</summary>
    public static byte[] Encode(Raster raster)
    {
        ArgumentNullException.ThrowIfNull(raster);
        int channels = raster.Channels;
        int stride = raster.Width * channels;
        using var output = new MemoryStream();
        output.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);

        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, raster.Width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), raster.Height);
        header[8] = 8; // bits per channel
        header[9] = (byte)(channels == 1 ? 0 : 2); // grayscale or truecolour
        WriteChunk(output, "IHDR", header);

        using (var compressed = new MemoryStream())
        {
            using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
            {
                // Filter "Up" (2) on every row but the first: smooth images compress far better than unfiltered.
                var row = new byte[stride + 1];
                for (int y = 0; y < raster.Height; y++)
                {
                    var current = raster.Pixels.AsSpan(y * stride, stride);
                    row[0] = (byte)(y == 0 ? 0 : 2);
                    for (int i = 0; i < stride; i++)
                    {
                        row[i + 1] = y == 0 ? current[i] : (byte)(current[i] - raster.Pixels[((y - 1) * stride) + i]);
                    }

                    zlib.Write(row);
                }
            }

            WriteChunk(output, "IDAT", compressed.ToArray());
        }

        WriteChunk(output, "IEND", []);
        return output.ToArray();
    }

    /// <summary>Encodes and writes a PNG file atomically.</summary>
    public static void Save(string path, Raster raster) => IO.AtomicFile.WriteAllBytes(path, Encode(raster));

    /// <summary>CRC-32 (ISO 3309, as PNG uses) of <paramref name="data"/>.</summary>
    public static uint Crc32(ReadOnlySpan<byte> data, uint crc = 0xFFFFFFFFu)
    {
        foreach (byte b in data)
        {
            crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return crc;
    }

    private static void WriteChunk(Stream output, string type, ReadOnlySpan<byte> data)
    {
        Span<byte> head = stackalloc byte[8];
        BinaryPrimitives.WriteInt32BigEndian(head, data.Length);
        System.Text.Encoding.ASCII.GetBytes(type, head[4..]);
        output.Write(head);
        output.Write(data);
        uint crc = Crc32(data, Crc32(head[4..])) ^ 0xFFFFFFFFu;
        Span<byte> tail = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(tail, crc);
        output.Write(tail);
    }

    private static uint[] MakeCrcTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }
}
