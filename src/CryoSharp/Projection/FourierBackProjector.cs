using CryoSharp.Geometry;
using CryoSharp.Imaging;
using CryoSharp.Numerics;
using CryoSharp.Numerics.Fft;

namespace CryoSharp.Projection;

/// <summary>
/// The adjoint of <see cref="FourierProjector"/>: image spectra are spread onto the central slices of a padded 3D
/// spectrum with the same trilinear weights (accumulated in double), and <see cref="ToVolume"/> brings the sum
/// back to real space with the same gridding correction. For a projection P, ⟨P v, y⟩ = ⟨v, Pᵀ y⟩ when y is
/// inserted as the unscaled forward transform of the image. Not thread-safe: give each thread its own and
/// <see cref="Add"/> them.
/// </summary>
public sealed class FourierBackProjector
{
    // Per voxel (re, im) or, with weights, (re, im, weight) side by side: one cache line per corner update.
    private readonly double[] grid;
    private readonly int stride;
    private readonly int paddedBox;
    private readonly int halfPadded;

    /// <summary>How many pixels ahead along a row the grid is prefetched.</summary>
    private const int Ahead = 2;

    /// <summary>Creates an empty accumulator for volumes of side <paramref name="box"/>.</summary>
    /// <param name="box">Box size in pixels.</param>
    /// <param name="pixelSizeA">Pixel size in Å.</param>
    /// <param name="padding">Padding factor of the Fourier grid.</param>
    /// <param name="withWeights">Also accumulate the spread CTF² (for reconstruction by <c>Reconstruction.FourierReconstructor</c>).</param>
    public FourierBackProjector(int box, double pixelSizeA, int padding = 2, bool withWeights = false)
    {
        if (box < 2)
        {
            throw new InvalidParameterException("box", box, "must be at least 2");
        }

        InvalidParameterException.ThrowIfNotPositive("pixel size (Å)", pixelSizeA);
        Box = box;
        Padding = padding;
        PixelSizeA = pixelSizeA;
        paddedBox = box * padding;
        halfPadded = (paddedBox / 2) + 1;
        stride = withWeights ? 3 : 2;
        grid = new double[(long)stride * halfPadded * paddedBox * paddedBox];
    }

    /// <summary>
    /// The accumulated sums (data and, when kept, weights, interleaved), for adding the accumulators of other
    /// processes (<see cref="Distributed.Communicator.SumInPlace(Span{double})"/>).
    /// </summary>
    public Span<double> Sums => grid;

    /// <summary>Side of the padded grid.</summary>
    public int PaddedBox => paddedBox;

    /// <summary>True when the accumulator also sums the spread CTF² (for reconstruction).</summary>
    public bool HasWeights => stride == 3;

    /// <summary>
    /// The accumulated half-complex grid of the padded box (read-only by convention): per voxel i, the data at
    /// [<see cref="Stride"/>·i] (real) and [<see cref="Stride"/>·i + 1] (imaginary), and with weights the Σ CTF² at
    /// [<see cref="Stride"/>·i + 2].
    /// </summary>
    internal double[] Grid => grid;

    /// <summary>Doubles per voxel of <see cref="Grid"/>: 2, or 3 with weights.</summary>
    internal int Stride => stride;

    /// <summary>Box size in pixels.</summary>
    public int Box { get; }

    /// <summary>Zero-padding factor.</summary>
    public int Padding { get; }

    /// <summary>Pixel size in Å.</summary>
    public double PixelSizeA { get; }

    /// <summary>
    /// Spreads a half-complex image spectrum (box n, centred origin, unscaled forward FFT) onto the slice of
    /// orientation <paramref name="a"/>.
    /// </summary>
    public void Insert(ReadOnlySpan<ComplexF> imageSpectrum, Matrix3 a) => Insert(imageSpectrum, default, a);

    /// <summary>
    /// Spreads CTF·spectrum onto the slice of orientation <paramref name="a"/>, and CTF² onto the weights: the
    /// terms of the Wiener reconstruction Σ CᵢXᵢ / (Σ Cᵢ² + 1/SSNR). An empty <paramref name="ctf"/> means C = 1.
    /// </summary>
    public void Insert(ReadOnlySpan<ComplexF> imageSpectrum, ReadOnlySpan<float> ctf, Matrix3 a) => Insert(imageSpectrum, ctf, a, 1);

