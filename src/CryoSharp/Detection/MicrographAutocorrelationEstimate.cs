using CryoSharp.ClassAveraging;
using CryoSharp.Imaging;
using CryoSharp.Numerics;

namespace CryoSharp.Detection;

/// <summary>What <see cref="MicrographAutocorrelationFitting"/> found.</summary>
/// <param name="Estimate">The target, L × L (pixel size of the micrograph).</param>
/// <param name="Coefficients">The estimate in <paramref name="Basis"/>.</param>
/// <param name="Basis">The Fourier–Bessel basis of the fit.</param>
/// <param name="Gamma">γ̂, the fraction of the micrograph the copies' boxes cover.</param>
/// <param name="Sigma">σ, given or estimated.</param>
/// <param name="Objective">The best start's objective, relative to its value at x = 0.</param>
/// <param name="StartObjectives">The final relative objective of every start that ended with γ &gt; 0 and σ² ≥ 0, in start order.</param>
/// <param name="RejectedStarts">Starts that did not.</param>
/// <param name="Iterations">L-BFGS iterations of the best start.</param>
/// <param name="Rotations">Angles the model averages over.</param>
/// <param name="PassSeconds">Seconds of the autocorrelation pass.</param>
/// <param name="FitSeconds">Seconds of the fit (all starts).</param>
/// <param name="PixelsPerSecond">Pixels per second of the pass.</param>
public sealed record MicrographAutocorrelationEstimate(Image Estimate, ComplexF[] Coefficients, FourierBesselBasis Basis, double Gamma, double Sigma,
    double Objective, double[] StartObjectives, int RejectedStarts, int Iterations, int Rotations, double PassSeconds, double FitSeconds, double PixelsPerSecond);
