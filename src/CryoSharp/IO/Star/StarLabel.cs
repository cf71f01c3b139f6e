namespace CryoSharp.IO.Star;

/// <summary>A known RELION STAR label: its name (without underscore), value type, unit and meaning.</summary>
/// <param name="Name">Label without the leading underscore, e.g. <c>rlnDefocusU</c>.</param>
/// <param name="Type">Value type.</param>
/// <param name="Unit">Unit of the value ("" when dimensionless).</param>
/// <param name="Description">One line on what the value means.</param>
public sealed record StarLabel(string Name, StarValueType Type, string Unit, string Description);