    /// <summary>
    /// Spreads w·CTF·spectrum onto the slice of orientation <paramref name="a"/>, and w·CTF² onto the weights: the
    /// terms of a reconstruction Σ wᵢCᵢXᵢ / (Σ wᵢCᵢ² + 1/SSNR) in which each image counts with its weight w, such as
    /// the posterior probability of the orientation in maximum-likelihood refinement. An empty
    /// <paramref name="ctf"/> means C = 1.
    /// </summary>
    public unsafe void Insert(ReadOnlySpan<ComplexF> imageSpectrum, ReadOnlySpan<float> ctf, Matrix3 a, double weight)
    {
        int n = Box, hx = (n / 2) + 1;
        if (imageSpectrum.Length < hx * n)
        {
            throw new ArgumentException($"Spectrum holds {imageSpectrum.Length} values; box {n} needs {hx * n}.");
        }

        var slice = new CentralSlice(a, n, Padding);
        fixed (double* g = grid)
        {
            for (int y = 0; y < n; y++)
            {
                int ky = FourierIndex.Frequency(y, n);
                for (int kx = 0; kx < hx; kx++)
                {
                    if ((kx * kx) + (ky * ky) >= slice.RadiusSquared)
                    {
                        continue;
                    }

                    // Scattered updates of a grid far larger than the caches: fetch the next pixel's rows now, so
                    // that their memory latency overlaps this pixel's work.
                    if (kx + Ahead < hx)
                    {
                        Prefetch(g, (slice.Ax * (kx + Ahead)) + (slice.Bx * ky), (slice.Ay * (kx + Ahead)) + (slice.By * ky), (slice.Az * (kx + Ahead)) + (slice.Bz * ky));
                    }

                    var v = imageSpectrum[(y * hx) + kx];
                    double c = ctf.IsEmpty ? 1 : ctf[(y * hx) + kx];

                    // w·c is exactly c for w = 1, so unweighted insertion gives the same sums to the bit.
                    double cw = weight * c;
                    double xp = (slice.Ax * kx) + (slice.Bx * ky);
                    double yp = (slice.Ay * kx) + (slice.By * ky);
                    double zp = (slice.Az * kx) + (slice.Bz * ky);
                    Spread(xp, yp, zp, cw * v.Re, cw * v.Im, cw * c);

                    // A stored 2D frequency with kx > 0 stands for its Friedel mate too, which lands at −k′.
                    if (kx > 0)
                    {
                        Spread(-xp, -yp, -zp, cw * v.Re, -cw * v.Im, cw * c);
                    }
                }
            }
        }
    }

    /// <summary>
    /// Adds precomputed sums at a list of frequencies (kx, ky) of the image box onto the slice of orientation
    /// <paramref name="a"/>: <paramref name="data"/> (interleaved re, im) onto the data and <paramref name="weight"/> onto
    /// the weights, with the trilinear weights of <see cref="Insert(ReadOnlySpan{ComplexF}, ReadOnlySpan{float}, Matrix3, double)"/>.
    /// Refinement inserts this way: Σ w·v·C·X and Σ w·v·C² of one particle's orientation, over the frequencies in use.
    /// Frequencies at or beyond Nyquist are skipped.
    /// </summary>
    public void InsertSums(Matrix3 a, ReadOnlySpan<float> kx, ReadOnlySpan<float> ky, ReadOnlySpan<float> data, ReadOnlySpan<float> weight)
    {
        if (kx.Length != ky.Length || data.Length < 2 * kx.Length || weight.Length < kx.Length)
        {
            throw new ArgumentException($"{kx.Length} frequencies need {2 * kx.Length} data and {kx.Length} weights.");
        }

        var slice = new CentralSlice(a, Box, Padding);
        for (int i = 0; i < kx.Length; i++)
        {
            float x = kx[i], y = ky[i];
            if ((x * x) + (y * y) >= slice.RadiusSquared)
            {
                continue;
            }

            double xp = (slice.Ax * x) + (slice.Bx * y), yp = (slice.Ay * x) + (slice.By * y), zp = (slice.Az * x) + (slice.Bz * y);
            double re = data[2 * i], im = data[(2 * i) + 1], w = weight[i];
            Spread(xp, yp, zp, re, im, w);
            if (x > 0)
            {
                Spread(-xp, -yp, -zp, re, -im, w);
            }
        }
    }

