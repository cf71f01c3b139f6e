using CryoSharp.Imaging;
using CryoSharp.IO;
using CryoSharp.IO.Star;

namespace CryoSharp.Particles;

/// <summary>
/// The edge between STAR files and particle records: a <see cref="ParticleTable"/>'s rows become
/// <see cref="ParticleRecord"/>s in domain units, and records go back into a table (keeping every column the table
/// had that CryoSharp does not interpret).
/// </summary>
public static class ParticleRecords
{
    /// <summary>The records of every particle of <paramref name="table"/>.</summary>
    /// <param name="table">The particles.</param>
    /// <param name="pixelSizeA">
    /// The pixel size of every group in Å: an override, or the images' own when the table gives none (0 or missing).
    /// Null to take each group's.
    /// </param>
    /// <param name="overridePixelSize">True when <paramref name="pixelSizeA"/> replaces the table's pixel sizes;
    /// false when it only fills in groups that have none.</param>
    public static ParticleRecord[] FromTable(ParticleTable table, double? pixelSizeA = null, bool overridePixelSize = false)
    {
        ArgumentNullException.ThrowIfNull(table);
        var optics = new Dictionary<int, ParticleOptics>();
        foreach (var g in table.OpticsGroups)
        {
            if (g.PixelSizeA < 0 || double.IsNaN(g.PixelSizeA) || double.IsInfinity(g.PixelSizeA))
            {
                throw new InvalidFileException(table.SourcePath ?? "particle table",
                    $"optics group {g.Number} has an impossible pixel size ({g.PixelSizeA.ToString(System.Globalization.CultureInfo.InvariantCulture)} Å)");
            }

            double pixel = overridePixelSize && pixelSizeA is double forced ? forced
                : g.PixelSizeA > 0 ? g.PixelSizeA : pixelSizeA ?? 0;
            optics[g.Number] = new ParticleOptics
            {
                Number = g.Number,
                Name = g.Name,
                VoltageKv = g.VoltageKv,
                SphericalAberrationMm = g.SphericalAberrationMm,
                AmplitudeContrast = g.AmplitudeContrast,
                PixelSizeA = pixel,
                ImageSize = g.ImageSize,
                CtfPhaseFlipped = g.CtfDataArePhaseFlipped,
                CtfPremultiplied = g.CtfDataAreCtfPremultiplied,
            };
        }

        bool hasCtf = table.Columns.HasFlag(ParticleColumns.Defocus);
        bool hasImage = table.Columns.HasFlag(ParticleColumns.Image);
        bool hasMicrograph = table.Columns.HasFlag(ParticleColumns.Micrograph);
        var records = new ParticleRecord[table.Count];
        for (int i = 0; i < records.Length; i++)
        {
            var p = table.Particles[i];
            var o = optics.TryGetValue(p.OpticsGroup, out var found) ? found
                : throw new InvalidFileException(table.SourcePath ?? "particle table", $"particle {i + 1} refers to optics group {p.OpticsGroup}, which is not defined", p.SourceLine);
            records[i] = new ParticleRecord
            {
                Index = i,
                Pose = new Pose(p.AngleRotDeg, p.AngleTiltDeg, p.AnglePsiDeg, p.OriginXA, p.OriginYA),
                Ctf = hasCtf ? Ctf(p, o) : null,
                Optics = o,
                Subset = p.RandomSubset,
                ClassNumber = p.ClassNumber,
                Image = hasImage ? p.Image : null,
                Micrograph = hasMicrograph ? p.MicrographName : null,
                SourceLine = p.SourceLine,
            };
        }

        return records;
    }

    /// <summary>The CTF of a particle of a STAR table with its optics.</summary>
    public static CtfModel Ctf(Particle particle, ParticleOptics optics)
    {
        ArgumentNullException.ThrowIfNull(particle);
        ArgumentNullException.ThrowIfNull(optics);
        return new CtfModel
        {
            DefocusUA = particle.DefocusUA,
            DefocusVA = particle.DefocusVA,
            DefocusAngleDeg = particle.DefocusAngleDeg,
            VoltageKv = optics.VoltageKv,
            SphericalAberrationMm = optics.SphericalAberrationMm,
            AmplitudeContrast = optics.AmplitudeContrast,
            PhaseShiftDeg = particle.PhaseShiftDeg,
            BFactorA2 = particle.CtfBFactorA2,
            Scale = particle.CtfScale,
        };
    }

    /// <summary>
    /// The validated CTF of a record of <paramref name="source"/>: a missing or impossible one is an
    /// <see cref="InvalidFileException"/> naming the data, the particle and its line.
    /// </summary>
    public static CtfModel ValidatedCtf(ParticleRecord record, string source)
    {
        ArgumentNullException.ThrowIfNull(record);
        var ctf = record.Ctf ?? throw new InvalidFileException(source, $"particle {record.Index + 1} has no CTF parameters (_rlnDefocusU/_rlnDefocusV/_rlnDefocusAngle)", record.StarLine);
        try
        {
            ctf.Validate();
        }
        catch (InvalidParameterException e)
        {
            throw new InvalidFileException(source, $"particle {record.Index + 1} has an impossible CTF: {e.Message}", record.StarLine);
        }

        return ctf;
    }

