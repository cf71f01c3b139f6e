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
    /// <param name="context">Threads of the padded 3D transform; null for the default.</param>
    public FourierProjector(Volume volume, int padding = 2, ComputeContext? context = null)
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

        var padded = GridShape.Cube(paddedBox);

        // Pinned for the in-place transform, and not zero-filled: the input writer writes every element.
        spectrum = GC.AllocateUninitializedArray<ComplexF>(padded.HalfComplexLength, pinned: true);
        var data = volume.Data;
        var factor = GriddingCorrection.FactorByRadiusSquared(Box, paddedBox);
        Fft.ForwardInPlace(padded, spectrum, input => WritePadded(data, Box, paddedBox, factor, input), context);
    }

    /// <summary>
    /// Writes the gridding-corrected volume, zero-padded to M³ and with its centre n/2 moved to index 0 (voxel x
    /// goes to (x − n/2) mod M), straight into the FFT's in-place input: rows of 2(M/2 + 1) floats.
    /// </summary>
    private static void WritePadded(float[] volume, int n, int m, float[] factor, Span<float> input)
    {
        input.Clear();
        int stride = 2 * ((m / 2) + 1);
        int c = n / 2;
        for (int z = 0; z < n; z++)
        {
            int iz = z - c < 0 ? z - c + m : z - c;
            for (int y = 0; y < n; y++)
            {
                int iy = y - c < 0 ? y - c + m : y - c;
                int r2 = ((z - c) * (z - c)) + ((y - c) * (y - c));
                var source = volume.AsSpan(((z * n) + y) * n, n);
                var row = input.Slice(((iz * m) + iy) * stride, m);
                for (int x = 0; x < n; x++)
                {
                    int dx = x - c;
                    row[dx < 0 ? dx + m : dx] = source[x] * factor[r2 + (dx * dx)];
                }
            }
        }
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
    /// layout of <see cref="Fft.Forward(ReadOnlySpan{float}, GridShape, Span{ComplexF}, FftOrigin, FftScaling, ComputeContext)"/>
    /// with a centred origin; frequencies at or beyond Nyquist are zero.
    /// </summary>
    public unsafe void ProjectSpectrum(Matrix3 a, Span<ComplexF> destination)
    {
        int n = Box, hx = (n / 2) + 1;
        if (destination.Length < hx * n)
        {
            throw new ArgumentException($"Destination holds {destination.Length} values; box {n} needs {hx * n}.");
        }

        var slice = new CentralSlice(a, n, Padding);
        fixed (ComplexF* grid = spectrum)
        fixed (ComplexF* output = destination)
        {
            for (int y = 0; y < n; y++)
            {
                int ky = FourierIndex.Frequency(y, n);
                var row = output + (y * hx);

                // Only kx² < r² − ky² is inside Nyquist; the rest of the row is zero.
                int count = 0;
                while (count < hx && (count * count) + (ky * ky) < slice.RadiusSquared)
                {
                    count++;
                }

                new Span<ComplexF>(row + count, hx - count).Clear();
                double xp = slice.Bx * ky, yp = slice.By * ky, zp = slice.Bz * ky;
                for (int kx = 0; kx < count; kx++)
                {
                    // The spectrum is far larger than the caches: fetch a later pixel's rows while this one is read.
                    if (kx + 2 < count)
                    {
                        Prefetch(grid, xp + (2 * slice.Ax), yp + (2 * slice.Ay), zp + (2 * slice.Az));
                    }

                    row[kx] = Interpolate(grid, xp, yp, zp);
                    xp += slice.Ax;
                    yp += slice.Ay;
                    zp += slice.Az;
                }
            }
        }
    }

    /// <summary>
    /// The projection's spectrum at orientation <paramref name="a"/> at a list of frequencies (kx, ky) of the image box,
    /// interleaved (re, im) into <paramref name="packed"/>: the same values as <see cref="ProjectSpectrum"/> gives at those
    /// frequencies, zero at or beyond Nyquist. This is how refinement reads only the frequencies it currently uses.
    /// </summary>
    public unsafe void SampleSlice(Matrix3 a, ReadOnlySpan<float> kx, ReadOnlySpan<float> ky, Span<float> packed)
    {
        if (kx.Length != ky.Length || packed.Length < 2 * kx.Length)
        {
            throw new ArgumentException($"{kx.Length} frequencies need {2 * kx.Length} values; {packed.Length} given.");
        }

        var slice = new CentralSlice(a, Box, Padding);
        fixed (ComplexF* grid = spectrum)
        {
            for (int i = 0; i < kx.Length; i++)
            {
                float x = kx[i], y = ky[i];
                if ((x * x) + (y * y) >= slice.RadiusSquared)
                {
                    packed[2 * i] = 0;
                    packed[(2 * i) + 1] = 0;
                    continue;
                }

                var v = Interpolate(grid, (slice.Ax * x) + (slice.Bx * y), (slice.Ay * x) + (slice.By * y), (slice.Az * x) + (slice.Bz * y));
                packed[2 * i] = v.Re;
                packed[(2 * i) + 1] = v.Im;
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

    /// <summary>Asks the processor to bring the four grid rows around (x, y, z) into cache.</summary>
    private unsafe void Prefetch(ComplexF* grid, double x, double y, double z)
    {
        if (!System.Runtime.Intrinsics.X86.Sse.IsSupported)
        {
            return;
        }

        if (x < 0)
        {
            (x, y, z) = (-x, -y, -z);
        }

        int m = paddedBox, x0 = (int)x, yf = (int)(y + m) - m, zf = (int)(z + m) - m;
        for (int dz = 0; dz < 2; dz++)
        {
            int zi = zf + dz < 0 ? zf + dz + m : zf + dz >= m ? zf + dz - m : zf + dz;
            for (int dy = 0; dy < 2; dy++)
            {
                int yi = yf + dy < 0 ? yf + dy + m : yf + dy >= m ? yf + dy - m : yf + dy;
                System.Runtime.Intrinsics.X86.Sse.Prefetch0(grid + ((((long)zi * m) + yi) * halfPadded) + x0);
            }
        }
    }

    /// <summary>
    /// Trilinear interpolation of the padded spectrum at (x, y, z) in padded-grid frequency units. The stored half
    /// has x ≥ 0; a point with x &lt; 0 is read at −k and conjugated (Friedel symmetry).
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private unsafe ComplexF Interpolate(ComplexF* grid, double x, double y, double z)
    {
        float sign = 1;
        if (x < 0)
        {
            x = -x;
            y = -y;
            z = -z;
            sign = -1;
        }

        // Coordinates are within ±M/2, so truncation after adding M floors them and keeps them non-negative.
        int m = paddedBox, h = halfPadded;
        int x0 = (int)x, yf = (int)(y + m) - m, zf = (int)(z + m) - m;
        float fx = (float)(x - x0), fy = (float)(y - yf), fz = (float)(z - zf);
        int ya = yf < 0 ? yf + m : yf, yb = yf + 1 < 0 ? yf + 1 + m : yf + 1 >= m ? yf + 1 - m : yf + 1;
        int za = zf < 0 ? zf + m : zf, zb = zf + 1 < 0 ? zf + 1 + m : zf + 1 >= m ? zf + 1 - m : zf + 1;

        // x0 + 1 never passes the last stored column: |k′| < M/2 inside Nyquist.
        float* p00 = (float*)(grid + ((((long)za * m) + ya) * h) + x0);
        float* p01 = (float*)(grid + ((((long)za * m) + yb) * h) + x0);
        float* p10 = (float*)(grid + ((((long)zb * m) + ya) * h) + x0);
        float* p11 = (float*)(grid + ((((long)zb * m) + yb) * h) + x0);
        float r00 = p00[0] + (fx * (p00[2] - p00[0])), i00 = p00[1] + (fx * (p00[3] - p00[1]));
        float r01 = p01[0] + (fx * (p01[2] - p01[0])), i01 = p01[1] + (fx * (p01[3] - p01[1]));
        float r10 = p10[0] + (fx * (p10[2] - p10[0])), i10 = p10[1] + (fx * (p10[3] - p10[1]));
        float r11 = p11[0] + (fx * (p11[2] - p11[0])), i11 = p11[1] + (fx * (p11[3] - p11[1]));
        float r0 = r00 + (fy * (r01 - r00)), i0 = i00 + (fy * (i01 - i00));
        float r1 = r10 + (fy * (r11 - r10)), i1 = i10 + (fy * (i11 - i10));
        return new ComplexF(r0 + (fz * (r1 - r0)), sign * (i0 + (fz * (i1 - i0))));
    }

}