    /// <summary>
    /// Imposes a point group on the sums: every frequency k gets Σ_R S(R·k) over the group's elements (the data and the
    /// weights alike, read by trilinear interpolation, Friedel mates conjugated), as RELION's back-projector symmetrises
    /// before dividing. A map reconstructed from the result has the symmetry, and each particle counts once per element.
    /// </summary>
    public void Symmetrise(IReadOnlyList<Matrix3> elements, ComputeContext? context = null)
    {
        ArgumentNullException.ThrowIfNull(elements);
        if (elements.Count <= 1)
        {
            return;
        }

        int m = paddedBox, h = halfPadded;
        var source = (double[])grid.Clone();
        // Central slices reach the padded Nyquist radius m/2 and spreading one voxel beyond: all of it is symmetrised.
        double limit = (m / 2) + 1;
        var options = (context ?? ComputeContext.Default).ParallelOptions;
        Parallel.For(0, m, options, zi =>
        {
            Span<double> value = stackalloc double[3];
            int kz = FourierIndex.Frequency(zi, m);
            for (int yi = 0; yi < m; yi++)
            {
                int ky = FourierIndex.Frequency(yi, m);
                for (int kx = 0; kx < h; kx++)
                {
                    if (((double)kx * kx) + ((double)ky * ky) + ((double)kz * kz) > limit * limit)
                    {
                        continue;
                    }

                    long at = (long)stride * ((((long)zi * m) + yi) * h + kx);
                    foreach (var r in elements)
                    {
                        if (r == Matrix3.Identity)
                        {
                            continue;
                        }

                        // RELION matrices act on column vectors: R·k.
                        double x = (r[0, 0] * kx) + (r[0, 1] * ky) + (r[0, 2] * kz);
                        double y = (r[1, 0] * kx) + (r[1, 1] * ky) + (r[1, 2] * kz);
                        double z = (r[2, 0] * kx) + (r[2, 1] * ky) + (r[2, 2] * kz);
                        Sample(source, x, y, z, value);
                        grid[at] += value[0];
                        grid[at + 1] += value[1];
                        if (stride == 3)
                        {
                            grid[at + 2] += value[2];
                        }
                    }
                }
            }
        });
    }

    /// <summary>Trilinear interpolation of (re, im, weight) of <paramref name="source"/> at padded frequency (x, y, z).</summary>
    private void Sample(double[] source, double x, double y, double z, Span<double> value)
    {
        double sign = 1;
        if (x < 0)
        {
            x = -x;
            y = -y;
            z = -z;
            sign = -1;
        }

        int m = paddedBox, h = halfPadded;
        int x0 = (int)Math.Floor(x), y0 = (int)Math.Floor(y), z0 = (int)Math.Floor(z);
        double fx = x - x0, fy = y - y0, fz = z - z0;
        value.Clear();
        for (int dz = 0; dz < 2; dz++)
        {
            double wz = dz == 0 ? 1 - fz : fz;
            int zi = Wrap(z0 + dz, m);
            for (int dy = 0; dy < 2; dy++)
            {
                double wzy = wz * (dy == 0 ? 1 - fy : fy);
                long row = (((long)zi * m) + Wrap(y0 + dy, m)) * h;
                for (int dx = 0; dx < 2; dx++)
                {
                    int xi = x0 + dx;
                    double w = wzy * (dx == 0 ? 1 - fx : fx);
                    if (xi >= h || w == 0)
                    {
                        continue;
                    }

                    long i = stride * (row + xi);
                    value[0] += w * source[i];
                    value[1] += w * source[i + 1];
                    if (stride == 3)
                    {
                        value[2] += w * source[i + 2];
                    }
                }
            }
        }

        value[1] *= sign;
    }

