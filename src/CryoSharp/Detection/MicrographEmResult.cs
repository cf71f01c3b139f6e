using CryoSharp.ClassAveraging;
using CryoSharp.Imaging;
using CryoSharp.Numerics;

namespace CryoSharp.Detection;

/// <summary>What <see cref="MicrographExpectationMaximization"/> found.</summary>
/// <param name="Estimate">The target image, L × L, up to an in-plane rotation.</param>
/// <param name="Coefficients">Its Fourier–Bessel coefficients in <paramref name="Basis"/>.</param>
/// <param name="Basis">The basis.</param>
/// <param name="ShiftPrior">The prior over the (2L)² circular shifts of a patch, row-major (s_y, s_x); shifts with s_y = L or s_x = L are the empty patch.</param>
/// <param name="Gamma">γ̂, the density.</param>
/// <param name="Sigma">σ, as given.</param>
/// <param name="Iterations">Iterations run in all (earlier runs continued included).</param>
/// <param name="LogLikelihoodPerPatch">Mean log-likelihood of a patch at the last iteration (up to a constant).</param>
/// <param name="Patches">L × L patches the micrograph was cut into.</param>
/// <param name="Seconds">Time of this run.</param>
/// <param name="History">Every iteration of this run.</param>
public sealed record MicrographEmResult(Image Estimate, ComplexF[] Coefficients, FourierBesselBasis Basis, double[] ShiftPrior, double Gamma,
    double Sigma, int Iterations, double LogLikelihoodPerPatch, long Patches, double Seconds, IReadOnlyList<MicrographEmIteration> History);
