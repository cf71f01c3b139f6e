using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using CryoSharp.Imaging;
using CryoSharp.Numerics;
using Microsoft.Win32.SafeHandles;

namespace CryoSharp.IO;

/// <summary>
/// Reads an MRC map or stack. The header is checked against the file's real length when it is opened; sections
/// (the images of a stack) are read on demand with positional reads, so a 20 GB stack is never loaded whole and
/// many threads can read one file at once. Every problem is an <see cref="InvalidFileException"/> naming the file.
/// </summary>
public sealed class MrcReader : IDisposable
{
    private readonly SafeFileHandle handle;
    private readonly long dataOffset;

    /// <summary>Opens and validates <paramref name="path"/>.</summary>
    public MrcReader(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        FilePath = path;
        RegularFile.Require(path);
        try
        {
            handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw InvalidFileException.Opening(path, e);
        }

        try
        {
            FileLength = RandomAccess.GetLength(handle);
            Header = ReadHeader();
            if ((long)Header.Nx * Header.Ny > int.MaxValue / 2)
            {
                throw new InvalidFileException(path, string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"has sections of {Header.Nx} × {Header.Ny} = {(long)Header.Nx * Header.Ny:N0} pixels, more than one image can hold ({int.MaxValue / 2:N0}); crop or bin it first"));
            }
            dataOffset = MrcHeader.Size + (long)Header.ExtendedHeaderBytes;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Whether reading a NaN or infinite sample is an error naming the section and pixel (the default), or the
    /// value is passed through (for inspection, as <c>cryosharp info</c> does).
    /// </summary>
    public bool RejectNonFinite { get; init; } = true;

    /// <summary>The file being read.</summary>
    public string FilePath { get; }

    /// <summary>The parsed header.</summary>
    public MrcHeader Header { get; }

    /// <summary>Length of the file in bytes.</summary>
    public long FileLength { get; }

    /// <summary>The data mode.</summary>
    public MrcMode Mode => (MrcMode)Header.Mode;

    /// <summary>The shape of one section (an image of a stack).</summary>
    public GridShape SectionShape => new(Header.Nx, Header.Ny);

    /// <summary>Number of sections (images, for a stack).</summary>
    public int SectionCount => Header.Nz;

    /// <summary>
    /// True when the file is an image stack. RELION decides by extension (.mrcs is a stack, .mrc a map) and writes
    /// maps with space group 0, so the extension wins; otherwise a header with space group 0 and several sections
    /// is taken as a stack.
    /// </summary>
    public bool IsStack => Path.GetExtension(FilePath).ToLowerInvariant() switch
    {
        ".mrcs" => true,
        ".mrc" or ".map" => false,
        _ => Header.SpaceGroup == 0 && Header.Nz > 1,
    };

    /// <summary>Pixel size in Å from the header, or 0 when the header has no cell size.</summary>
    public double PixelSizeA => Header.PixelSizeA;

    /// <summary>Reads the whole file as a volume.</summary>
    public static Volume ReadVolume(string path)
    {
        using var reader = new MrcReader(path);
        return reader.ReadVolume();
    }

    /// <summary>
    /// Reads a map whose pixel size matters (to simulate, project or measure resolution from): at
    /// <paramref name="pixelSizeA"/> when it is given, else at the header's. A header without a pixel size is refused,
    /// naming <paramref name="option"/>, rather than taken as 1 Å: a wrong pixel size gives wrong CTFs and resolutions
    /// without a word.
    /// </summary>
    public static Volume ReadVolume(string path, double? pixelSizeA, string option = "--pixel-size")
    {
        using var reader = new MrcReader(path);
        if (pixelSizeA is double given)
        {
            InvalidParameterException.ThrowIfNotPositive(option, given);
        }
        else if (!(reader.PixelSizeA > 0))
        {
            throw new InvalidFileException(path, $"the header gives no pixel size; give it with {option} (Å)");
        }

        var volume = reader.ReadVolume();
        return pixelSizeA is double p ? new Volume(volume.Nx, volume.Ny, volume.Nz, p, volume.Data) : volume;
    }

    /// <summary>Reads every section as an in-memory image stack (for stacks that fit in memory).</summary>
    public static ImageStack ReadStack(string path)
    {
        using var reader = new MrcReader(path);
        return reader.ReadSections(0, reader.SectionCount);
    }

    /// <summary>
    /// Reads the whole file as a volume, applying a non-standard axis order if the header has one.
    /// Uses 1 Å when the header has no pixel size.
    /// </summary>
    public Volume ReadVolume()
    {
        var h = Header;
        long voxels = (long)h.Nx * h.Ny * h.Nz;
        if (voxels > Array.MaxLength / 2)
        {
            throw new InvalidFileException(FilePath, string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"is {h.Nx} × {h.Ny} × {h.Nz} = {voxels:N0} voxels; one map can hold at most {Array.MaxLength / 2:N0} (crop or bin it first)"));
        }

        var raw = new float[voxels];
        ReadSectionsInto(0, h.Nz, raw);
        double pixel = PixelSizeA > 0 ? PixelSizeA : 1.0;
        if (h.AxisOrder == (1, 2, 3))
        {
            return new Volume(h.Nx, h.Ny, h.Nz, pixel, raw);
        }

        // Columns, rows and sections run along the axes the header names; reorder to x fastest.
        var axisLength = new int[3];
        axisLength[h.AxisOrder.Columns - 1] = h.Nx;
        axisLength[h.AxisOrder.Rows - 1] = h.Ny;
        axisLength[h.AxisOrder.Sections - 1] = h.Nz;
        var volume = new Volume(axisLength[0], axisLength[1], axisLength[2], pixel);
        Span<int> xyz = stackalloc int[3];
        int i = 0;
        for (int s = 0; s < h.Nz; s++)
        {
            for (int r = 0; r < h.Ny; r++)
            {
                for (int c = 0; c < h.Nx; c++)
                {
                    xyz[h.AxisOrder.Columns - 1] = c;
                    xyz[h.AxisOrder.Rows - 1] = r;
                    xyz[h.AxisOrder.Sections - 1] = s;
                    volume.Data[volume.Shape.Index(xyz[0], xyz[1], xyz[2])] = raw[i++];
                }
            }
        }

        return volume;
    }

