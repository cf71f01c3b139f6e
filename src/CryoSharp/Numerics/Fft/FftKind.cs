namespace CryoSharp.Numerics.Fft;

/// <summary>Which transform a plan computes.</summary>
public enum FftKind
{
    /// <summary>Real input to half-complex output (forward).</summary>
    RealToComplex,

    /// <summary>Half-complex input to real output (inverse).</summary>
    ComplexToReal,

    /// <summary>Complex to complex, forward (e^{−2πi kx/n}).</summary>
    ComplexForward,

    /// <summary>Complex to complex, inverse (e^{+2πi kx/n}).</summary>
    ComplexInverse,

    /// <summary>Real input in FFTW's padded in-place layout (rows of 2(Nx/2+1) floats) to half-complex, in place.</summary>
    RealToComplexInPlace,
}
