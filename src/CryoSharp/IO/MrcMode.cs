namespace CryoSharp.IO;

/// <summary>MRC2014 data modes CryoSharp reads (and, for <see cref="Float32"/>, writes).</summary>
public enum MrcMode
{
    /// <summary>8-bit signed integer (unsigned in old IMOD files that say so).</summary>
    Int8 = 0,

    /// <summary>16-bit signed integer.</summary>
    Int16 = 1,

    /// <summary>32-bit IEEE float.</summary>
    Float32 = 2,

    /// <summary>16-bit unsigned integer.</summary>
    UInt16 = 6,

    /// <summary>16-bit IEEE half float.</summary>
    Float16 = 12,
}
