using System.Globalization;

namespace CryoSharp.IO.Star;

/// <summary>
/// The particles of a RELION STAR file with their optics groups, typed. Reads RELION 3.1+ files (a
/// <c>data_optics</c> and a <c>data_particles</c> block) and RELION 3.0 files (one block, optics per particle,
/// origins in pixels), and always writes 3.1 style. Columns CryoSharp does not interpret are kept and written
/// back unchanged.
/// </summary>
public sealed class ParticleTable
{
    private static readonly StarLabel[] Consumed30 =
    [
        StarLabels.Voltage, StarLabels.SphericalAberration, StarLabels.AmplitudeContrast, StarLabels.ImagePixelSize,
        StarLabels.PixelSize, StarLabels.Magnification, StarLabels.DetectorPixelSize,
    ];

    private readonly List<string> extraColumns = [];

    /// <summary>The optics groups, in file order.</summary>
    public List<OpticsGroup> OpticsGroups { get; } = [];

    /// <summary>The particles, in file order.</summary>
    public List<Particle> Particles { get; } = [];

    /// <summary>Which column groups the table has; what <see cref="ToDocument"/> writes.</summary>
    public ParticleColumns Columns { get; set; }

    /// <summary>Particle columns kept but not interpreted, in file order.</summary>
    public IReadOnlyList<string> ExtraColumns => extraColumns;

    /// <summary>The STAR file this was read from, if any.</summary>
    public string? SourcePath { get; init; }

    /// <summary>True when the source was a RELION 3.0 file (no optics block).</summary>
    public bool FromRelion30 { get; private set; }

    /// <summary>Number of particles.</summary>
    public int Count => Particles.Count;

    /// <summary>The optics group with number <paramref name="number"/>.</summary>
    public OpticsGroup Optics(int number)
    {
        foreach (var group in OpticsGroups)
        {
            if (group.Number == number)
            {
                return group;
            }
        }

        throw new CryoSharpException($"{SourcePath ?? "particle table"}: no optics group {number}");
    }

    /// <summary>The optics group of a particle.</summary>
    public OpticsGroup OpticsOf(Particle particle) => Optics(particle.OpticsGroup);

    /// <summary>The value of an extra column for a particle, or null.</summary>
    public string? GetExtra(Particle particle, string label)
    {
        ArgumentNullException.ThrowIfNull(particle);
        int i = extraColumns.IndexOf(label);
        return i < 0 || particle.Extra is null ? null : particle.Extra[i].ToString();
    }

    /// <summary>Reads a STAR file's particles.</summary>
    public static ParticleTable Load(string path) => FromDocument(StarDocument.Load(path));

    /// <summary>
    /// Reads a STAR file's particles on rank 0 of <paramref name="communicator"/>, which sends the text to the other
    /// ranks (one read of a file that may hold millions of rows, not one per rank); in one process, <see cref="Load(string)"/>.
    /// </summary>
    public static ParticleTable Load(string path, Distributed.Communicator communicator)
    {
        ArgumentNullException.ThrowIfNull(communicator);
        return communicator.IsDistributed
            ? FromDocument(StarDocument.Parse(communicator.BroadcastText(communicator.IsRoot ? StarDocument.ReadText(path) : null), path))
            : Load(path);
    }

    /// <summary>Writes the table atomically, RELION 3.1 style.</summary>
    public void Save(string path) => ToDocument().Save(path);

