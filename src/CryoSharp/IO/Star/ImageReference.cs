using System.Globalization;

namespace CryoSharp.IO.Star;

/// <summary>
/// A RELION image reference <c>index@stack.mrcs</c>: image <see cref="Index"/> (from 1) of a stack file. A
/// plain path with no <c>@</c> means the first (only) image of that file.
/// </summary>
/// <param name="Index">Image number in the stack, counted from 1.</param>
/// <param name="StackPath">The stack's path as written (usually relative to the RELION project folder).</param>
public readonly record struct ImageReference(int Index, string StackPath)
{
    /// <summary>Parses <c>index@path</c> or <c>path</c>; null when the text is not a reference.</summary>
    public static ImageReference? TryParse(ReadOnlySpan<char> text)
    {
        int at = text.IndexOf('@');
        if (at < 0)
        {
            return text.IsEmpty ? null : new ImageReference(1, text.ToString());
        }

        if (!int.TryParse(text[..at], NumberStyles.None, CultureInfo.InvariantCulture, out int index) || index < 1 ||
            at == text.Length - 1)
        {
            return null;
        }

        return new ImageReference(index, text[(at + 1)..].ToString());
    }

    /// <summary>RELION's spelling: a six-digit index, <c>@</c>, the path.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Index:D6}@{StackPath}");
}
