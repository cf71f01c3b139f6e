namespace CryoSharp.IO.Star;

/// <summary>
/// Line-oriented STAR parser for RELION's dialect: <c>data_</c> blocks, <c>loop_</c> tables with one row per line,
/// <c>_label value</c> pairs, <c>#</c> comments, values quoted with ' or ", and <c>#N</c> suffixes on loop labels.
/// </summary>
internal static class StarParser
{
    public static StarDocument Parse(string text, string source)
    {
        var document = new StarDocument { SourcePath = source };
        StarBlock? block = null;
        StarTable? loop = null;
        bool inLoopHeader = false;
        string? lastComment = null;
        var tokens = new List<ReadOnlyMemory<char>>(64);
        var memory = text.AsMemory();
        int lineNumber = 0;
        int position = 0;
        while (position < text.Length)
        {
            int end = text.IndexOf('\n', position);
            if (end < 0)
            {
                end = text.Length;
            }

            lineNumber++;
            int lineEnd = end > position && text[end - 1] == '\r' ? end - 1 : end;
            var line = memory[position..lineEnd];
            position = end + 1;
            var trimmed = line.Span.Trim();
            if (trimmed.IsEmpty)
            {
                continue;
            }

            if (trimmed[0] == '#')
            {
                lastComment = trimmed[1..].Trim().ToString();
                continue;
            }

            if (trimmed[0] == ';')
            {
                throw Error(source, lineNumber, "multi-line text fields (';') are not supported in RELION STAR files");
            }

            if (trimmed.StartsWith("data_", StringComparison.Ordinal))
            {
                var name = Tokenize(line, tokens, source, lineNumber) == 1
                    ? tokens[0].Span[5..].ToString()
                    : throw Error(source, lineNumber, "unexpected text after the data_ block name");
                block = document.Add(new StarBlock(name) { Comment = lastComment });
                loop = null;
                inLoopHeader = false;
                lastComment = null;
                continue;
            }

            if (block is null)
            {
                throw Error(source, lineNumber, "content before the first data_ block");
            }

            if (trimmed.SequenceEqual("loop_"))
            {
                if (block.Loop is not null)
                {
                    throw Error(source, lineNumber, $"a second loop_ in block data_{block.Name} (RELION allows one per block)");
                }

                loop = new StarTable();
                block.Loop = loop;
                inLoopHeader = true;
                continue;
            }

            if (trimmed.SequenceEqual("stop_") || trimmed.StartsWith("global_", StringComparison.Ordinal))
            {
                loop = null;
                inLoopHeader = false;
                continue;
            }

            if (trimmed[0] == '_')
            {
                int count = Tokenize(line, tokens, source, lineNumber);
                var label = tokens[0].Span[1..].ToString();
                if (label.Length == 0)
                {
                    throw Error(source, lineNumber, "a label with no name ('_')");
                }

                if (loop is not null && inLoopHeader)
                {
                    // Loop labels may carry RELION's "#N" column number, which the tokenizer drops as a comment.
                    if (count > 1)
                    {
                        throw Error(source, lineNumber, $"unexpected text after loop label _{label}");
                    }

                    if (loop.Contains(label))
                    {
                        throw Error(source, lineNumber, $"column _{label} appears twice in the loop");
                    }

                    loop.AddColumn(label);
                    continue;
                }

                // A label after loop rows ends the loop: it is a key-value pair of the block.
                loop = null;
                inLoopHeader = false;
                if (count != 2)
                {
                    throw Error(source, lineNumber, count == 1
                        ? $"label _{label} has no value"
                        : $"label _{label} has {count - 1} values; a key-value pair has one (quote values with spaces)");
                }

                block.Pairs.Add(new(label, tokens[1].ToString()));
                continue;
            }

            if (loop is null)
            {
                throw Error(source, lineNumber, $"a value outside any loop or label in block data_{block.Name}");
            }

            if (inLoopHeader && loop.Columns.Count == 0)
            {
                throw Error(source, lineNumber, "loop_ has no column labels before its first row");
            }

            inLoopHeader = false;
            int values = Tokenize(line, tokens, source, lineNumber);
            if (values != loop.Columns.Count)
            {
                throw Error(source, lineNumber,
                    $"row has {values} values but the loop in data_{block.Name} has {loop.Columns.Count} columns");
            }

            loop.AddRow(tokens, lineNumber);
        }

        return document;
    }

    /// <summary>Splits a line into values (quotes removed), stopping at a '#' that starts a token.</summary>
    internal static int Tokenize(ReadOnlyMemory<char> line, List<ReadOnlyMemory<char>> tokens, string source, int lineNumber)
    {
        tokens.Clear();
        var span = line.Span;
        int i = 0;
        while (i < span.Length)
        {
            while (i < span.Length && char.IsWhiteSpace(span[i]))
            {
                i++;
            }

            if (i >= span.Length || span[i] == '#')
            {
                break;
            }

            char c = span[i];
            if (c is '\'' or '"')
            {
                // A STAR quote closes only at a matching quote followed by white space or the end of the line.
                int start = i + 1, j = start;
                while (j < span.Length && !(span[j] == c && (j + 1 == span.Length || char.IsWhiteSpace(span[j + 1]))))
                {
                    j++;
                }

                if (j >= span.Length)
                {
                    throw Error(source, lineNumber, $"unterminated quoted value starting at column {i + 1}");
                }

                tokens.Add(line[start..j]);
                i = j + 1;
            }
            else
            {
                int start = i;
                while (i < span.Length && !char.IsWhiteSpace(span[i]))
                {
                    i++;
                }

                tokens.Add(line[start..i]);
            }
        }

        return tokens.Count;
    }

    private static InvalidFileException Error(string source, int line, string problem) => new(source, problem, line);
}
