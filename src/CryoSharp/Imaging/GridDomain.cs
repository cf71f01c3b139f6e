namespace CryoSharp.Imaging;

/// <summary>Whether a grid holds real-space samples or a (half-complex) Fourier transform.</summary>
public enum GridDomain
{
    /// <summary>Real-space samples, origin at index n/2.</summary>
    Real,

    /// <summary>Half-complex Fourier coefficients, origin at index 0.</summary>
    Fourier,
}
