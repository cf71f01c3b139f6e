namespace CryoSharp.Detection;

/// <summary>
/// A way of estimating the signal of multi-target detection and its density γ (and σ, for some) from one long
/// measurement, without locating the copies: the autocorrelation fit, or approximate EM over patches. Each is made
/// from one options record that holds the model (signal length, σ when known), seeds and compute context.
/// </summary>
public interface IMtdEstimator
{
    /// <summary>Estimates x and γ from <paramref name="measurement"/>.</summary>
    MtdSolution Estimate(IMtdMeasurement measurement);
}
