using System.Buffers.Binary;
using CryoSharp.Imaging;
using CryoSharp.IO;
using CryoSharp.Numerics;
using CryoSharp.Tests.Support;

namespace CryoSharp.Tests.IO;

public class MrcTests
{
    [SkippableFact]
    public void RibosomeMapRoundTripsExactly()
    {
        var path = SharedData.Require("ribosome70S_65.mrc");
        var original = MrcReader.ReadVolume(path);
        Assert.Equal((65, 65, 65), (original.Nx, original.Ny, original.Nz));
        using var temp = new TempDirectory();
        var copy = temp.File("copy.mrc");
        MrcWriter.Write(copy, original);
        var reread = MrcReader.ReadVolume(copy);
        Assert.Equal(original.Data, reread.Data);

        using var reader = new MrcReader(copy);
        var h = reader.Header;
        Assert.Equal(1, h.SpaceGroup);
        Assert.True(h.HasMapStamp);
        Assert.False(h.BigEndian);
        Assert.Equal(65, h.Sampling.Z);
        var stats = original.Statistics();
        Assert.Equal(stats.Min, h.DMin, 1e-9);
        Assert.Equal(stats.Max, h.DMax, 1e-9);
        Assert.Equal(stats.Mean, h.DMean, 1e-9);
        Assert.Equal(stats.StdDev, h.Rms, 1e-9);
        var bytes = File.ReadAllBytes(copy);
        Assert.Equal("MAP "u8.ToArray(), bytes[208..212]);
        Assert.Equal(new byte[] { 0x44, 0x44, 0, 0 }, bytes[212..216]);
        Assert.Equal(1024 + (65 * 65 * 65 * 4), bytes.Length);
    }

    [SkippableFact]
    public void ReadsRelionMadeStacksAndMap()
    {
        var stackPath = SharedData.Require("relion/proj_ctf.mrcs");
        using var reader = new MrcReader(stackPath);
        Assert.True(reader.IsStack);
        Assert.Equal(100, reader.SectionCount);
        Assert.Equal(GridShape.Square(64), reader.SectionShape);
        Assert.Equal(3.0, reader.PixelSizeA, 6);

        // Image-by-image reads agree with reading a block of sections.
        var all = reader.ReadSections(0, 100);
        var image = reader.ReadImage(57);
        Assert.Equal(all[57].ToArray(), image.Data);
        Assert.True(SampleStatistics.Of(image.Data).StdDev > 0);

        var map = MrcReader.ReadVolume(SharedData.Require("relion/ribosome_box64.mrc"));
        Assert.Equal((64, 3.0), (map.Nx, map.PixelSizeA));

        // RELION windowed the 65³ map to 64³ about index 32, which is what our window does too.
        var original = MrcReader.ReadVolume(SharedData.Require("ribosome70S_65.mrc"));
        var windowed = RealSpaceWindow.Window(original, 64);
        Assert.Equal(map.Data, windowed.Data);
    }

    [Theory]
    [InlineData(MrcMode.Int8)]
    [InlineData(MrcMode.Int16)]
    [InlineData(MrcMode.UInt16)]
    [InlineData(MrcMode.Float16)]
    [InlineData(MrcMode.Float32)]
    public void ReadsEveryModeInBothByteOrders(MrcMode mode)
    {
        float[] values = [0, 1, -2, 3, 100, -100, 7, 12, 0.5f, 5, 6, 9];
        if (mode == MrcMode.UInt16)
        {
            values = values.Select(v => Math.Abs(v)).ToArray();
        }

        if (mode is MrcMode.Int8 or MrcMode.Int16 or MrcMode.UInt16)
        {
            values = values.Select(v => MathF.Round(v)).ToArray();
        }

        using var temp = new TempDirectory();
        foreach (bool big in new[] { false, true })
        {
            var path = temp.File($"mode{(int)mode}{(big ? "be" : "le")}.mrc");
            File.WriteAllBytes(path, Synthetic(mode, 4, 3, 1, values, big));
            using var reader = new MrcReader(path);
            Assert.Equal(mode, reader.Mode);
            Assert.Equal(big, reader.Header.BigEndian);
            Assert.Equal(2.5, reader.PixelSizeA, 6);
            Assert.Equal(values, reader.ReadImage(0).Data);
        }
    }

    [Fact]
    public void ReadsNonStandardAxisOrder()
    {
        // Columns run along z, rows along y, sections along x (mapc, mapr, maps) = (3, 2, 1).
        int nx = 2, ny = 3, nz = 4;
        var data = new float[nx * ny * nz];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = i;
        }

