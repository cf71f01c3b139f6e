using CryoSharp.Geometry;
using CryoSharp.Imaging;
using CryoSharp.Numerics;
using CryoSharp.Numerics.Fft;

namespace CryoSharp.Projection;

/// <summary>
/// Projects a volume by the Fourier-slice theorem, as RELION's <c>Projector</c> does: the map is divided by the
/// gridding correction, zero-padded <see cref="Padding"/> times, transformed once, and each projection's
/// spectrum is read off the central slice by trilinear interpolation. Projections are line integrals (sums
/// over voxels), with the centre of rotation at n/2: p(x, y) = ∫ V(Aᵀ(x, y, z)) dz. Thread-safe: one projector
/// serves every thread.
/// </summary>
public sealed class FourierProjector
{
    private readonly ComplexF[] spectrum;
    private readonly int paddedBox;
    private readonly int halfPadded;

    /// <summary>Prepares the projector for a cubic volume (its transform is computed here, once).</summary>
    /// <param name="volume">The map; its pixel size is kept for the projections.</param>
    /// <param name="padding">Zero-padding factor of the Fourier grid (2, as RELION, by default).</param>
    public FourierProjector(Volume volume, int padding = 2)
    {
        ArgumentNullException.ThrowIfNull(volume);
        if (!volume.Shape.IsSquareOrCubic || volume.Shape.Rank != 3)
        {
            throw new InvalidParameterException("volume shape", volume.Shape, "the projector needs a cubic volume");
        }

        if (padding is < 1 or > 4)
        {
            throw new InvalidParameterException("padding factor", padding, "must be 1, 2, 3 or 4");
        }

        Box = volume.Nx;
        Padding = padding;
        PixelSizeA = volume.PixelSizeA;
        paddedBox = Box * padding;
        halfPadded = (paddedBox / 2) + 1;

        var corrected = (float[])volume.Data.Clone();
        GriddingCorrection.Divide(corrected, Box, paddedBox);
        var padded = new float[paddedBox * paddedBox * paddedBox];
        RealSpaceWindow.Window(corrected, volume.Shape, padded, GridShape.Cube(paddedBox));
        spectrum = new ComplexF[GridShape.Cube(paddedBox).HalfComplexLength];
        Fft.Forward(padded, GridShape.Cube(paddedBox), spectrum);
    }

    /// <summary>Box size of the volume and of the projections, in pixels.</summary>
    public int Box { get; }

    /// <summary>Zero-padding factor of the Fourier grid.</summary>
    public int Padding { get; }

    /// <summary>Pixel size in Å.</summary>
    public double PixelSizeA { get; }

    /// <summary>Shape of one projection.</summary>
    public GridShape ImageShape => GridShape.Square(Box);

    /// <summary>
    /// The half-complex spectrum of the projection at orientation <paramref name="a"/> (RELION matrix), in the
    /// layout of <see cref="Fft.Forward(ReadOnlySpan{float}, GridShape, Span{ComplexF}, FftOrigin, FftScaling)"/>
    /// with a centred origin; frequencies at or beyond Nyquist are zero.
    /// </summary>
    public void ProjectSpectrum(Matrix3 a, Span<ComplexF> destination)
    {
        int n = Box, hx = (n / 2) + 1;
        if (destination.Length < hx * n)
        {
            throw new ArgumentException($"Destination holds {destination.Length} values; box {n} needs {hx * n}.");
        }

        var slice = new CentralSlice(a, n, Padding);
        for (int y = 0; y < n; y++)
        {
            int ky = FourierIndex.Frequency(y, n);
            var row = destination.Slice(y * hx, hx);
            for (int kx = 0; kx < hx; kx++)
            {
                if ((kx * kx) + (ky * ky) >= slice.RadiusSquared)
                {
                    row[kx] = default;
                    continue;
                }

                double xp = (slice.Ax * kx) + (slice.Bx * ky);
                double yp = (slice.Ay * kx) + (slice.By * ky);
                double zp = (slice.Az * kx) + (slice.Bz * ky);

                // The stored half has x ≥ 0; the other half is the complex conjugate at −k (Friedel symmetry).
                if (xp < 0)
                {
                    row[kx] = Interpolate(-xp, -yp, -zp).Conjugate;
                }
                else
                {
                    row[kx] = Interpolate(xp, yp, zp);
                }
            }
        }
    }

    /// <summary>The real-space projection at orientation <paramref name="a"/> into <paramref name="image"/> (Box² pixels).</summary>
    public void Project(Matrix3 a, Span<float> image)
    {
        var spectrumOfImage = new ComplexF[ImageShape.HalfComplexLength];
        ProjectSpectrum(a, spectrumOfImage);
        Fft.Inverse(spectrumOfImage, ImageShape, image);
    }

    /// <summary>The real-space projection at RELION Euler angles.</summary>
    public Image Project(EulerAngles angles)
    {
        var image = new Image(Box, Box, PixelSizeA);
        Project(angles.ToMatrix(), image.Data);
        return image;
    }

    /// <summary>Trilinear interpolation of the padded spectrum at (x ≥ 0, y, z) in padded-grid frequency units.</summary>
    private ComplexF Interpolate(double x, double y, double z)
    {
        int x0 = (int)x, y0 = (int)Math.Floor(y), z0 = (int)Math.Floor(z);
        float fx = (float)(x - x0), fy = (float)(y - y0), fz = (float)(z - z0);
        int m = paddedBox, h = halfPadded;
        int ya = Wrap(y0, m), yb = Wrap(y0 + 1, m), za = Wrap(z0, m), zb = Wrap(z0 + 1, m);
        var s = spectrum;
        int r00 = ((za * m) + ya) * h, r01 = ((za * m) + yb) * h, r10 = ((zb * m) + ya) * h, r11 = ((zb * m) + yb) * h;

        // x0 + 1 never passes the last stored column: |k′| < M/2 inside Nyquist.
        var c00 = Lerp(s[r00 + x0], s[r00 + x0 + 1], fx);
        var c01 = Lerp(s[r01 + x0], s[r01 + x0 + 1], fx);
        var c10 = Lerp(s[r10 + x0], s[r10 + x0 + 1], fx);
        var c11 = Lerp(s[r11 + x0], s[r11 + x0 + 1], fx);
        return Lerp(Lerp(c00, c01, fy), Lerp(c10, c11, fy), fz);
    }

    private static ComplexF Lerp(ComplexF a, ComplexF b, float t) => new(a.Re + (t * (b.Re - a.Re)), a.Im + (t * (b.Im - a.Im)));

    private static int Wrap(int k, int m) => k < 0 ? k + m : k >= m ? k - m : k;
}
