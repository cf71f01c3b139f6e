namespace CryoSharp.Numerics.Fft;

/// <summary>
/// Where the real-space origin of the data lies. Cryo-EM images and volumes keep their origin (the centre of
/// rotation) at index n/2 on every axis; FFTs want it at index 0. <see cref="Centered"/> moves it on the way in
/// (ifftshift) and back on the way out (fftshift) during the copies FFTW needs anyway, at no extra cost.
/// </summary>
public enum FftOrigin
{
    /// <summary>The origin is at index n/2 on every axis (conventions: the centre of the box).</summary>
    Centered,

    /// <summary>The origin is at index 0 (plain DFT).</summary>
    Corner,
}
