namespace CryoSharp.IO.Star;

/// <summary>
/// A STAR file as RELION reads and writes it: an ordered list of data blocks. Read with <see cref="Load"/> or
/// <see cref="Parse"/> (RELION 3.0 and 3.1+), written with <see cref="Save"/> (RELION style: a
/// <c># version 30001</c> line before each block, loop labels numbered <c>#1</c>, <c>#2</c>…).
/// </summary>
public sealed class StarDocument
{
    /// <summary>The blocks in file order.</summary>
    public List<StarBlock> Blocks { get; } = [];

    /// <summary>The file this was read from, if any (used in error messages).</summary>
    public string? SourcePath { get; init; }

    /// <summary>The block named <paramref name="name"/>, or null.</summary>
    public StarBlock? Find(string name) => Blocks.FirstOrDefault(b => b.Name == name);

    /// <summary>Adds a block and returns it.</summary>
    public StarBlock Add(StarBlock block)
    {
        ArgumentNullException.ThrowIfNull(block);
        Blocks.Add(block);
        return block;
    }

    /// <summary>Reads a STAR file; malformed content raises an <see cref="InvalidFileException"/> with the line.</summary>
    public static StarDocument Load(string path) => StarParser.Parse(ReadText(path), path);

    /// <summary>A STAR file's text; a missing or unreadable file raises an <see cref="InvalidFileException"/>.</summary>
    public static string ReadText(string path)
    {
        RegularFile.Require(path);
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw InvalidFileException.Opening(path, e);
        }
    }

    /// <summary>Parses STAR text; <paramref name="sourceName"/> names it in error messages.</summary>
    public static StarDocument Parse(string text, string sourceName = "<text>") => StarParser.Parse(text, sourceName);

    /// <summary>Writes the document atomically.</summary>
    public void Save(string path) => AtomicFile.Write(path, stream =>
    {
        using var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false), 1 << 16, leaveOpen: true);
        StarWriter.Write(this, writer);
    });

    /// <summary>The document as STAR text.</summary>
    public override string ToString()
    {
        using var writer = new StringWriter(System.Globalization.CultureInfo.InvariantCulture);
        StarWriter.Write(this, writer);
        return writer.ToString();
    }
}
