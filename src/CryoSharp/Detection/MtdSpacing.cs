namespace CryoSharp.Detection;

/// <summary>How the copies of the signal are placed in an MTD measurement.</summary>
public enum MtdSpacing
{
    /// <summary>Starts at least 2L − 1 apart: at least L − 1 empty samples between copies, so no window of length L
    /// sees two copies and the autocorrelations up to lag L − 1 hold no cross terms.</summary>
    WellSeparated,

    /// <summary>Starts at least L apart: copies never overlap but may touch (the arbitrary-spacing model).</summary>
    Arbitrary,
}