    /// <summary>Interprets a parsed STAR document.</summary>
    public static ParticleTable FromDocument(StarDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        string source = document.SourcePath ?? "<star>";
        var opticsBlock = document.Find("optics");
        var block = document.Find("particles")
            ?? document.Blocks.FirstOrDefault(b => b.Loop?.Contains(StarLabels.ImageName.Name) == true && b != opticsBlock)
            ?? document.Blocks.FirstOrDefault(b => b.Loop is not null && b != opticsBlock);
        if (block?.Loop is not { } loop)
        {
            throw new InvalidFileException(source, "no particle table (a data_particles block, or a loop with _rlnImageName)");
        }

        var table = new ParticleTable { SourcePath = source };
        var consumed = new HashSet<string>(StringComparer.Ordinal);
        if (opticsBlock?.Loop is { } opticsLoop)
        {
            ReadOptics(opticsLoop, source, table);
        }
        else
        {
            table.FromRelion30 = true;
            foreach (var label in Consumed30)
            {
                consumed.Add(label.Name);
            }
        }

        table.ReadParticles(loop, source, consumed);
        return table;
    }

    /// <summary>The table as a RELION 3.1 STAR document.</summary>
    public StarDocument ToDocument()
    {
        var document = new StarDocument();
        document.Add(new StarBlock("optics") { Loop = OpticsLoop() });
        document.Add(new StarBlock("particles") { Loop = ParticleLoop() });
        return document;
    }

    /// <summary>
    /// Sets an extra (uninterpreted) column of one particle, adding the column (0 for the other particles) when the
    /// table does not have it yet.
    /// </summary>
    public void SetExtra(Particle particle, string label, string value)
    {
        ArgumentNullException.ThrowIfNull(particle);
        int i = extraColumns.IndexOf(label);
        if (i < 0)
        {
            AddExtraColumn(label, "0");
            i = extraColumns.Count - 1;
        }

        var extra = particle.Extra ?? [];
        if (extra.Length < extraColumns.Count)
        {
            var grown = new ReadOnlyMemory<char>[extraColumns.Count];
            extra.CopyTo(grown, 0);
            for (int e = extra.Length; e < grown.Length; e++)
            {
                grown[e] = "0".AsMemory();
            }

            extra = grown;
            particle.Extra = extra;
        }

        extra[i] = value.AsMemory();
    }

    /// <summary>Adds an extra column (kept verbatim), with <paramref name="fill"/> for every particle.</summary>
    public void AddExtraColumn(string label, string fill)
    {
        if (extraColumns.Contains(label) || StarLabels.Find(label) is { } known && IsInterpreted(known))
        {
            throw new ArgumentException($"Column {label} is already in the table.", nameof(label));
        }

        extraColumns.Add(label);
        foreach (var p in Particles)
        {
            var old = p.Extra ?? [];
            p.Extra = [.. old, fill.AsMemory()];
        }
    }

    private static bool IsInterpreted(StarLabel label) => ColumnGroups.Any(g => g.Labels.Contains(label)) ||
        label == StarLabels.OpticsGroup || label == StarLabels.OriginX || label == StarLabels.OriginY;

    /// <summary>Column groups in the order they are written, each with its labels.</summary>
    private static readonly (ParticleColumns Flag, StarLabel[] Labels)[] ColumnGroups =
    [
        (ParticleColumns.Image, [StarLabels.ImageName]),
        (ParticleColumns.Micrograph, [StarLabels.MicrographName]),
        (ParticleColumns.Angles, [StarLabels.AngleRot, StarLabels.AngleTilt, StarLabels.AnglePsi]),
        (ParticleColumns.Origins, [StarLabels.OriginXAngst, StarLabels.OriginYAngst]),
        (ParticleColumns.Defocus, [StarLabels.DefocusU, StarLabels.DefocusV, StarLabels.DefocusAngle]),
        (ParticleColumns.PhaseShift, [StarLabels.PhaseShift]),
        (ParticleColumns.CtfEnvelope, [StarLabels.CtfBfactor, StarLabels.CtfScalefactor]),
        (ParticleColumns.ClassNumber, [StarLabels.ClassNumber]),
        (ParticleColumns.RandomSubset, [StarLabels.RandomSubset]),
    ];

