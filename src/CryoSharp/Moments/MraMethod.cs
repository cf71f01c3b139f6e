namespace CryoSharp.Moments;

/// <summary>The MRA estimators.</summary>
public enum MraMethod
{
    /// <summary>Power spectrum and bispectrum inversion (uniform shifts).</summary>
    Bispectrum,

    /// <summary>Fitting x and a non-uniform ρ to the first two moments.</summary>
    Moments,

    /// <summary>Expectation–maximisation over the shifts.</summary>
    Em,

    /// <summary>Averaging with the true shifts.</summary>
    Oracle,

    /// <summary>The first two moments through a neural-network prior (CryoSharp.Learning), refined unsupervised.</summary>
    NnPrior,
}
