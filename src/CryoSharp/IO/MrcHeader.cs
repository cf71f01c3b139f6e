using System.Buffers.Binary;
using System.Text;

namespace CryoSharp.IO;

/// <summary>
/// The 1024-byte MRC2014 header (conventions.md). Fields keep their MRC meaning; lengths are in Å, angles in
/// degrees. Read in either byte order (from the machine stamp), always written little-endian.
/// </summary>
public sealed class MrcHeader
{
    /// <summary>Size of the main header in bytes.</summary>
    public const int Size = 1024;

    /// <summary>IMOD's stamp at byte 152, which makes the flags at byte 156 meaningful.</summary>
    private const int ImodStamp = 1146047817;

    /// <summary>Columns (fastest axis).</summary>
    public int Nx { get; set; }

    /// <summary>Rows.</summary>
    public int Ny { get; set; }

    /// <summary>Sections (slowest axis; images in a stack).</summary>
    public int Nz { get; set; }

    /// <summary>Data mode, as stored (may be one CryoSharp does not read).</summary>
    public int Mode { get; set; } = (int)MrcMode.Float32;

    /// <summary>Index of the first column, row and section (usually 0).</summary>
    public (int X, int Y, int Z) Start { get; set; }

    /// <summary>Sampling along x, y, z: the grid the cell is divided into.</summary>
    public (int X, int Y, int Z) Sampling { get; set; }

    /// <summary>Cell lengths in Å.</summary>
    public (float X, float Y, float Z) CellA { get; set; }

    /// <summary>Cell angles in degrees.</summary>
    public (float Alpha, float Beta, float Gamma) CellAngles { get; set; } = (90, 90, 90);

    /// <summary>Which axis (1 = x, 2 = y, 3 = z) runs along columns, rows and sections.</summary>
    public (int Columns, int Rows, int Sections) AxisOrder { get; set; } = (1, 2, 3);

    /// <summary>Minimum density.</summary>
    public float DMin { get; set; }

    /// <summary>Maximum density.</summary>
    public float DMax { get; set; }

    /// <summary>Mean density.</summary>
    public float DMean { get; set; }

    /// <summary>Space group: 0 for an image stack, 1 for a volume.</summary>
    public int SpaceGroup { get; set; }

    /// <summary>Bytes of extended header after the main header.</summary>
    public int ExtendedHeaderBytes { get; set; }

    /// <summary>MRC format version (20140 for MRC2014).</summary>
    public int Version { get; set; } = 20140;

    /// <summary>Origin in Å (written as 0: CryoSharp's centre is index n/2).</summary>
    public (float X, float Y, float Z) Origin { get; set; }

    /// <summary>RMS deviation of densities from the mean.</summary>
    public float Rms { get; set; }

    /// <summary>True when the file was big-endian.</summary>
    public bool BigEndian { get; private set; }

    /// <summary>True when the file had 'MAP ' at word 53.</summary>
    public bool HasMapStamp { get; private set; } = true;

    /// <summary>For mode 0: whether bytes are signed (MRC2014), false only for old IMOD files that say so.</summary>
    public bool SignedBytes { get; private set; } = true;

    /// <summary>Text labels (at most 10 of 80 characters).</summary>
    public List<string> Labels { get; } = [];

    /// <summary>Bytes per sample of <see cref="Mode"/>, or 0 for a mode CryoSharp does not read.</summary>
    public int BytesPerSample => Mode switch
    {
        0 => 1,
        1 or 6 or 12 => 2,
        2 => 4,
        _ => 0,
    };

    /// <summary>Pixel size along x in Å (cell length / sampling), or 0 if the header does not say.</summary>
    public double PixelSizeA
    {
        get
        {
            // A NaN or infinite cell is no pixel size at all (as a missing one), not an infinite one.
            int m = Sampling.X > 0 ? Sampling.X : Nx;
            return m > 0 && CellA.X > 0 && double.IsFinite(CellA.X) ? CellA.X / (double)m : 0;
        }
    }

    /// <summary>Parses a header; returns null when the bytes do not look like an MRC header in either byte order.</summary>
    public static MrcHeader? Parse(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < Size)
        {
            return null;
        }

        // The machine stamp says the byte order; files without one are tried both ways, little-endian first.
        bool? big = bytes[212] switch
        {
            0x44 => false,
            0x11 => true,
            _ => null,
        };
        if (big is bool b)
        {
            return Parse(bytes, b);
        }

