using CryoSharp.Imaging;
using CryoSharp.Projection;

namespace CryoSharp.Detection;

/// <summary>What <see cref="MicrographVolumeExpectationMaximization"/> found.</summary>
/// <param name="Estimate">The volume, L³, sampled from its expansion; up to a rotation (and hand is fixed by the data).</param>
/// <param name="Coefficients">Its coefficients in <paramref name="Basis"/>.</param>
/// <param name="Basis">The spherical Bessel basis.</param>
/// <param name="Orientations">Orientations tried.</param>
/// <param name="ShiftPrior">The prior over the (2L)² circular shifts of a patch, row-major (s_y, s_x).</param>
/// <param name="Gamma">γ̂, the density.</param>
/// <param name="Sigma">σ, as given.</param>
/// <param name="Iterations">Iterations run in all (earlier runs continued included).</param>
/// <param name="LogLikelihoodPerPatch">Mean log-likelihood of a patch at the last iteration (up to a constant).</param>
/// <param name="Patches">L × L patches in the micrograph.</param>
/// <param name="Seconds">Time of this run.</param>
/// <param name="History">Every iteration of this run.</param>
public sealed record MicrographVolumeEmResult(Volume Estimate, double[] Coefficients, SphericalBesselBasis Basis, int Orientations, double[] ShiftPrior,
    double Gamma, double Sigma, int Iterations, double LogLikelihoodPerPatch, long Patches, double Seconds, IReadOnlyList<MicrographVolumeEmIteration> History);
