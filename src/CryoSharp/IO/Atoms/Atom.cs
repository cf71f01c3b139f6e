namespace CryoSharp.IO.Atoms;

/// <summary>One atom of a model: its element symbol and position in Å.</summary>
/// <param name="Element">Element symbol, capitalised as in the periodic table (C, N, O, Fe...).</param>
/// <param name="X">x in Å.</param>
/// <param name="Y">y in Å.</param>
/// <param name="Z">z in Å.</param>
/// <param name="Occupancy">Occupancy in [0, 1].</param>
public readonly record struct Atom(string Element, double X, double Y, double Z, double Occupancy = 1);
