namespace CryoSharp.IO;

/// <summary>Bounds beyond which an MRC header is taken to be nonsense rather than a real map or stack.</summary>
internal static class MrcLimits
{
    /// <summary>Largest column or row count accepted (a 64k detector frame).</summary>
    public const int MaxDimension = 65536;

    /// <summary>Largest section count accepted (images in one stack).</summary>
    public const int MaxSections = 100_000_000;
}
