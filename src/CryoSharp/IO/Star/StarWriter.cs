namespace CryoSharp.IO.Star;

/// <summary>Writes STAR text the way RELION 3.1 does, with loop columns padded to a common width.</summary>
internal static class StarWriter
{
    public static void Write(StarDocument document, TextWriter writer)
    {
        foreach (var block in document.Blocks)
        {
            WriteBlockHeader(block.Name, block.Comment, writer);
            if (block.Pairs.Count > 0)
            {
                int width = block.Pairs.Max(p => p.Key.Length) + 1;
                foreach (var (key, value) in block.Pairs)
                {
                    writer.Write('_');
                    writer.Write(key.PadRight(width));
                    writer.Write(' ');
                    writer.Write(Quote(value));
                    writer.Write('\n');
                }

                writer.Write('\n');
            }

            if (block.Loop is { } loop)
            {
                WriteLoop(loop, writer);
            }
        }
    }

    /// <summary>The line that opens a block: its comment (RELION's version line by default) and <c>data_name</c>.</summary>
    public static void WriteBlockHeader(string name, string? comment, TextWriter writer)
    {
        writer.Write('\n');
        writer.Write("# ");
        writer.Write(comment ?? "version 30001");
        writer.Write("\n\ndata_");
        writer.Write(name);
        writer.Write("\n\n");
    }

    /// <summary>
    /// Writes a loop too large to hold as a <see cref="StarTable"/>: <paramref name="fillRow"/> fills row r's cells on
    /// demand and is asked twice per row, once for the column widths and once to write, so that the text is what
    /// writing the whole table would give while memory stays one row.
    /// </summary>
    public static void WriteLoop(IReadOnlyList<string> columns, int rowCount, Action<int, string[]> fillRow, TextWriter writer)
    {
        WriteLoopColumns(columns, writer);
        var row = new string[columns.Count];
        var widths = new int[columns.Count];
        for (int r = 0; r < rowCount; r++)
        {
            fillRow(r, row);
            for (int c = 0; c < widths.Length; c++)
            {
                widths[c] = Math.Max(widths[c], QuotedLength(row[c]));
            }
        }

        for (int r = 0; r < rowCount; r++)
        {
            fillRow(r, row);
            for (int c = 0; c < widths.Length; c++)
            {
                WriteCell(row[c], widths[c], writer);
            }

            writer.Write(" \n");
        }

        writer.Write(" \n");
    }

    private static void WriteLoop(StarTable loop, TextWriter writer)
    {
        WriteLoopColumns(loop.Columns, writer);
        var widths = new int[loop.Columns.Count];
        for (int r = 0; r < loop.RowCount; r++)
        {
            for (int c = 0; c < widths.Length; c++)
            {
                widths[c] = Math.Max(widths[c], QuotedLength(loop.GetSpan(r, c)));
            }
        }

        for (int r = 0; r < loop.RowCount; r++)
        {
            for (int c = 0; c < widths.Length; c++)
            {
                WriteCell(loop.GetSpan(r, c), widths[c], writer);
            }

            writer.Write(" \n");
        }

        writer.Write(" \n");
    }

    private static void WriteLoopColumns(IReadOnlyList<string> columns, TextWriter writer)
    {
        writer.Write("loop_ \n");
        for (int c = 0; c < columns.Count; c++)
        {
            writer.Write('_');
            writer.Write(columns[c]);
            writer.Write(" #");
            writer.Write((c + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
            writer.Write(" \n");
        }
    }

    private static void WriteCell(ReadOnlySpan<char> value, int width, TextWriter writer)
    {
        int length = QuotedLength(value);
        writer.Write(' ');
        for (int pad = length; pad < width; pad++)
        {
            writer.Write(' ');
        }

        if (length == value.Length)
        {
            writer.Write(value);
        }
        else
        {
            writer.Write(Quote(value.ToString()));
        }
    }

    private static int QuotedLength(ReadOnlySpan<char> value) => NeedsQuotes(value) ? value.Length + 2 : value.Length;

    private static bool NeedsQuotes(ReadOnlySpan<char> value)
    {
        if (value.IsEmpty || value[0] is '#' or '_' or '\'' or '"' || value.StartsWith("data_") ||
            value.SequenceEqual("loop_") || value.SequenceEqual("stop_"))
        {
            return true;
        }

        foreach (char c in value)
        {
            if (char.IsWhiteSpace(c))
            {
                return true;
            }
        }

        return false;
    }

    private static string Quote(string value)
    {
        if (!NeedsQuotes(value))
        {
            return value;
        }

        if (value.Contains('\n'))
        {
            throw new CryoSharpException("A STAR value cannot contain a line break.");
        }

        // A double quote can hold a single one and vice versa; RELION writes "" for empty strings.
        return value.Contains('"') ? $"'{value}'" : $"\"{value}\"";
    }
}
