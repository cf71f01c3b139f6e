using CryoSharp.Distributed;
using CryoSharp.Numerics;
using CryoSharp.Numerics.Fft;
using CryoSharp.Numerics.LinearAlgebra;
using CryoSharp.Particles;

namespace CryoSharp.Moments.Images;

/// <summary>
/// One streaming pass over a particle source that gives its <see cref="ImageMoments"/>: each chunk of images is
/// Fourier transformed (orthonormal), phase-flipped when it has CTFs, cut to the disk of the basis, and its sums
/// Σu and ΣuuT (a single-precision Yᵀ·Y product per chunk, <see cref="PanelProduct"/>, added in double) join the
/// total through <see cref="ChunkedSumPass"/>, so the moments are bit-identical for any thread count. The noise
/// variance, when not given, comes from the same pass: the variance of the pixels outside the inscribed circle (the
/// corners), which hold no particle. Cost per image: one FFT of the box and d² multiply–adds for the outer product
/// (d = <see cref="ImageMomentBasis.Dimension"/>; twice that with CTFs). Memory: a chunk's images and one d × d sum per
/// chunk in flight.
/// </summary>
public static class ImageMomentPass
{
    /// <summary>Images per chunk.</summary>
    public const int ChunkImages = 256;

    /// <summary>The moments of every image of <paramref name="source"/>.</summary>
    /// <param name="source">The particles (one box and pixel size).</param>
    /// <param name="radiusPx">Radius of the Fourier disk in Fourier pixels.</param>
    /// <param name="noiseSigma">The noise standard deviation per pixel, or null to estimate it from the corners.</param>
    /// <param name="context">Threads (and MPI ranks).</param>
    /// <param name="progress">Images done.</param>
    public static ImageMoments Compute(IParticleSource source, int radiusPx, double? noiseSigma, ComputeContext? context = null, IProgress<long>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        var c = context ?? ComputeContext.Default;
        if (noiseSigma is { } given && (!(given >= 0) || double.IsInfinity(given)))
        {
            throw new InvalidParameterException("--sigma", given, "must be finite and not negative");
        }

        var basis = new ImageMomentBasis(source.Box, source.PixelSizeA, radiusPx);
        bool ctf = HasCtf(source);
        int n = source.Count, box = source.Box, d = basis.Dimension, p = PanelProduct.Padded(d);
        if (n == 0)
        {
            throw new CryoSharpException($"{source.Description}: no particles to take moments of");
        }

        var shape = GridShape.Square(box);
        var corners = CornerPixels(box);
        var kx = new float[basis.Frequencies];
        var ky = new float[basis.Frequencies];
        for (int j = 0; j < kx.Length; j++)
        {
            kx[j] = basis.FrequencyX[j];
            ky[j] = basis.FrequencyY[j];
        }

        double step = 1 / (box * source.PixelSizeA);
        int chunks = (n + ChunkImages - 1) / ChunkImages;
        long done = 0;
        var total = ChunkedSumPass.Run(chunks, c, [], () => new Workspace(ChunkImages, shape, basis.Frequencies, d, p, ctf), (chunk, w) =>
        {
            int first = chunk * ChunkImages, count = Math.Min(ChunkImages, n - first);
            var images = w.Images.AsSpan(0, count * shape.Length);
            source.ReadImages(first, count, images);
            var sum = new MomentSum(d, ctf);
            CornerStatistics(images, shape.Length, corners, sum.Noise);
            Fft.ForwardMany(images, shape, count, w.Spectra.AsSpan(0, count * shape.HalfComplexLength), FftOrigin.Centered, FftScaling.Orthonormal,
                ComputeContext.SingleThreaded);
            Array.Clear(w.Coordinates);
            Array.Clear(w.Magnitudes);
            for (int i = 0; i < count; i++)
            {
                var spectrum = w.Spectra.AsSpan(i * shape.HalfComplexLength, shape.HalfComplexLength);
                var u = w.Coordinates.AsSpan(i * p, d);
                var record = source.Records[first + i];
                if (ctf)
                {
                    record.Ctf!.Fill(w.Ctf, kx, ky, step);
                    bool flipped = record.Optics.CtfPhaseFlipped;
                    for (int j = 0; j < w.Ctf.Length; j++)
                    {
                        float value = w.Ctf[j];
                        w.Signs[j] = flipped || value >= 0 ? 1 : -1;
                        w.Ctf[j] = MathF.Abs(value);
                    }

                    basis.Coordinates(spectrum, u, w.Signs);
                    var a = w.Magnitudes.AsSpan(i * p, d);
                    a[0] = w.Ctf[0];
                    for (int j = 1; j < w.Ctf.Length; j++)
                    {
                        a[(2 * j) - 1] = w.Ctf[j];
                        a[2 * j] = w.Ctf[j];
                    }
                }
                else
                {
                    basis.Coordinates(spectrum, u);
                }
            }

            Accumulate(w.Coordinates, count, d, p, w.Product, sum.First, sum.Second);
            if (ctf)
            {
                Accumulate(w.Magnitudes, count, d, p, w.Product, sum.CtfFirst, sum.CtfSecond);
            }

            sum.Noise[3] = count;
            progress?.Report(Interlocked.Add(ref done, count));
            return sum;
        }, () => new MomentSum(d, ctf));
        return Finish(total, basis, n, noiseSigma, ctf, source.Description);
    }

