namespace CryoSharp.Particles;

/// <summary>How particle images are corrected for their CTF.</summary>
public enum CtfCorrection
{
    /// <summary>Multiply each frequency by the sign of the CTF: the image then carries |CTF| (RELION's phase flipping).</summary>
    Flip,

    /// <summary>Wiener-filter each image, X·C/(C² + K): the CTF is divided out where it is strong.</summary>
    Wiener,
}