    /// <summary>
    /// A STAR table of <paramref name="records"/>. With a <paramref name="template"/> (the table the records were
    /// read from, row for row), every row keeps its uninterpreted columns and optics groups; the poses, CTFs,
    /// subsets, classes and images are the records'. Without one, a new table with the given columns.
    /// </summary>
    public static ParticleTable ToTable(IReadOnlyList<ParticleRecord> records, ParticleColumns columns, ParticleTable? template = null)
    {
        ArgumentNullException.ThrowIfNull(records);
        var table = new ParticleTable();
        if (template is not null)
        {
            table = ParticleTable.FromDocument(template.ToDocument());
            if (table.Count != records.Count)
            {
                throw new ArgumentException($"The template has {table.Count} particles, the records {records.Count}.", nameof(template));
            }
        }

        table.Columns |= columns;
        var groups = new Dictionary<int, OpticsGroup>();
        foreach (var g in table.OpticsGroups)
        {
            groups[g.Number] = g;
        }

        for (int i = 0; i < records.Count; i++)
        {
            var r = records[i];
            AddOptics(groups, table.OpticsGroups, r.Optics);
            var p = template is null ? new Particle() : table.Particles[i];
            Fill(p, r);
            if (template is null)
            {
                table.Particles.Add(p);
            }
        }

        return table;
    }

    /// <summary>
    /// Writes <paramref name="records"/> as a new RELION 3.1 STAR file of <paramref name="columns"/> without building a
    /// table: the records are read once for their optics groups and twice more as rows, so memory does not grow with
    /// their number (a simulation's records are made on demand). The text is what <see cref="ToTable"/> then
    /// <see cref="ParticleTable.Save"/> would write.
    /// </summary>
    public static void SaveStreamed(string path, IReadOnlyList<ParticleRecord> records, ParticleColumns columns)
    {
        ArgumentNullException.ThrowIfNull(records);
        var groups = new Dictionary<int, OpticsGroup>();
        var order = new List<OpticsGroup>();
        foreach (var r in records)
        {
            AddOptics(groups, order, r.Optics);
        }

        ParticleTable.SaveStreamed(path, order, columns, records.Count, i =>
        {
            var p = new Particle();
            Fill(p, records[i]);
            return p;
        });
    }

    private static void Fill(Particle p, ParticleRecord r)
    {
        p.AngleRotDeg = r.Pose.RotDeg;
        p.AngleTiltDeg = r.Pose.TiltDeg;
        p.AnglePsiDeg = r.Pose.PsiDeg;
        p.OriginXA = r.Pose.OriginXA;
        p.OriginYA = r.Pose.OriginYA;
        p.OpticsGroup = r.Optics.Number;
        p.RandomSubset = r.Subset;
        p.ClassNumber = r.ClassNumber;
        if (r.Image is { } image)
        {
            p.Image = image;
        }

        if (r.Micrograph is { } micrograph)
        {
            p.MicrographName = micrograph;
        }

        if (r.Ctf is { } ctf)
        {
            p.DefocusUA = ctf.DefocusUA;
            p.DefocusVA = ctf.DefocusVA;
            p.DefocusAngleDeg = ctf.DefocusAngleDeg;
            p.PhaseShiftDeg = ctf.PhaseShiftDeg;
            p.CtfBFactorA2 = ctf.BFactorA2;
            p.CtfScale = ctf.Scale;
        }
    }

    /// <summary>Sets the group of <paramref name="optics"/> from it, adding the group (in order of appearance) when new.</summary>
    private static void AddOptics(Dictionary<int, OpticsGroup> groups, List<OpticsGroup> order, ParticleOptics optics)
    {
        if (!groups.TryGetValue(optics.Number, out var group))
        {
            group = new OpticsGroup { Number = optics.Number };
            groups[group.Number] = group;
            order.Add(group);
        }

        Update(group, optics);
    }

    private static void Update(OpticsGroup group, ParticleOptics optics)
    {
        group.Name = optics.Name;
        group.VoltageKv = optics.VoltageKv;
        group.SphericalAberrationMm = optics.SphericalAberrationMm;
        group.AmplitudeContrast = optics.AmplitudeContrast;
        group.PixelSizeA = optics.PixelSizeA;
        group.ImageSize = optics.ImageSize;
        group.CtfDataArePhaseFlipped = optics.CtfPhaseFlipped;
        group.CtfDataAreCtfPremultiplied = optics.CtfPremultiplied;
    }
}
