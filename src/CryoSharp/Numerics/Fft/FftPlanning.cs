namespace CryoSharp.Numerics.Fft;

/// <summary>
/// How FFTW chooses its algorithm for a shape. <see cref="Estimate"/> picks it by heuristics, the same way every
/// run, so results are identical to the bit from run to run. <see cref="Measure"/> times candidates when a shape
/// is first used and keeps the fastest; which one wins can vary between runs, and so can the last bits.
/// </summary>
public enum FftPlanning
{
    /// <summary>FFTW_ESTIMATE: deterministic plans, no planning time.</summary>
    Estimate,

    /// <summary>FFTW_MEASURE: timed plans, possibly faster, not bit-reproducible between runs.</summary>
    Measure,
}
