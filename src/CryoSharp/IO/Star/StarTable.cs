using System.Globalization;

namespace CryoSharp.IO.Star;

/// <summary>
/// A STAR loop: named columns and rows of text values. Values read from a file are slices of its text (no copy
/// per cell), and each row remembers the line it came from so that typed readers can report it.
/// </summary>
public sealed class StarTable
{
    private readonly List<string> columns = [];
    private readonly Dictionary<string, int> columnIndex = new(StringComparer.Ordinal);
    private readonly List<ReadOnlyMemory<char>> cells = [];
    private readonly List<int> rowLines = [];

    /// <summary>Column labels without the leading underscore, in file order.</summary>
    public IReadOnlyList<string> Columns => columns;

    /// <summary>Number of rows.</summary>
    public int RowCount => rowLines.Count;

    /// <summary>Adds a column (label without underscore), filling existing rows with <paramref name="fill"/>.</summary>
    public int AddColumn(string label, string fill = "0")
    {
        ArgumentException.ThrowIfNullOrEmpty(label);
        if (columnIndex.ContainsKey(label))
        {
            throw new ArgumentException($"Column {label} already exists.", nameof(label));
        }

        int rows = RowCount;
        int oldCount = columns.Count;
        columns.Add(label);
        columnIndex[label] = oldCount;
        if (rows > 0)
        {
            var old = cells.ToArray();
            cells.Clear();
            for (int r = 0; r < rows; r++)
            {
                cells.AddRange(old.AsSpan(r * oldCount, oldCount));
                cells.Add(fill.AsMemory());
            }
        }

        return oldCount;
    }

    /// <summary>The index of a column, or −1 when the table has none of that label.</summary>
    public int IndexOf(string label) => columnIndex.TryGetValue(label, out int i) ? i : -1;

    /// <summary>True when the table has the column.</summary>
    public bool Contains(string label) => columnIndex.ContainsKey(label);

    /// <summary>Appends a row of values, one per column.</summary>
    public void AddRow(ReadOnlySpan<string> values) => AddRow(values, -1);

    /// <summary>Appends a row of values, one per column, remembering its source line (−1 for none).</summary>
    public void AddRow(ReadOnlySpan<string> values, int line)
    {
        if (values.Length != columns.Count)
        {
            throw new ArgumentException($"A row needs {columns.Count} values; {values.Length} were given.");
        }

        foreach (var v in values)
        {
            cells.Add(v.AsMemory());
        }

        rowLines.Add(line);
    }

    /// <summary>Appends a row of slices (the parser's path: no copies).</summary>
    internal void AddRow(List<ReadOnlyMemory<char>> values, int line)
    {
        cells.AddRange(values);
        rowLines.Add(line);
    }

    /// <summary>The 1-based line of the file a row was read from, or −1.</summary>
    public int LineOf(int row) => rowLines[row];

    /// <summary>The text of a cell without copying.</summary>
    public ReadOnlySpan<char> GetSpan(int row, int column) => cells[(row * columns.Count) + column].Span;

    /// <summary>The text of a cell as a slice of the file's text (no copy; stays valid with the table).</summary>
    internal ReadOnlyMemory<char> GetMemory(int row, int column) => cells[(row * columns.Count) + column];

    /// <summary>The text of a cell.</summary>
    public string GetString(int row, int column) => cells[(row * columns.Count) + column].ToString();

    /// <summary>The text of a cell by label.</summary>
    public string GetString(int row, string label) => GetString(row, RequireColumn(label));

    /// <summary>Replaces the text of a cell.</summary>
    public void Set(int row, int column, string value) => cells[(row * columns.Count) + column] = value.AsMemory();

    /// <summary>Replaces the text of a cell with a number in invariant, round-trip form.</summary>
    public void Set(int row, int column, double value) =>
        Set(row, column, value.ToString("R", CultureInfo.InvariantCulture));

    /// <summary>The index of a column that must exist.</summary>
    public int RequireColumn(string label) =>
        IndexOf(label) is int i and >= 0 ? i : throw new KeyNotFoundException($"The table has no column _{label}.");
}
