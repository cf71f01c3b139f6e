using CryoSharp.Numerics;

namespace CryoSharp.Detection;

/// <summary>Settings of <see cref="MicrographAutocorrelationFitting"/>.</summary>
public sealed record MicrographAutocorrelationFitOptions
{
    /// <summary>L, the target's box in pixels.</summary>
    public required int TargetSize { get; init; }

    /// <summary>The noise level σ, or null to estimate it with the target and γ.</summary>
    public double? Sigma { get; init; }

    /// <summary>Highest radial frequency of the Fourier–Bessel basis, cycles per pixel.</summary>
    public double BandLimit { get; init; } = 0.5;

    /// <summary>
    /// Multipliers of the weights of a¹, a² and a³ on top of one over twice each order's distinct entries. The default
    /// lets a³ lead: the misfit a¹ and a² carry (signal–noise cross terms, smooth in the lag) otherwise pulls the
    /// target away. At 3000², SNR 2, L = 9 the error is 0.27 with 1, 1, 1; 0.20 with 1, 0.01, 1; 0.09 with 0.01, 0.01, 1.
    /// </summary>
    public double[] OrderWeights { get; init; } = [.. DefaultOrderWeights];

    /// <summary>The default of <see cref="OrderWeights"/>.</summary>
    public static IReadOnlyList<double> DefaultOrderWeights { get; } = [0.01, 0.01, 1];

    /// <summary>Random starts of the fit; the one with the lowest objective is kept.</summary>
    public int Restarts { get; init; } = 10;

    /// <summary>L-BFGS iterations per start and per stage of frequency marching.</summary>
    public int MaxIterations { get; init; } = 1000;

    /// <summary>Levenberg–Marquardt iterations that finish each start.</summary>
    public int PolishIterations { get; init; } = 100;

    /// <summary>Centre the estimate on its centre of mass (autocorrelations cannot tell where the target sits in its box).</summary>
    public bool Centre { get; init; } = true;

    /// <summary>A start to try before the random ones (coefficients in the fit's basis), or null.</summary>
    public ComplexF[]? Start { get; init; }

    /// <summary>The density <see cref="Start"/> goes with.</summary>
    public double StartGamma { get; init; } = 0.1;

    /// <summary>Where the random starts come from.</summary>
    public required SeedSequence Seeds { get; init; }

    /// <summary>Threads of the pass and of the starts.</summary>
    public ComputeContext Context { get; init; } = ComputeContext.Default;

    /// <summary>Called (from any thread) with the fraction of the autocorrelation pass done.</summary>
    public Action<double>? PassProgress { get; init; }

    /// <summary>Called (from any thread) as each start finishes, with the number finished so far.</summary>
    public Action<int>? Progress { get; init; }
}
