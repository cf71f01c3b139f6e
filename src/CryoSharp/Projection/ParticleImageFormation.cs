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
    /// Forms the images of particles [start, start + count) of <paramref name="particles"/> in parallel and
    /// brings them to real space with one batched inverse FFT.
    /// </summary>
    /// <param name="projector">The map's projector.</param>
    /// <param name="particles">The particles (angles in degrees, origins in Å).</param>
    /// <param name="start">Index of the first particle.</param>
    /// <param name="count">Number of particles.</param>
    /// <param name="ctfOf">The CTF of particle i (by index), or null for none.</param>
    /// <param name="spectra">Scratch for count half-complex spectra.</param>
    /// <param name="images">Destination for count images, image after image.</param>
    public static void FormBatch(FourierProjector projector, IReadOnlyList<IO.Star.Particle> particles, int start, int count,
        Func<int, CtfModel?> ctfOf, ComplexF[] spectra, float[] images)
    {
        ArgumentNullException.ThrowIfNull(projector);
        ArgumentNullException.ThrowIfNull(particles);
        ArgumentNullException.ThrowIfNull(ctfOf);
        var shape = projector.ImageShape;
        Parallel.For(0, count, Parallelism.Options, () => new float[shape.HalfComplexLength], (i, _, ctfScratch) =>
        {
            var p = particles[start + i];
            var a = EulerAngles.FromDegrees(p.AngleRotDeg, p.AngleTiltDeg, p.AnglePsiDeg).ToMatrix();
            Form(projector, a, p.OriginXA, p.OriginYA, ctfOf(start + i),
                spectra.AsSpan(i * shape.HalfComplexLength, shape.HalfComplexLength), ctfScratch);
            return ctfScratch;
        }, _ => { });
        Numerics.Fft.Fft.InverseMany(spectra, shape, count, images);
    }
}
