using CryoSharp.Imaging;
using CryoSharp.Numerics;
using CryoSharp.Numerics.Fft;

namespace CryoSharp.Simulation;

/// <summary>
/// Gaussian noise for simulated images: white with a given standard deviation, or coloured with a given radial
/// power spectrum. The signal-to-noise ratio CryoSharp uses is the variance of the clean signal inside the
/// particle's circular mask divided by the noise variance (<see cref="SigmaForSnr"/>).
/// </summary>
public static class NoiseModel
{
    /// <summary>
    /// The noise standard deviation that gives <paramref name="snr"/> for clean images: σ² = mean over the images
    /// of the variance of their pixels inside a circle of <paramref name="maskRadiusPx"/> about the centre, / SNR.
    /// </summary>
    public static double SigmaForSnr(ReadOnlySpan<float> cleanImages, GridShape imageShape, double maskRadiusPx, double snr)
    {
        if (!(snr > 0) || double.IsInfinity(snr))
        {
            throw new InvalidParameterException("SNR", snr, "must be a positive number");
        }

        if (!(maskRadiusPx > 0))
        {
            throw new InvalidParameterException("mask radius (px)", maskRadiusPx, "must be positive");
        }

        int count = cleanImages.Length / imageShape.Length;
        if (count == 0)
        {
            throw new ArgumentException("No clean images to measure the signal on.");
        }

        var inside = new List<int>();
        int cx = imageShape.Nx / 2, cy = imageShape.Ny / 2;
        for (int y = 0; y < imageShape.Ny; y++)
        {
            for (int x = 0; x < imageShape.Nx; x++)
            {
                if (((x - cx) * (x - cx)) + ((y - cy) * (y - cy)) <= maskRadiusPx * maskRadiusPx)
                {
                    inside.Add((y * imageShape.Nx) + x);
                }
            }
        }

        double variance = 0;
        for (int i = 0; i < count; i++)
        {
            var image = cleanImages.Slice(i * imageShape.Length, imageShape.Length);
            double sum = 0, sumSq = 0;
            foreach (int p in inside)
            {
                sum += image[p];
                sumSq += image[p] * (double)image[p];
            }

            double mean = sum / inside.Count;
            variance += (sumSq / inside.Count) - (mean * mean);
        }

        variance /= count;
        if (!(variance > 0))
        {
            throw new CryoSharpException("The clean images are constant inside the mask, so no SNR can be set: is the map empty?");
        }

        return Math.Sqrt(variance / snr);
    }

    /// <summary>Adds N(0, σ²) to every pixel.</summary>
    public static void AddWhite(Span<float> image, double sigma, RandomStream random)
    {
        ArgumentNullException.ThrowIfNull(random);
        for (int i = 0; i < image.Length; i++)
        {
            image[i] += (float)(sigma * random.NextGaussian());
        }
    }

    /// <summary>
    /// Adds Gaussian noise whose power spectrum per Fourier shell is <paramref name="radialPower"/> (shell s is
    /// radius s in Fourier pixels; 1 everywhere is white noise of unit variance; shells past the end use the last
    /// value). The pixel variance is the mean of the spectrum over all frequencies.
    /// </summary>
    public static void AddColored(Span<float> image, GridShape shape, ReadOnlySpan<double> radialPower, RandomStream random)
    {
        ArgumentNullException.ThrowIfNull(random);
        if (radialPower.IsEmpty)
        {
            throw new ArgumentException("The radial power spectrum is empty.");
        }

        foreach (double p in radialPower)
        {
            if (!(p >= 0) || double.IsInfinity(p))
            {
                throw new InvalidParameterException("noise power spectrum", p, "every value must be a non-negative number");
            }
        }

        var white = new float[shape.Length];
        random.FillGaussian(white);
        var spectrum = new ComplexF[shape.HalfComplexLength];
        Fft.Forward(white, shape, spectrum, FftOrigin.Corner);
        var shells = new FourierShells(shape).ShellOfElement;
        for (int i = 0; i < spectrum.Length; i++)
        {
            int s = Math.Min(shells[i], radialPower.Length - 1);
            spectrum[i] *= (float)Math.Sqrt(radialPower[s]);
        }

        Fft.Inverse(spectrum, shape, white, FftOrigin.Corner);
        System.Numerics.Tensors.TensorPrimitives.Add(image[..shape.Length], white, image);
    }

    /// <summary>
    /// The radius (pixels) of the smallest centred sphere holding 99% of a map's positive density: the particle's
    /// radius for the SNR mask when none is given.
    /// </summary>
    public static double ParticleRadius(Volume volume, double fraction = 0.99)
    {
        ArgumentNullException.ThrowIfNull(volume);
        int n = volume.Nx, c = n / 2;
        var mass = new double[(int)Math.Ceiling(Math.Sqrt(3) * n / 2) + 2];
        double total = 0;
        for (int z = 0; z < volume.Nz; z++)
        {
            for (int y = 0; y < volume.Ny; y++)
            {
                for (int x = 0; x < n; x++)
                {
                    float v = volume[x, y, z];
                    if (v > 0)
                    {
                        int r = (int)Math.Ceiling(Math.Sqrt(((x - c) * (x - c)) + ((y - c) * (y - c)) + ((z - c) * (z - c))));
                        mass[Math.Min(r, mass.Length - 1)] += v;
                        total += v;
                    }
                }
            }
        }

        double sum = 0;
        for (int r = 0; r < mass.Length; r++)
        {
            sum += mass[r];
            if (sum >= fraction * total)
            {
                return Math.Clamp(r, 1, n / 2);
            }
        }

        return n / 2;
    }
}