    private static ImageMoments Finish(MomentSum total, ImageMomentBasis basis, long n, double? noiseSigma, bool ctf, string description)
    {
        int d = basis.Dimension;
        double variance;
        if (noiseSigma is { } sigma)
        {
            variance = sigma * sigma;
        }
        else
        {
            double pixels = total.Noise[2];
            if (pixels < 2)
            {
                throw new CryoSharpException($"{description}: the box has no corner pixels to estimate the noise from; give --sigma");
            }

            double mean = total.Noise[0] / pixels;
            variance = Math.Max(0, (total.Noise[1] / pixels) - (mean * mean));
        }

        var first = new double[d];
        var second = new double[(long)d * d];
        for (int a = 0; a < d; a++)
        {
            first[a] = total.First[a] / n;
        }

        for (long i = 0; i < second.Length; i++)
        {
            second[i] = total.Second[i] / n;
        }

        for (int a = 0; a < d; a++)
        {
            second[((long)a * d) + a] -= variance;
        }

        double[]? k1 = null, k2 = null;
        if (ctf)
        {
            k1 = new double[d];
            k2 = new double[(long)d * d];
            for (int a = 0; a < d; a++)
            {
                k1[a] = total.CtfFirst[a] / n;
            }

            for (long i = 0; i < k2.Length; i++)
            {
                k2[i] = total.CtfSecond[i] / n;
            }
        }

        return new ImageMoments(basis, n, variance, noiseSigma is null, first, second, k1, k2, description);
    }

    /// <summary>Whether every particle has a CTF (then all are phase-flipped); a mixture, or premultiplied images, are refused.</summary>
    private static bool HasCtf(IParticleSource source)
    {
        int with = 0;
        foreach (var r in source.Records)
        {
            if (r.Ctf is not null)
            {
                with++;
            }

            if (r.Optics.CtfPremultiplied)
            {
                throw new CryoSharpException($"{source.Description}: the images are premultiplied by their CTF (rlnCtfDataAreCtfPremultiplied); moments need images with their noise still white");
            }
        }

        if (with != 0 && with != source.Records.Count)
        {
            throw new CryoSharpException($"{source.Description}: {with} of {source.Records.Count} particles have CTF parameters; moments need all or none");
        }

        return with > 0;
    }

    /// <summary>Offsets of the pixels outside the circle inscribed in the box.</summary>
    private static int[] CornerPixels(int box)
    {
        var list = new List<int>();
        double r = box / 2.0;
        for (int y = 0; y < box; y++)
        {
            for (int x = 0; x < box; x++)
            {
                double dx = x - (box / 2), dy = y - (box / 2);
                if ((dx * dx) + (dy * dy) > r * r)
                {
                    list.Add((y * box) + x);
                }
            }
        }

        return [.. list];
    }

    private static void CornerStatistics(ReadOnlySpan<float> images, int length, int[] corners, double[] noise)
    {
        double sum = 0, squares = 0;
        int count = images.Length / length;
        for (int i = 0; i < count; i++)
        {
            var image = images.Slice(i * length, length);
            foreach (int k in corners)
            {
                double v = image[k];
                sum += v;
                squares += v * v;
            }
        }

        noise[0] = sum;
        noise[1] = squares;
        noise[2] = (double)corners.Length * count;
    }

    /// <summary>Σ rows and Σ rowᵀ·row of the first <paramref name="count"/> rows of <paramref name="rows"/> (count × p, padded).</summary>
    private static void Accumulate(float[] rows, int count, int d, int p, float[] product, double[] first, double[] second)
    {
        Array.Clear(product);
        PanelProduct.AddProduct(rows, d, count, 1, p, rows, product, p);
        for (int i = 0; i < count; i++)
        {
            var row = rows.AsSpan(i * p, d);
            for (int a = 0; a < d; a++)
            {
                first[a] += row[a];
            }
        }

        for (int a = 0; a < d; a++)
        {
            var from = product.AsSpan(a * p, d);
            var to = second.AsSpan(a * d, d);
            for (int b = 0; b < d; b++)
            {
                to[b] = from[b];
            }
        }
    }

    private sealed class Workspace(int images, GridShape shape, int frequencies, int d, int p, bool ctf)
    {
        public float[] Images { get; } = new float[images * shape.Length];

        public ComplexF[] Spectra { get; } = new ComplexF[images * shape.HalfComplexLength];

        public float[] Coordinates { get; } = new float[images * p];

        public float[] Magnitudes { get; } = new float[ctf ? images * p : 0];

        public float[] Product { get; } = new float[d * p];

        public float[] Ctf { get; } = new float[frequencies];

        public float[] Signs { get; } = new float[frequencies];
    }

    /// <summary>Σu, ΣuuT, the CTF's two sums, and the noise statistics (Σx, Σx², corner pixels, images).</summary>
    private sealed class MomentSum(int d, bool ctf) : ChunkSum<MomentSum>
    {
        public double[] First { get; } = new double[d];

        public double[] Second { get; } = new double[(long)d * d];

        public double[] CtfFirst { get; } = new double[ctf ? d : 0];

        public double[] CtfSecond { get; } = new double[ctf ? (long)d * d : 0];

        public double[] Noise { get; } = new double[4];

        protected override IReadOnlyList<double[]> Parts => [First, Second, CtfFirst, CtfSecond, Noise];
    }
}
