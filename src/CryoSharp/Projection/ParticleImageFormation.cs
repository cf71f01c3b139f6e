using CryoSharp.Geometry;
using CryoSharp.Imaging;
using CryoSharp.Numerics;

namespace CryoSharp.Projection;

/// <summary>
/// How RELION forms a particle image from a map (<c>relion_project</c>): the projection at the particle's
/// orientation, translated by −origin (the origin is the shift that re-centres the particle), then multiplied by
/// its CTF in Fourier space. Works on spectra so that a batch can go through one batched inverse FFT.
/// </summary>
public static class ParticleImageFormation
{
    /// <summary>Writes the half-complex spectrum of one particle image into <paramref name="spectrum"/>.</summary>
    /// <param name="projector">The map's projector.</param>
    /// <param name="orientation">RELION matrix of the particle's orientation.</param>
    /// <param name="originXA">rlnOriginXAngst: the x shift that re-centres the particle, in Å.</param>
    /// <param name="originYA">rlnOriginYAngst, in Å.</param>
    /// <param name="ctf">The particle's CTF, or null for none.</param>
    /// <param name="spectrum">Destination, half-complex, box of the projector.</param>
    /// <param name="ctfScratch">Scratch of the same length for the CTF values (avoids allocation per particle).</param>
    public static void Form(FourierProjector projector, Matrix3 orientation, double originXA, double originYA, CtfModel? ctf,
        Span<ComplexF> spectrum, Span<float> ctfScratch)
    {
        ArgumentNullException.ThrowIfNull(projector);
        projector.ProjectSpectrum(orientation, spectrum);
        FourierShift.Apply(spectrum, projector.Box, -originXA / projector.PixelSizeA, -originYA / projector.PixelSizeA);
        if (ctf is not null)
        {
            ctf.Fill(ctfScratch, projector.Box, projector.PixelSizeA);
            SpectrumFilter.Multiply(spectrum, ctfScratch);
        }
    }
}
