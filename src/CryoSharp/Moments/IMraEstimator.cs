namespace CryoSharp.Moments;

/// <summary>
/// A way of estimating the signal of multireference alignment (and, for some, the shift distribution ρ) from a set of
/// observations with known noise level: bispectrum inversion, moment fitting, expectation–maximisation, the oracle.
/// Each is made from one options record that holds everything it needs, seeds and compute context included.
/// </summary>
public interface IMraEstimator
{
    /// <summary>Estimates x (and ρ where the method does) from <paramref name="observations"/> with noise σ.</summary>
    MraSolution Estimate(IMraObservations observations, double sigma);
}
