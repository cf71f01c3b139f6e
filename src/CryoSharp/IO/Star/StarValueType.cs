namespace CryoSharp.IO.Star;

/// <summary>The type of a STAR column's values.</summary>
public enum StarValueType
{
    /// <summary>Free text.</summary>
    String,

    /// <summary>A whole number.</summary>
    Integer,

    /// <summary>A real number.</summary>
    Double,

    /// <summary>0 or 1.</summary>
    Boolean,
}