    private static void ReadOptics(StarTable loop, string source, ParticleTable table)
    {
        var reader = new CellReader(loop, source);
        var known = new HashSet<string>(StringComparer.Ordinal)
        {
            StarLabels.OpticsGroup.Name, StarLabels.OpticsGroupName.Name, StarLabels.Voltage.Name,
            StarLabels.SphericalAberration.Name, StarLabels.AmplitudeContrast.Name, StarLabels.ImagePixelSize.Name,
            StarLabels.ImageSize.Name, StarLabels.ImageDimensionality.Name, StarLabels.CtfDataArePhaseFlipped.Name,
            StarLabels.CtfDataAreCtfPremultiplied.Name,
        };
        int pixelColumn = loop.IndexOf(StarLabels.ImagePixelSize.Name) >= 0 ? loop.IndexOf(StarLabels.ImagePixelSize.Name)
            : loop.IndexOf(StarLabels.MicrographPixelSize.Name);
        if (pixelColumn >= 0)
        {
            known.Add(loop.Columns[pixelColumn]);
        }

        for (int r = 0; r < loop.RowCount; r++)
        {
            var group = new OpticsGroup
            {
                Number = reader.Int(r, StarLabels.OpticsGroup, r + 1),
                Name = reader.String(r, StarLabels.OpticsGroupName) ?? $"opticsGroup{r + 1}",
                VoltageKv = reader.Double(r, StarLabels.Voltage, 300),
                SphericalAberrationMm = reader.Double(r, StarLabels.SphericalAberration, 2.7),
                AmplitudeContrast = reader.Double(r, StarLabels.AmplitudeContrast, 0.1),
                PixelSizeA = pixelColumn >= 0 ? reader.Double(r, pixelColumn) : 0,
                ImageSize = reader.Int(r, StarLabels.ImageSize, 0),
                ImageDimensionality = reader.Int(r, StarLabels.ImageDimensionality, 2),
                CtfDataArePhaseFlipped = reader.Int(r, StarLabels.CtfDataArePhaseFlipped, 0) != 0,
                CtfDataAreCtfPremultiplied = reader.Int(r, StarLabels.CtfDataAreCtfPremultiplied, 0) != 0,
            };
            for (int c = 0; c < loop.Columns.Count; c++)
            {
                if (!known.Contains(loop.Columns[c]))
                {
                    group.Extra.Add(new(loop.Columns[c], loop.GetString(r, c)));
                }
            }

            if (table.OpticsGroups.Any(g => g.Number == group.Number))
            {
                throw new InvalidFileException(source, $"optics group {group.Number} is defined twice", loop.LineOf(r));
            }

            table.OpticsGroups.Add(group);
        }
    }

