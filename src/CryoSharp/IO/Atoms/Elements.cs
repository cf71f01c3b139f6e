namespace CryoSharp.IO.Atoms;

/// <summary>Atomic numbers of the elements found in biological models (the electron count weights density).</summary>
public static class Elements
{
    private static readonly Dictionary<string, int> Numbers = new(StringComparer.OrdinalIgnoreCase)
    {
        ["H"] = 1,
        ["D"] = 1,
        ["He"] = 2,
        ["Li"] = 3,
        ["Be"] = 4,
        ["B"] = 5,
        ["C"] = 6,
        ["N"] = 7,
        ["O"] = 8,
        ["F"] = 9,
        ["Ne"] = 10,
        ["Na"] = 11,
        ["Mg"] = 12,
        ["Al"] = 13,
        ["Si"] = 14,
        ["P"] = 15,
        ["S"] = 16,
        ["Cl"] = 17,
        ["Ar"] = 18,
        ["K"] = 19,
        ["Ca"] = 20,
        ["Mn"] = 25,
        ["Fe"] = 26,
        ["Co"] = 27,
        ["Ni"] = 28,
        ["Cu"] = 29,
        ["Zn"] = 30,
        ["Se"] = 34,
        ["Br"] = 35,
        ["Rb"] = 37,
        ["Sr"] = 38,
        ["Mo"] = 42,
        ["Cd"] = 48,
        ["I"] = 53,
        ["Cs"] = 55,
        ["Ba"] = 56,
        ["W"] = 74,
        ["Pt"] = 78,
        ["Au"] = 79,
        ["Hg"] = 80,
        ["Pb"] = 82,
        ["U"] = 92,
    };

    /// <summary>The atomic number of an element symbol, or 6 (carbon) for one this table lacks.</summary>
    public static int AtomicNumber(string element) => Numbers.GetValueOrDefault(element ?? "", 6);

    /// <summary>True when the symbol is known.</summary>
    public static bool IsKnown(string element) => Numbers.ContainsKey(element ?? "");

    /// <summary>"FE" → "Fe": the periodic-table spelling of a symbol.</summary>
    public static string Normalize(string symbol)
    {
        symbol = (symbol ?? "").Trim();
        return symbol.Length switch
        {
            0 => "",
            1 => symbol.ToUpperInvariant(),
            _ => char.ToUpperInvariant(symbol[0]) + symbol[1..].ToLowerInvariant(),
        };
    }
}
