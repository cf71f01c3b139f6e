using CryoSharp.Numerics;

namespace CryoSharp.Detection;

/// <summary>Settings of <see cref="AutocorrelationFitting"/>.</summary>
public sealed record AutocorrelationFitOptions
{
    /// <summary>Length L of the signal.</summary>
    public required int Length { get; init; }

    /// <summary>The noise level σ, or null to estimate it with x and γ.</summary>
    public double? Sigma { get; init; }

    /// <summary>Random starts of the fit.</summary>
    public int Restarts { get; init; } = 50;

    /// <summary>Where the random starts come from.</summary>
    public required SeedSequence Seeds { get; init; }

    /// <summary>Threads of the autocorrelation pass.</summary>
    public ComputeContext Context { get; init; } = ComputeContext.Default;
}
