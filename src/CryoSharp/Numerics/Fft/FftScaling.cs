namespace CryoSharp.Numerics.Fft;

/// <summary>
/// How a transform is scaled. CryoSharp's convention (docs/conventions) is <see cref="Backward"/>: the forward
/// transform is unnormalised and the inverse divides by N, so that inverse(forward(x)) = x.
/// </summary>
public enum FftScaling
{
    /// <summary>Forward unscaled, inverse scaled by 1/N (FFTW's and RELION's convention).</summary>
    Backward,

    /// <summary>Neither direction scaled: inverse(forward(x)) = N·x.</summary>
    None,

    /// <summary>Both directions scaled by 1/√N: the transform is unitary.</summary>
    Orthonormal,
}
