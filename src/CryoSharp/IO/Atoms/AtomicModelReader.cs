using System.Globalization;
using System.IO.Compression;

namespace CryoSharp.IO.Atoms;

/// <summary>
/// Reads the atoms of a PDB file (ATOM/HETATM records, first model only) or an mmCIF file (the
/// <c>_atom_site</c> loop, first model only), plain or gzip-compressed (.gz). Malformed records are errors that
/// name the file and line.
/// </summary>
public static class AtomicModelReader
{
    /// <summary>Reads the atoms of <paramref name="path"/>; the format is chosen by extension, then by content.</summary>
    public static IReadOnlyList<Atom> Read(string path)
    {
        List<string> lines;
        try
        {
            using Stream file = File.OpenRead(path);
            using Stream stream = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionMode.Decompress) : file;
            using var reader = new StreamReader(stream);
            lines = [];
            while (reader.ReadLine() is { } line)
            {
                lines.Add(line);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw InvalidFileException.Opening(path, e);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidFileException(path, $"not a valid gzip file ({e.Message})");
        }

        string name = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? path[..^3] : path;
        bool cif = name.EndsWith(".cif", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".mmcif", StringComparison.OrdinalIgnoreCase) ||
            lines.Any(l => l.StartsWith("_atom_site.", StringComparison.Ordinal));
        var atoms = cif ? ReadMmcif(lines, path) : ReadPdb(lines, path);
        if (atoms.Count == 0)
        {
            throw new InvalidFileException(path, cif ? "no _atom_site records" : "no ATOM or HETATM records");
        }

        return atoms;
    }

    private static List<Atom> ReadPdb(List<string> lines, string path)
    {
        var atoms = new List<Atom>();
        for (int i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            if (line.StartsWith("ENDMDL", StringComparison.Ordinal) && atoms.Count > 0)
            {
                break;
            }

            if (!line.StartsWith("ATOM  ", StringComparison.Ordinal) && !line.StartsWith("HETATM", StringComparison.Ordinal))
            {
                continue;
            }

            if (line.Length < 54)
            {
                throw new InvalidFileException(path, $"{line[..6].Trim()} record is too short for coordinates (columns 31-54)", i + 1);
            }

            double x = Number(line, 30, 8, path, i), y = Number(line, 38, 8, path, i), z = Number(line, 46, 8, path, i);
            double occupancy = line.Length >= 60 && double.TryParse(line.AsSpan(54, 6), NumberStyles.Float, CultureInfo.InvariantCulture, out double o) ? o : 1;
            string element = line.Length >= 78 ? line.Substring(76, 2).Trim() : "";
            if (element.Length == 0)
            {
                // Old files: the element is the atom name (columns 13-16) without digits, e.g. " CA " is carbon.
                var atomName = line.Length >= 16 ? line.Substring(12, 4) : "";
                element = new string(atomName.Where(char.IsLetter).Take(line.Length >= 13 && line[12] != ' ' ? 2 : 1).ToArray());
            }

            atoms.Add(new Atom(Elements.Normalize(element), x, y, z, occupancy));
        }

        return atoms;
    }

    private static double Number(string line, int start, int length, string path, int index)
    {
        var text = line.AsSpan(start, length);
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v)
            ? v
            : throw new InvalidFileException(path, $"coordinate '{text.Trim()}' in columns {start + 1}-{start + length} is not a number", index + 1);
    }

    private static List<Atom> ReadMmcif(List<string> lines, string path)
    {
        var atoms = new List<Atom>();
        for (int i = 0; i < lines.Count; i++)
        {
            if (lines[i].Trim() != "loop_" || i + 1 >= lines.Count || !lines[i + 1].StartsWith("_atom_site.", StringComparison.Ordinal))
            {
                continue;
            }

            var columns = new List<string>();
            int j = i + 1;
            for (; j < lines.Count && lines[j].StartsWith("_atom_site.", StringComparison.Ordinal); j++)
            {
                columns.Add(lines[j].Trim()["_atom_site.".Length..]);
            }

            int cx = columns.IndexOf("Cartn_x"), cy = columns.IndexOf("Cartn_y"), cz = columns.IndexOf("Cartn_z");
            int element = columns.IndexOf("type_symbol"), occupancy = columns.IndexOf("occupancy");
            int model = columns.IndexOf("pdbx_PDB_model_num");
            if (cx < 0 || cy < 0 || cz < 0)
            {
                throw new InvalidFileException(path, "the _atom_site loop has no Cartn_x/y/z columns", i + 1);
            }

            string? firstModel = null;
            for (; j < lines.Count; j++)
            {
                var line = lines[j].Trim();
                if (line.Length == 0 || line[0] == '#' || line.StartsWith("loop_", StringComparison.Ordinal) || line[0] == '_')
                {
                    break;
                }

                // mmCIF is STAR: its values are split by the same rules.
                var tokens = new List<ReadOnlyMemory<char>>(columns.Count);
                Star.StarParser.Tokenize(line.AsMemory(), tokens, path, j + 1);
                if (tokens.Count != columns.Count)
                {
                    throw new InvalidFileException(path, $"atom record has {tokens.Count} values; the _atom_site loop has {columns.Count} columns", j + 1);
                }

                if (model >= 0)
                {
                    firstModel ??= tokens[model].ToString();
                    if (!tokens[model].Span.SequenceEqual(firstModel))
                    {
                        continue;
                    }
                }

                double Value(int column) =>
                    double.TryParse(tokens[column].Span, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v)
                        ? v
                        : throw new InvalidFileException(path, $"_atom_site.{columns[column]} = '{tokens[column]}' is not a number", j + 1);
                double occ = occupancy >= 0 && double.TryParse(tokens[occupancy].Span, NumberStyles.Float, CultureInfo.InvariantCulture, out double o) ? o : 1;
                atoms.Add(new Atom(Elements.Normalize(element >= 0 ? tokens[element].ToString() : "C"), Value(cx), Value(cy), Value(cz), occ));
            }

            break;
        }

        return atoms;
    }
}