    /// <summary>Asks the processor to bring the grid rows around (x, y, z) into cache (no effect where unsupported).</summary>
    private unsafe void Prefetch(double* g, double x, double y, double z)
    {
        if (!System.Runtime.Intrinsics.X86.Sse.IsSupported)
        {
            return;
        }

        if (x < 0)
        {
            (x, y, z) = (-x, -y, -z);
        }

        int m = paddedBox, x0 = (int)x, y0 = (int)Math.Floor(y), z0 = (int)Math.Floor(z);
        for (int dz = 0; dz < 2; dz++)
        {
            int zi = Wrap(z0 + dz, m);
            for (int dy = 0; dy < 2; dy++)
            {
                long row = (((long)zi * m) + Wrap(y0 + dy, m)) * halfPadded;
                System.Runtime.Intrinsics.X86.Sse.Prefetch0(g + (stride * (row + x0)));
            }
        }
    }

    /// <summary>Adds another accumulator of the same geometry (for per-thread accumulation).</summary>
    public void Add(FourierBackProjector other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Box != Box || other.Padding != Padding)
        {
            throw new ArgumentException("Back-projectors of different geometry cannot be added.");
        }

        if (other.stride != stride)
        {
            throw new ArgumentException("Back-projectors with and without weights cannot be added.");
        }

        System.Numerics.Tensors.TensorPrimitives.Add(grid, other.grid, grid);
    }

    /// <summary>Empties the accumulator.</summary>
    public void Clear()
    {
        Array.Clear(grid);
    }

    /// <summary>The accumulated sum in real space: inverse transform, crop to the box, divide by n² and by the gridding sinc².</summary>
    public Volume ToVolume()
    {
        var shape = GridShape.Cube(paddedBox);
        var spectrum = new ComplexF[shape.HalfComplexLength];
        for (int i = 0; i < spectrum.Length; i++)
        {
            spectrum[i] = new ComplexF((float)grid[stride * i], (float)grid[(stride * i) + 1]);
        }

        var padded = new float[shape.Length];
        Fft.Inverse(spectrum, shape, padded, FftOrigin.Centered, FftScaling.None);
        var volume = Volume.Cube(Box, PixelSizeA);
        RealSpaceWindow.Window(padded, shape, volume.Data, volume.Shape);
        float scale = 1f / ((float)Box * Box);
        System.Numerics.Tensors.TensorPrimitives.Multiply(volume.Data, scale, volume.Data);
        GriddingCorrection.Divide(volume.Data, Box, paddedBox);
        return volume;
    }

    /// <summary>
    /// Adds w·(re, im) to the data and w·c² to the weights at the trilinear neighbours of (x, y, z) that lie in the
    /// stored half (x ≥ 0).
    /// </summary>
    private void Spread(double x, double y, double z, double re, double im, double c2)
    {
        int x0 = (int)Math.Floor(x), y0 = (int)Math.Floor(y), z0 = (int)Math.Floor(z);
        int m = paddedBox, h = halfPadded;

        // Every corner in the other half (the usual case for a Friedel mate): nothing to add, unless a corner is
        // the even grid's Nyquist plane −M/2, which is stored.
        if (x0 + 1 < 0 && (m % 2 != 0 || (x0 != -(m / 2) && x0 + 1 != -(m / 2))))
        {
            return;
        }

        double fx = x - x0, fy = y - y0, fz = z - z0;
        for (int dz = 0; dz < 2; dz++)
        {
            double wz = dz == 0 ? 1 - fz : fz;
            int zi = Wrap(z0 + dz, m);
            for (int dy = 0; dy < 2; dy++)
            {
                double wzy = wz * (dy == 0 ? 1 - fy : fy);
                int row = ((zi * m) + Wrap(y0 + dy, m)) * h;
                for (int dx = 0; dx < 2; dx++)
                {
                    int xi = x0 + dx;
                    if (xi < 0)
                    {
                        // On an even grid −M/2 is the stored Nyquist plane +M/2; every other x < 0 is the other half.
                        if (xi != -(m / 2) || m % 2 != 0)
                        {
                            continue;
                        }

                        xi = m / 2;
                    }

                    double w = wzy * (dx == 0 ? 1 - fx : fx);
                    long i = (long)stride * (row + xi);
                    grid[i] += w * re;
                    grid[i + 1] += w * im;
                    if (stride == 3)
                    {
                        grid[i + 2] += w * c2;
                    }
                }
            }
        }
    }

    private static int Wrap(int k, int m) => k < 0 ? k + m : k >= m ? k - m : k;
}