    /// <summary>Reads <paramref name="count"/> sections starting at <paramref name="first"/> (0-based) as a stack.</summary>
    public ImageStack ReadSections(int first, int count)
    {
        var stack = new ImageStack(Header.Nx, Header.Ny, count, PixelSizeA > 0 ? PixelSizeA : 1.0);
        ReadSectionsInto(first, count, stack.Data);
        return stack;
    }

    /// <summary>Reads section <paramref name="index"/> (0-based) as an image.</summary>
    public Image ReadImage(int index)
    {
        var image = new Image(Header.Nx, Header.Ny, PixelSizeA > 0 ? PixelSizeA : 1.0);
        ReadSectionsInto(index, 1, image.Data);
        return image;
    }

    /// <summary>Reads sections [first, first + count) into <paramref name="destination"/> as floats. Thread-safe.</summary>
    public void ReadSectionsInto(int first, int count, Span<float> destination)
    {
        if (first < 0 || count < 0 || first + (long)count > Header.Nz)
        {
            throw new InvalidFileException(FilePath,
                $"sections {first + 1}..{first + count} requested but the file has {Header.Nz}");
        }

        long sectionSamples = (long)Header.Nx * Header.Ny;
        ReadSamples(first * sectionSamples, sectionSamples * count, destination,
            i => $"section {first + (i / sectionSamples) + 1} holds a non-finite value (NaN or infinity) at pixel {i % sectionSamples}");
    }

