namespace CryoSharp.Detection;

/// <summary>The ground truth of a simulated micrograph, written as <c>truth.json</c> beside it.</summary>
/// <param name="Width">Columns.</param>
/// <param name="Height">Rows.</param>
/// <param name="TargetSize">L, the target's box in pixels.</param>
/// <param name="PixelSizeA">Pixel size in Å.</param>
/// <param name="Target">What the copies are: "image" (in-plane rotations) or "volume" (projections).</param>
/// <param name="Gamma">The realised density: copies·L²/(W·H).</param>
/// <param name="Sigma">Noise standard deviation.</param>
/// <param name="Snr">‖x‖²/(L²σ²) (x: the image, or the mean over copies of a projection's energy).</param>
/// <param name="Spacing">"separated" or "arbitrary".</param>
/// <param name="Copies">Number of copies.</param>
/// <param name="BandLimit">The Fourier–Bessel band limit the 2D target was expanded to (cycles per pixel), or null for a volume.</param>
/// <param name="Seed">The seed of the simulation.</param>
public sealed record MicrographTruth(int Width, int Height, int TargetSize, double PixelSizeA, string Target, double Gamma, double Sigma, double Snr,
    string Spacing, int Copies, double? BandLimit, long Seed);
