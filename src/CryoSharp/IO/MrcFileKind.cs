namespace CryoSharp.IO;

/// <summary>What the sections of an MRC file are.</summary>
public enum MrcFileKind
{
    /// <summary>Independent images (.mrcs; space group 0).</summary>
    Stack,

    /// <summary>The sections of one 3D map (.mrc; space group 1).</summary>
    Volume,
}