    /// <summary>
    /// Reads rows [<paramref name="firstRow"/>, <paramref name="firstRow"/> + <paramref name="rows"/>) of section
    /// <paramref name="section"/> (0-based) into <paramref name="destination"/>: a band of a micrograph too large to
    /// read whole. Thread-safe.
    /// </summary>
    public void ReadRowsInto(int section, int firstRow, int rows, Span<float> destination)
    {
        if (section < 0 || section >= Header.Nz || firstRow < 0 || rows < 0 || firstRow + (long)rows > Header.Ny)
        {
            throw new InvalidFileException(FilePath,
                $"rows {firstRow + 1}..{firstRow + rows} of section {section + 1} requested but the file has {Header.Nz} sections of {Header.Ny} rows");
        }

        long start = (section * (long)Header.Nx * Header.Ny) + ((long)firstRow * Header.Nx);
        ReadSamples(start, (long)rows * Header.Nx, destination,
            i => $"row {firstRow + (i / Header.Nx) + 1} of section {section + 1} holds a non-finite value (NaN or infinity) at column {(i % Header.Nx) + 1}");
    }

    private void ReadSamples(long firstSample, long samples, Span<float> destination, Func<long, string> nonFinite)
    {
        if (destination.Length < samples)
        {
            throw new ArgumentException($"Destination holds {destination.Length} samples; {samples} are needed.");
        }

        int bps = Header.BytesPerSample;
        long offset = dataOffset + (firstSample * bps);
        long sectionSamples = (long)Header.Nx * Header.Ny;

        // Chunks of whole sections (or of 4 MB) keep the temporary buffer small for any stack size.
        long chunkSamples = Math.Max(Math.Min(sectionSamples, 1L << 20), (1L << 22) / bps / sectionSamples * sectionSamples);
        var buffer = ArrayPool<byte>.Shared.Rent((int)(Math.Min(chunkSamples, Math.Max(samples, 1)) * bps));
        try
        {
            for (long done = 0; done < samples;)
            {
                int n = (int)Math.Min(chunkSamples, samples - done);
                var bytes = buffer.AsSpan(0, n * bps);
                ReadExactly(bytes, offset + (done * bps));
                Convert(bytes, destination.Slice((int)done, n));
                done += n;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        for (int i = 0; RejectNonFinite && i < samples; i++)
        {
            if (!float.IsFinite(destination[i]))
            {
                throw new InvalidFileException(FilePath, nonFinite(i));
            }
        }
    }

    /// <inheritdoc />
    public void Dispose() => handle.Dispose();

    private MrcHeader ReadHeader()
    {
        if (FileLength < MrcHeader.Size)
        {
            throw new InvalidFileException(FilePath,
                $"truncated: the file has {FileLength} bytes, fewer than the 1024-byte MRC header");
        }

        Span<byte> bytes = stackalloc byte[MrcHeader.Size];
        ReadExactly(bytes, 0);
        var h = MrcHeader.Parse(bytes)!;
        if (h.Nx <= 0 || h.Ny <= 0 || h.Nz <= 0 || h.Nx > MrcLimits.MaxDimension || h.Ny > MrcLimits.MaxDimension ||
            h.Nz > MrcLimits.MaxSections)
        {
            throw new InvalidFileException(FilePath,
                $"nonsense dimensions {h.Nx}×{h.Ny}×{h.Nz} in the header: not an MRC file, or a damaged one");
        }

        if (h.BytesPerSample == 0)
        {
            throw new InvalidFileException(FilePath, $"unsupported MRC mode {h.Mode} (CryoSharp reads modes 0, 1, 2, 6 and 12)");
        }

        if (h.ExtendedHeaderBytes < 0 || MrcHeader.Size + (long)h.ExtendedHeaderBytes > FileLength)
        {
            throw new InvalidFileException(FilePath,
                $"the extended header size {h.ExtendedHeaderBytes} does not fit in a file of {FileLength} bytes");
        }

        var order = new[] { h.AxisOrder.Columns, h.AxisOrder.Rows, h.AxisOrder.Sections };
        if (order.Order().SequenceEqual([1, 2, 3]) is false)
        {
            // Some writers leave the axis order zero; that means the standard order.
            if (order.All(a => a == 0))
            {
                h.AxisOrder = (1, 2, 3);
            }
            else
            {
                throw new InvalidFileException(FilePath,
                    $"axis order (mapc, mapr, maps) = ({order[0]}, {order[1]}, {order[2]}) is not a permutation of 1, 2, 3");
            }
        }

        long expected = MrcHeader.Size + (long)h.ExtendedHeaderBytes + ((long)h.Nx * h.Ny * h.Nz * h.BytesPerSample);
        if (FileLength < expected)
        {
            throw new InvalidFileException(FilePath,
                $"truncated: the header describes {h.Nx}×{h.Ny}×{h.Nz} samples of mode {h.Mode} ({expected} bytes " +
                $"with the header) but the file has {FileLength} bytes");
        }

        if (FileLength > expected)
        {
            throw new InvalidFileException(FilePath,
                $"size mismatch: the header describes {h.Nx}×{h.Ny}×{h.Nz} samples of mode {h.Mode} ({expected} bytes " +
                $"with the header) but the file has {FileLength} bytes");
        }

        return h;
    }

    private void ReadExactly(Span<byte> bytes, long offset)
    {
        while (!bytes.IsEmpty)
        {
            int n = RandomAccess.Read(handle, bytes, offset);
            if (n <= 0)
            {
                throw new InvalidFileException(FilePath, $"truncated: unexpected end of file at byte {offset}");
            }

            bytes = bytes[n..];
            offset += n;
        }
    }

    private void Convert(ReadOnlySpan<byte> bytes, Span<float> destination)
    {
        bool swap = Header.BigEndian == BitConverter.IsLittleEndian;
        switch (Mode)
        {
            case MrcMode.Float32:
                var floats = MemoryMarshal.Cast<byte, float>(bytes);
                if (swap)
                {
                    var ints = MemoryMarshal.Cast<byte, int>(bytes);
                    for (int i = 0; i < ints.Length; i++)
                    {
                        destination[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReverseEndianness(ints[i]));
                    }
                }
                else
                {
                    floats.CopyTo(destination);
                }

                break;
            case MrcMode.Int8:
                if (Header.SignedBytes)
                {
                    System.Numerics.Tensors.TensorPrimitives.ConvertTruncating<sbyte, float>(
                        MemoryMarshal.Cast<byte, sbyte>(bytes), destination);
                }
                else
                {
                    System.Numerics.Tensors.TensorPrimitives.ConvertTruncating<byte, float>(bytes, destination);
                }

                break;
            case MrcMode.Int16:
                var shorts = MemoryMarshal.Cast<byte, short>(bytes);
                for (int i = 0; i < shorts.Length; i++)
                {
                    destination[i] = swap ? BinaryPrimitives.ReverseEndianness(shorts[i]) : shorts[i];
                }

                break;
            case MrcMode.UInt16:
                var ushorts = MemoryMarshal.Cast<byte, ushort>(bytes);
                for (int i = 0; i < ushorts.Length; i++)
                {
                    destination[i] = swap ? BinaryPrimitives.ReverseEndianness(ushorts[i]) : ushorts[i];
                }

                break;
            case MrcMode.Float16:
                var halves = MemoryMarshal.Cast<byte, ushort>(bytes);
                for (int i = 0; i < halves.Length; i++)
                {
                    ushort bits = swap ? BinaryPrimitives.ReverseEndianness(halves[i]) : halves[i];
                    destination[i] = (float)BitConverter.UInt16BitsToHalf(bits);
                }

                break;
            default:
                throw new InvalidFileException(FilePath, $"unsupported MRC mode {Header.Mode}");
        }
    }
}