    private void ReadParticles(StarTable loop, string source, HashSet<string> consumed)
    {
        var reader = new CellReader(loop, source);
        var columns = ParticleColumns.None;
        foreach (var (flag, labels) in ColumnGroups)
        {
            int present = labels.Count(l => loop.Contains(l.Name));
            if (present > 0)
            {
                columns |= flag;
            }

            foreach (var l in labels)
            {
                consumed.Add(l.Name);
            }
        }

        bool pixelOrigins = !loop.Contains(StarLabels.OriginXAngst.Name) &&
            (loop.Contains(StarLabels.OriginX.Name) || loop.Contains(StarLabels.OriginY.Name));
        if (pixelOrigins)
        {
            columns |= ParticleColumns.Origins;
        }

        consumed.Add(StarLabels.OriginX.Name);
        consumed.Add(StarLabels.OriginY.Name);
        consumed.Add(StarLabels.OpticsGroup.Name);
        Columns = columns;
        var extraIndex = new List<int>();
        for (int c = 0; c < loop.Columns.Count; c++)
        {
            if (!consumed.Contains(loop.Columns[c]))
            {
                extraColumns.Add(loop.Columns[c]);
                extraIndex.Add(c);
            }
        }

        int imageColumn = loop.IndexOf(StarLabels.ImageName.Name);
        var opticsKeys = new Dictionary<(double, double, double, double), int>();
        for (int r = 0; r < loop.RowCount; r++)
        {
            var p = new Particle
            {
                SourceLine = loop.LineOf(r),
                MicrographName = reader.String(r, StarLabels.MicrographName),
                AngleRotDeg = reader.Double(r, StarLabels.AngleRot, 0),
                AngleTiltDeg = reader.Double(r, StarLabels.AngleTilt, 0),
                AnglePsiDeg = reader.Double(r, StarLabels.AnglePsi, 0),
                OriginXA = reader.Double(r, StarLabels.OriginXAngst, 0),
                OriginYA = reader.Double(r, StarLabels.OriginYAngst, 0),
                DefocusUA = reader.Double(r, StarLabels.DefocusU, 0),
                DefocusVA = reader.Double(r, StarLabels.DefocusV, reader.Double(r, StarLabels.DefocusU, 0)),
                DefocusAngleDeg = reader.Double(r, StarLabels.DefocusAngle, 0),
                PhaseShiftDeg = reader.Double(r, StarLabels.PhaseShift, 0),
                CtfBFactorA2 = reader.Double(r, StarLabels.CtfBfactor, 0),
                CtfScale = reader.Double(r, StarLabels.CtfScalefactor, 1),
                OpticsGroup = reader.Int(r, StarLabels.OpticsGroup, 1),
                ClassNumber = reader.Int(r, StarLabels.ClassNumber, 0),
                RandomSubset = reader.Int(r, StarLabels.RandomSubset, 0),
            };
            if (imageColumn >= 0)
            {
                p.Image = ImageReference.TryParse(loop.GetSpan(r, imageColumn))
                    ?? throw new InvalidFileException(source,
                        $"_rlnImageName '{loop.GetString(r, imageColumn)}' is not of the form index@stack.mrcs", loop.LineOf(r));
            }

            if (FromRelion30)
            {
                p.OpticsGroup = OpticsGroupFor30(reader, r, opticsKeys);
            }
            else if (!OpticsGroups.Any(g => g.Number == p.OpticsGroup))
            {
                throw new InvalidFileException(source, $"particle refers to optics group {p.OpticsGroup}, which data_optics does not define", loop.LineOf(r));
            }

            if (pixelOrigins)
            {
                double pixel = Optics(p.OpticsGroup).PixelSizeA;
                if (!(pixel > 0))
                {
                    throw new InvalidFileException(source, "origins are in pixels (_rlnOriginX) but the file gives no pixel size", loop.LineOf(r));
                }

                p.OriginXA = reader.Double(r, StarLabels.OriginX, 0) * pixel;
                p.OriginYA = reader.Double(r, StarLabels.OriginY, 0) * pixel;
            }

            if (extraIndex.Count > 0)
            {
                var extra = new ReadOnlyMemory<char>[extraIndex.Count];
                for (int i = 0; i < extra.Length; i++)
                {
                    extra[i] = loop.GetMemory(r, extraIndex[i]);
                }

                p.Extra = extra;
            }

            Particles.Add(p);
        }

        if (FromRelion30 && OpticsGroups.Count == 0)
        {
            OpticsGroups.Add(new OpticsGroup { PixelSizeA = 0 });
        }
    }

    private int OpticsGroupFor30(CellReader reader, int row, Dictionary<(double, double, double, double), int> keys)
    {
        double pixel = reader.Double(row, StarLabels.ImagePixelSize, reader.Double(row, StarLabels.PixelSize, 0));
        if (pixel == 0 && reader.Has(StarLabels.DetectorPixelSize) && reader.Has(StarLabels.Magnification))
        {
            double magnification = reader.Double(row, StarLabels.Magnification, 0);
            pixel = magnification > 0 ? reader.Double(row, StarLabels.DetectorPixelSize, 0) * 1e4 / magnification : 0;
        }

        var key = (reader.Double(row, StarLabels.Voltage, 300), reader.Double(row, StarLabels.SphericalAberration, 2.7),
            reader.Double(row, StarLabels.AmplitudeContrast, 0.1), pixel);
        if (!keys.TryGetValue(key, out int number))
        {
            number = keys.Count + 1;
            keys[key] = number;
            OpticsGroups.Add(new OpticsGroup
            {
                Number = number,
                Name = $"opticsGroup{number}",
                VoltageKv = key.Item1,
                SphericalAberrationMm = key.Item2,
                AmplitudeContrast = key.Item3,
                PixelSizeA = key.Item4,
            });
        }

        return number;
    }