        var little = Parse(bytes, bigEndian: false);
        return little.LooksValid() ? little : Parse(bytes, bigEndian: true);
    }

    private static MrcHeader Parse(ReadOnlySpan<byte> bytes, bool bigEndian)
    {
        var raw = bytes[..Size].ToArray();
        int I(int offset) => bigEndian
            ? BinaryPrimitives.ReadInt32BigEndian(raw.AsSpan(offset))
            : BinaryPrimitives.ReadInt32LittleEndian(raw.AsSpan(offset));
        float F(int offset) => bigEndian
            ? BinaryPrimitives.ReadSingleBigEndian(raw.AsSpan(offset))
            : BinaryPrimitives.ReadSingleLittleEndian(raw.AsSpan(offset));

        var h = new MrcHeader
        {
            Nx = I(0),
            Ny = I(4),
            Nz = I(8),
            Mode = I(12),
            Start = (I(16), I(20), I(24)),
            Sampling = (I(28), I(32), I(36)),
            CellA = (F(40), F(44), F(48)),
            CellAngles = (F(52), F(56), F(60)),
            AxisOrder = (I(64), I(68), I(72)),
            DMin = F(76),
            DMax = F(80),
            DMean = F(84),
            SpaceGroup = I(88),
            ExtendedHeaderBytes = I(92),
            Version = I(108),
            Origin = (F(196), F(200), F(204)),
            Rms = F(216),
            BigEndian = bigEndian,
            HasMapStamp = raw.AsSpan(208, 4).SequenceEqual("MAP "u8),
        };
        if (I(152) == ImodStamp)
        {
            h.SignedBytes = (I(156) & 1) != 0;
        }

        int labels = Math.Clamp(I(220), 0, 10);
        for (int i = 0; i < labels; i++)
        {
            h.Labels.Add(Encoding.ASCII.GetString(raw, 224 + (80 * i), 80).TrimEnd('\0', ' '));
        }

        return h;
    }

    private bool LooksValid() =>
        Nx is > 0 and <= MrcLimits.MaxDimension && Ny is > 0 and <= MrcLimits.MaxDimension &&
        Nz is > 0 and <= MrcLimits.MaxSections && BytesPerSample > 0;

    /// <summary>Writes this header, little-endian, into 1024 bytes.</summary>
    public void WriteTo(Span<byte> bytes)
    {
        if (bytes.Length < Size)
        {
            throw new ArgumentException("An MRC header needs 1024 bytes.", nameof(bytes));
        }

        var raw = new byte[Size];
        void I(int offset, int v) => BinaryPrimitives.WriteInt32LittleEndian(raw.AsSpan(offset), v);
        void F(int offset, float v) => BinaryPrimitives.WriteSingleLittleEndian(raw.AsSpan(offset), v);
        I(0, Nx);
        I(4, Ny);
        I(8, Nz);
        I(12, Mode);
        I(16, Start.X);
        I(20, Start.Y);
        I(24, Start.Z);
        I(28, Sampling.X);
        I(32, Sampling.Y);
        I(36, Sampling.Z);
        F(40, CellA.X);
        F(44, CellA.Y);
        F(48, CellA.Z);
        F(52, CellAngles.Alpha);
        F(56, CellAngles.Beta);
        F(60, CellAngles.Gamma);
        I(64, AxisOrder.Columns);
        I(68, AxisOrder.Rows);
        I(72, AxisOrder.Sections);
        F(76, DMin);
        F(80, DMax);
        F(84, DMean);
        I(88, SpaceGroup);
        I(92, ExtendedHeaderBytes);
        I(108, Version);
        F(196, Origin.X);
        F(200, Origin.Y);
        F(204, Origin.Z);
        "MAP "u8.CopyTo(raw.AsSpan(208));

        // Little-endian machine stamp: 0x44 0x44 0x00 0x00 (MRC2014).
        raw[212] = 0x44;
        raw[213] = 0x44;
        F(216, Rms);
        int labels = Math.Min(Labels.Count, 10);
        I(220, labels);
        for (int i = 0; i < labels; i++)
        {
            var text = Labels[i].Length > 80 ? Labels[i][..80] : Labels[i];
            Encoding.ASCII.GetBytes(text, raw.AsSpan(224 + (80 * i), 80));
        }

        raw.CopyTo(bytes);
    }
}
