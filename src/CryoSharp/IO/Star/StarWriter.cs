namespace CryoSharp.IO.Star;

/// <summary>Writes STAR text the way RELION 3.1 does, with loop columns padded to a common width.</summary>
internal static class StarWriter
{
    public static void Write(StarDocument document, TextWriter writer)
    {
        foreach (var block in document.Blocks)
        {
            writer.Write('\n');
            writer.Write("# ");
            writer.Write(block.Comment ?? "version 30001");
            writer.Write("\n\ndata_");
            writer.Write(block.Name);
            writer.Write("\n\n");
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

    private static void WriteLoop(StarTable loop, TextWriter writer)
    {
        writer.Write("loop_ \n");
        for (int c = 0; c < loop.Columns.Count; c++)
        {
            writer.Write('_');
            writer.Write(loop.Columns[c]);
            writer.Write(" #");
            writer.Write((c + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
            writer.Write(" \n");
        }

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
                var value = loop.GetSpan(r, c);
                int length = QuotedLength(value);
                writer.Write(' ');
                for (int pad = length; pad < widths[c]; pad++)
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

            writer.Write(" \n");
        }

        writer.Write(" \n");
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