    private StarTable OpticsLoop()
    {
        var loop = new StarTable();
        var labels = new List<string>
        {
            StarLabels.OpticsGroup.Name, StarLabels.OpticsGroupName.Name, StarLabels.AmplitudeContrast.Name,
            StarLabels.SphericalAberration.Name, StarLabels.Voltage.Name, StarLabels.ImagePixelSize.Name,
            StarLabels.ImageSize.Name, StarLabels.ImageDimensionality.Name,
        };
        // The CTF flags are written only when some group has them, so files of untouched images stay as they were.
        bool flipped = OpticsGroups.Any(g => g.CtfDataArePhaseFlipped), premultiplied = OpticsGroups.Any(g => g.CtfDataAreCtfPremultiplied);
        if (flipped)
        {
            labels.Add(StarLabels.CtfDataArePhaseFlipped.Name);
        }

        if (premultiplied)
        {
            labels.Add(StarLabels.CtfDataAreCtfPremultiplied.Name);
        }

        var extras = OpticsGroups.SelectMany(g => g.Extra.Select(e => e.Key)).Distinct().ToList();
        foreach (var label in labels.Concat(extras))
        {
            loop.AddColumn(label);
        }

        foreach (var g in OpticsGroups)
        {
            var row = new List<string>
            {
                Int(g.Number), g.Name, Num(g.AmplitudeContrast), Num(g.SphericalAberrationMm), Num(g.VoltageKv),
                Num(g.PixelSizeA), Int(g.ImageSize), Int(g.ImageDimensionality),
            };
            if (flipped)
            {
                row.Add(g.CtfDataArePhaseFlipped ? "1" : "0");
            }

            if (premultiplied)
            {
                row.Add(g.CtfDataAreCtfPremultiplied ? "1" : "0");
            }

            foreach (var e in extras)
            {
                row.Add(g.Extra.FirstOrDefault(x => x.Key == e).Value ?? "0");
            }

            loop.AddRow(row.ToArray());
        }

        return loop;
    }

    private StarTable ParticleLoop()
    {
        var loop = new StarTable();
        foreach (var label in ParticleLabels())
        {
            loop.AddColumn(label);
        }

        var row = new string[loop.Columns.Count];
        foreach (var p in Particles)
        {
            FormatRow(p, row);
            loop.AddRow(row);
        }

        return loop;
    }

