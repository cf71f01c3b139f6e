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
    private readonly double[] data;
    private readonly double[]? weights;
    private readonly int paddedBox;
    private readonly int halfPadded;

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
        data = new double[2L * halfPadded * paddedBox * paddedBox];
        weights = withWeights ? new double[(long)halfPadded * paddedBox * paddedBox] : null;
    }

    /// <summary>Side of the padded grid.</summary>
    public int PaddedBox => paddedBox;

    /// <summary>The accumulated half-complex data, interleaved (re, im), padded grid (read-only by convention).</summary>
    internal double[] Data => data;

    /// <summary>The accumulated weights (Σ CTF² spread like the data), or null without weights.</summary>
    internal double[]? Weights => weights;

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
    public void Insert(ReadOnlySpan<ComplexF> imageSpectrum, ReadOnlySpan<float> ctf, Matrix3 a)
    {
        int n = Box, hx = (n / 2) + 1;
        if (imageSpectrum.Length < hx * n)
        {
            throw new ArgumentException($"Spectrum holds {imageSpectrum.Length} values; box {n} needs {hx * n}.");
        }

        var slice = new CentralSlice(a, n, Padding);
        for (int y = 0; y < n; y++)
        {
            int ky = FourierIndex.Frequency(y, n);
            for (int kx = 0; kx < hx; kx++)
            {
                if ((kx * kx) + (ky * ky) >= slice.RadiusSquared)
                {
                    continue;
                }

                var v = imageSpectrum[(y * hx) + kx];
                double c = ctf.IsEmpty ? 1 : ctf[(y * hx) + kx];
                double xp = (slice.Ax * kx) + (slice.Bx * ky);
                double yp = (slice.Ay * kx) + (slice.By * ky);
                double zp = (slice.Az * kx) + (slice.Bz * ky);
                Spread(xp, yp, zp, c * v.Re, c * v.Im, c * c);

                // A stored 2D frequency with kx > 0 stands for its Friedel mate too, which lands at −k′.
                if (kx > 0)
                {
                    Spread(-xp, -yp, -zp, c * v.Re, -c * v.Im, c * c);
                }
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

        System.Numerics.Tensors.TensorPrimitives.Add(data, other.data, data);
        if (weights is not null && other.weights is not null)
        {
            System.Numerics.Tensors.TensorPrimitives.Add(weights, other.weights, weights);
        }
    }

    /// <summary>Empties the accumulator.</summary>
    public void Clear()
    {
        Array.Clear(data);
        if (weights is not null)
        {
            Array.Clear(weights);
        }
    }

    /// <summary>The accumulated sum in real space: inverse transform, crop to the box, divide by n² and by the gridding sinc².</summary>
    public Volume ToVolume()
    {
        var shape = GridShape.Cube(paddedBox);
        var spectrum = new ComplexF[shape.HalfComplexLength];
        for (int i = 0; i < spectrum.Length; i++)
        {
            spectrum[i] = new ComplexF((float)data[2 * i], (float)data[(2 * i) + 1]);
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
        double fx = x - x0, fy = y - y0, fz = z - z0;
        int m = paddedBox, h = halfPadded;
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
                    long i = 2L * (row + xi);
                    data[i] += w * re;
                    data[i + 1] += w * im;
                    if (weights is not null)
                    {
                        weights[row + xi] += w * c2;
                    }
                }
            }
        }
    }

    private static int Wrap(int k, int m) => k < 0 ? k + m : k >= m ? k - m : k;
}