        var bytes = Synthetic(MrcMode.Float32, nz, ny, nx, data, false, axisOrder: (3, 2, 1));
        using var temp = new TempDirectory();
        File.WriteAllBytes(temp.File("perm.mrc"), bytes);
        var volume = MrcReader.ReadVolume(temp.File("perm.mrc"));
        Assert.Equal((nx, ny, nz), (volume.Nx, volume.Ny, volume.Nz));
        // Stored element (column c, row r, section s) = voxel (x = s, y = r, z = c).
        for (int s = 0; s < nx; s++)
        {
            for (int r = 0; r < ny; r++)
            {
                for (int c = 0; c < nz; c++)
                {
                    Assert.Equal(data[(((s * ny) + r) * nz) + c], volume[s, r, c]);
                }
            }
        }
    }

    [Fact]
    public void StackWriterStreamsChunksAndRecordsTheCount()
    {
        using var temp = new TempDirectory();
        var path = temp.File("stack.mrcs");
        var shape = GridShape.Square(16);
        var random = new RandomStream(9);
        var all = new float[shape.Length * 25];
        random.FillGaussian(all);
        using (var writer = new MrcStackWriter(path, shape, 1.7))
        {
            writer.Append(all.AsSpan(0, shape.Length * 10));
            writer.Append(all.AsSpan(shape.Length * 10));
            Assert.False(File.Exists(path)); // nothing at the final name before completion
            writer.Complete();
        }

        var stack = MrcReader.ReadStack(path);
        Assert.Equal(25, stack.Count);
        Assert.Equal(1.7, stack.PixelSizeA, 6);
        Assert.Equal(all, stack.Data);
        Assert.Empty(Directory.GetFiles(temp.Path, "*.tmp"));
    }

    [Fact]
    public void AbandonedWriteLeavesNoFile()
    {
        using var temp = new TempDirectory();
        var path = temp.File("never.mrc");
        File.WriteAllText(path, "previous content");
        using (var writer = new MrcStackWriter(path, GridShape.Square(8), 1.0))
        {
            writer.Append(new float[64]);
        }

        Assert.Equal("previous content", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(temp.Path));
    }

    [Fact]
    public void TruncatedDataIsReportedWithSizes()
    {
        var bytes = Synthetic(MrcMode.Float32, 8, 8, 2, new float[128], false);
        var error = ReadError(bytes[..(bytes.Length - 4)], "truncated.mrc");
        Assert.Contains("truncated.mrc", error.Message);
        Assert.Contains("truncated", error.Message);
        Assert.Contains("8×8×2", error.Message);
        Assert.Contains(bytes.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message);
    }

    [Fact]
    public void ShortFileIsReported()
    {
        var error = ReadError(new byte[100], "short.mrc");
        Assert.Contains("short.mrc", error.Message);
        Assert.Contains("fewer than the 1024-byte MRC header", error.Message);
    }

    [Fact]
    public void NonsenseDimensionsAreReported()
    {
        var bytes = Synthetic(MrcMode.Float32, 4, 4, 1, new float[16], false);
        BinaryPrimitives.WriteInt32LittleEndian(bytes, -5);
        Assert.Contains("nonsense dimensions", ReadError(bytes, "a.mrc").Message);
        BinaryPrimitives.WriteInt32LittleEndian(bytes, 4);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4), 2_000_000_000);
        Assert.Contains("nonsense dimensions", ReadError(bytes, "b.mrc").Message);
    }

    [Fact]
    public void UnknownModeIsReported()
    {
        var bytes = Synthetic(MrcMode.Float32, 4, 4, 1, new float[16], false);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(12), 4);
        var error = ReadError(bytes, "complex.mrc");
        Assert.Contains("unsupported MRC mode 4", error.Message);
    }

    [Fact]
    public void OversizedFileIsAMismatch()
    {
        var bytes = Synthetic(MrcMode.Float32, 4, 4, 1, new float[16], false);
        var error = ReadError([.. bytes, 0, 0, 0, 0], "long.mrc");
        Assert.Contains("size mismatch", error.Message);
    }

    [Fact]
    public void NaNPixelsAreReportedWithTheSection()
    {
        var data = new float[32];
        data[16 + 5] = float.NaN;
        var bytes = Synthetic(MrcMode.Float32, 4, 4, 2, data, false);
        using var temp = new TempDirectory();
        File.WriteAllBytes(temp.File("nan.mrcs"), bytes);
        using var reader = new MrcReader(temp.File("nan.mrcs"));
        var error = Assert.Throws<InvalidFileException>(() => reader.ReadSections(0, 2));
        Assert.Contains("section 2", error.Message);
        Assert.Contains("pixel 5", error.Message);
        using var lenient = new MrcReader(temp.File("nan.mrcs")) { RejectNonFinite = false };
        Assert.True(float.IsNaN(lenient.ReadImage(1).Data[5]));
    }

    [Fact]
    public void ExtendedHeaderIsSkipped()
    {
        float[] values = [1, 2, 3, 4];
        var plain = Synthetic(MrcMode.Float32, 2, 2, 1, values, false);
        BinaryPrimitives.WriteInt32LittleEndian(plain.AsSpan(92), 8);
        byte[] withExtended = [.. plain[..1024], .. new byte[8], .. plain[1024..]];
        using var temp = new TempDirectory();
        File.WriteAllBytes(temp.File("ext.mrc"), withExtended);
        Assert.Equal(values, MrcReader.ReadVolume(temp.File("ext.mrc")).Data);
    }

    [Fact]
    public void MissingFileIsReported()
    {
        var error = Assert.Throws<InvalidFileException>(() => new MrcReader("/no/such/dir/map.mrc"));
        Assert.Contains("/no/such/dir/map.mrc", error.Message);
    }

    private static InvalidFileException ReadError(byte[] bytes, string name)
    {
        using var temp = new TempDirectory();
        var path = temp.File(name);
        File.WriteAllBytes(path, bytes);
        return Assert.Throws<InvalidFileException>(() => MrcReader.ReadVolume(path));
    }

    /// <summary>An MRC file made by hand (not by our writer), in either byte order.</summary>
    private static byte[] Synthetic(MrcMode mode, int nx, int ny, int nz, float[] values, bool bigEndian,
        (int, int, int)? axisOrder = null)
    {
        var header = new MrcHeader
        {
            Nx = nx,
            Ny = ny,
            Nz = nz,
            Mode = (int)mode,
            Sampling = (nx, ny, nz),
            CellA = (2.5f * nx, 2.5f * ny, 2.5f * nz),
            AxisOrder = axisOrder ?? (1, 2, 3),
        };
        var head = new byte[1024];
        header.WriteTo(head);
        int bps = header.BytesPerSample;
        var data = new byte[values.Length * bps];
        for (int i = 0; i < values.Length; i++)
        {
            var d = data.AsSpan(i * bps, bps);
            switch (mode)
            {
                case MrcMode.Int8:
                    d[0] = (byte)(sbyte)values[i];
                    break;
                case MrcMode.Int16:
                    if (bigEndian)
                    {
                        BinaryPrimitives.WriteInt16BigEndian(d, (short)values[i]);
                    }
                    else
                    {
                        BinaryPrimitives.WriteInt16LittleEndian(d, (short)values[i]);
                    }

                    break;
                case MrcMode.UInt16:
                    if (bigEndian)
                    {
                        BinaryPrimitives.WriteUInt16BigEndian(d, (ushort)values[i]);
                    }
                    else
                    {
                        BinaryPrimitives.WriteUInt16LittleEndian(d, (ushort)values[i]);
                    }

                    break;
                case MrcMode.Float16:
                    if (bigEndian)
                    {
                        BinaryPrimitives.WriteHalfBigEndian(d, (Half)values[i]);
                    }
                    else
                    {
                        BinaryPrimitives.WriteHalfLittleEndian(d, (Half)values[i]);
                    }

                    break;
                default:
                    if (bigEndian)
                    {
                        BinaryPrimitives.WriteSingleBigEndian(d, values[i]);
                    }
                    else
                    {
                        BinaryPrimitives.WriteSingleLittleEndian(d, values[i]);
                    }

                    break;
            }
        }

        if (bigEndian)
        {
            // Every header field before the machine stamp is a 4-byte word; so are rms and nlabl.
            for (int offset = 0; offset < 208; offset += 4)
            {
                head.AsSpan(offset, 4).Reverse();
            }

            head.AsSpan(216, 8).Slice(0, 4).Reverse();
            head.AsSpan(220, 4).Reverse();
            head[212] = 0x11;
            head[213] = 0x11;
        }

        return [.. head, .. data];
    }
}