    /// <summary>
    /// Writes <paramref name="count"/> particles as a RELION 3.1 STAR file without holding them: the optics groups
    /// <paramref name="opticsGroups"/>, then the particle loop of <paramref name="columns"/>, row i from
    /// <paramref name="particleAt"/>(i), asked twice per row (the text is what <see cref="Save"/> of the whole table
    /// gives). Atomic, as <see cref="Save"/>.
    /// </summary>
    public static void SaveStreamed(string path, IEnumerable<OpticsGroup> opticsGroups, ParticleColumns columns, int count, Func<int, Particle> particleAt)
    {
        ArgumentNullException.ThrowIfNull(opticsGroups);
        ArgumentNullException.ThrowIfNull(particleAt);
        var header = new ParticleTable { Columns = columns };
        header.OpticsGroups.AddRange(opticsGroups);
        var optics = new StarDocument();
        optics.Add(new StarBlock("optics") { Loop = header.OpticsLoop() });
        AtomicFile.Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false), 1 << 16, leaveOpen: true);
            StarWriter.Write(optics, writer);
            StarWriter.WriteBlockHeader("particles", null, writer);
            StarWriter.WriteLoop(header.ParticleLabels(), count, (i, row) => header.FormatRow(particleAt(i), row), writer);
        });
    }

    private List<string> ParticleLabels()
    {
        var labels = new List<string>();
        foreach (var (flag, group) in ColumnGroups)
        {
            if (Columns.HasFlag(flag))
            {
                labels.AddRange(group.Select(l => l.Name));
            }
        }

        labels.Add(StarLabels.OpticsGroup.Name);
        labels.AddRange(extraColumns);
        return labels;
    }

    private void FormatRow(Particle p, string[] row)
    {
        int c = 0;
        foreach (var (flag, _) in ColumnGroups)
        {
            if (!Columns.HasFlag(flag))
            {
                continue;
            }

            switch (flag)
            {
                case ParticleColumns.Image:
                    row[c++] = p.Image.ToString();
                    break;
                case ParticleColumns.Micrograph:
                    row[c++] = p.MicrographName ?? "none";
                    break;
                case ParticleColumns.Angles:
                    row[c++] = Num(p.AngleRotDeg);
                    row[c++] = Num(p.AngleTiltDeg);
                    row[c++] = Num(p.AnglePsiDeg);
                    break;
                case ParticleColumns.Origins:
                    row[c++] = Num(p.OriginXA);
                    row[c++] = Num(p.OriginYA);
                    break;
                case ParticleColumns.Defocus:
                    row[c++] = Num(p.DefocusUA);
                    row[c++] = Num(p.DefocusVA);
                    row[c++] = Num(p.DefocusAngleDeg);
                    break;
                case ParticleColumns.PhaseShift:
                    row[c++] = Num(p.PhaseShiftDeg);
                    break;
                case ParticleColumns.CtfEnvelope:
                    row[c++] = Num(p.CtfBFactorA2);
                    row[c++] = Num(p.CtfScale);
                    break;
                case ParticleColumns.ClassNumber:
                    row[c++] = Int(p.ClassNumber);
                    break;
                case ParticleColumns.RandomSubset:
                    row[c++] = Int(p.RandomSubset);
                    break;
            }
        }

        row[c++] = Int(p.OpticsGroup);
        for (int e = 0; e < extraColumns.Count; e++)
        {
            row[c++] = p.Extra is { } x && e < x.Length ? x[e].ToString() : "0";
        }
    }

    private static string Num(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    private static string Int(int v) => v.ToString(CultureInfo.InvariantCulture);

    /// <summary>Typed access to one loop's cells, turning bad values into errors that name file, line and label.</summary>
    private readonly struct CellReader(StarTable loop, string source)
    {
        public bool Has(StarLabel label) => loop.Contains(label.Name);

        public string? String(int row, StarLabel label) =>
            loop.IndexOf(label.Name) is int c and >= 0 ? loop.GetString(row, c) : null;

        public double Double(int row, StarLabel label, double fallback) =>
            loop.IndexOf(label.Name) is int c and >= 0 ? Double(row, c) : fallback;

        public double Double(int row, int column)
        {
            var text = loop.GetSpan(row, column);
            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v))
            {
                return v;
            }

            throw new InvalidFileException(source, $"_{loop.Columns[column]} = '{text}' is not a finite number", loop.LineOf(row));
        }

        public int Int(int row, StarLabel label, int fallback)
        {
            int c = loop.IndexOf(label.Name);
            if (c < 0)
            {
                return fallback;
            }

            var text = loop.GetSpan(row, c);
            if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v))
            {
                return v;
            }

            // Some programs write integers as "1.000000".
            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && d == Math.Round(d) &&
                Math.Abs(d) < int.MaxValue)
            {
                return (int)d;
            }

            throw new InvalidFileException(source, $"_{label.Name} = '{text}' is not a whole number", loop.LineOf(row));
        }
    }
}
