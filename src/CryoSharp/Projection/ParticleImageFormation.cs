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

    /// <summary>
    /// Forms <paramref name="count"/> images in parallel, image i from <paramref name="parameters"/>(i), and brings
    /// them to real space with one batched inverse FFT.
    /// </summary>
    /// <param name="projector">The map's projector.</param>
    /// <param name="count">Number of images.</param>
    /// <param name="parameters">Orientation, origin and CTF of image i (0 ≤ i &lt; count).</param>
    /// <param name="spectra">Scratch for at least count half-complex spectra.</param>
    /// <param name="images">Destination for count images, image after image.</param>
    /// <param name="context">Threads.</param>
    public static void FormBatch(FourierProjector projector, int count, Func<int, ImageFormationParameters> parameters,
        Span<ComplexF> spectra, Span<float> images, ComputeContext? context = null)
    {
        ArgumentNullException.ThrowIfNull(projector);
        ArgumentNullException.ThrowIfNull(parameters);
        var shape = projector.ImageShape;
        if (spectra.Length < (long)count * shape.HalfComplexLength || images.Length < (long)count * shape.Length)
        {
            throw new ArgumentException($"Scratch or destination too small for {count} images of {shape}.");
        }

        unsafe
        {
            fixed (ComplexF* s = spectra)
            {
                nint address = (nint)s;
                Parallel.For(0, count, (context ?? ComputeContext.Default).ParallelOptions, () => new float[shape.HalfComplexLength], (i, _, ctfScratch) =>
                {
                    var p = parameters(i);
                    var spectrum = new Span<ComplexF>((ComplexF*)address + ((long)i * shape.HalfComplexLength), shape.HalfComplexLength);
                    Form(projector, p.Orientation, p.OriginXA, p.OriginYA, p.Ctf, spectrum, ctfScratch);
                    return ctfScratch;
                }, _ => { });
            }
        }

        Numerics.Fft.Fft.InverseMany(spectra[..(count * shape.HalfComplexLength)], shape, count, images[..(count * shape.Length)], context: context);
    }
}

/// <summary>What forms one particle image: orientation, origin and CTF.</summary>
/// <param name="Orientation">RELION matrix of the orientation.</param>
/// <param name="OriginXA">x translation that centres the particle, in Å (the image is shifted by −origin).</param>
/// <param name="OriginYA">y translation that centres the particle, in Å.</param>
/// <param name="Ctf">The CTF, or null for none.</param>
public readonly record struct ImageFormationParameters(Matrix3 Orientation, double OriginXA, double OriginYA, CtfModel? Ctf);
