using CryoSharp.Imaging;
using CryoSharp.Numerics;
using CryoSharp.Numerics.Fft;
using CryoSharp.Projection;

namespace CryoSharp.Reconstruction;

/// <summary>
/// Direct Fourier inversion of accumulated central slices: at every voxel of the padded spectrum the Wiener
/// estimate F = Σ CᵢXᵢ / (Σ Cᵢ² + K(s)·W̄(s)), with W̄(s) the mean of Σ Cᵢ² over the voxel's shell s and K(s) the
/// inverse spectral SNR of that shell (0: plain division). Then the inverse transform, the crop to the box, the
/// gridding correction, and a soft mask of the corners beyond radius n/2 (RELION's <c>softMaskOutsideMap</c>).
/// Frequencies beyond Nyquist are zero.
/// </summary>
public sealed class FourierReconstructor
{
    private readonly int[] shellOf;
    private readonly ComplexF[] spectrum;
    private readonly float[] padded;

    /// <summary>
    /// Prepares the reconstruction of maps of side <paramref name="box"/> from a grid padded
    /// <paramref name="padding"/> times: the shell of every grid voxel and the work buffers, made once and reused by
    /// every <see cref="Reconstruct"/> (half maps and full map alike).
    /// </summary>
    public FourierReconstructor(int box, int padding, ComputeContext? context = null)
    {
        Context = context ?? ComputeContext.Default;
        Box = box;
        Padding = padding;
        int m = box * padding;
        shellOf = ShellsOfPaddedGrid(m, padding, box / 2, Context);
        spectrum = GC.AllocateUninitializedArray<ComplexF>(shellOf.Length);
        padded = GC.AllocateUninitializedArray<float>(m * m * m);
    }

    /// <summary>The threads and FFT planning.</summary>
    public ComputeContext Context { get; }

    /// <summary>Box size of the maps.</summary>
    public int Box { get; }

    /// <summary>Padding factor of the accumulators.</summary>
    public int Padding { get; }

    /// <summary>Reconstructs the map from an accumulator made with weights (of this geometry).</summary>
    /// <param name="accumulator">Slices inserted with <see cref="FourierBackProjector.Insert(ReadOnlySpan{ComplexF}, ReadOnlySpan{float}, Geometry.Matrix3)"/>.</param>
    /// <param name="inverseSsnr">K(s) for shells 0..Nyquist of the box (1/SSNR per shell); null for plain division.</param>
    public Volume Reconstruct(FourierBackProjector accumulator, IReadOnlyList<double>? inverseSsnr) => ReconstructWith(accumulator, inverseSsnr, null);

    /// <summary>
    /// Reconstructs as a regularised step from <paramref name="prior"/>: F = (Σ CX + K(s)·P)/(Σ C² + K(s)), K(s) the
    /// shell's 1/SSNR times its mean weight and P the prior's spectrum on the padded grid (gridding-corrected, so that
    /// an accumulator without data gives the prior back). Frequencies the data reach weakly or not at all keep the
    /// prior's values instead of falling to zero, which is what a stochastic-gradient step on the likelihood needs:
    /// a minibatch that saw few views must not erase the rest of the map.
    /// </summary>
    public Volume ReconstructTowards(FourierBackProjector accumulator, IReadOnlyList<double> inverseSsnr, Volume prior)
    {
        ArgumentNullException.ThrowIfNull(inverseSsnr);
        ArgumentNullException.ThrowIfNull(prior);
        if (prior.Nx != Box || prior.Ny != Box || prior.Nz != Box)
        {
            throw new ArgumentException($"The prior is {prior.Nx}×{prior.Ny}×{prior.Nz}; the reconstruction is {Box}³.", nameof(prior));
        }

        int m = Box * Padding;
        var corrected = (float[])prior.Data.Clone();
        GriddingCorrection.Multiply(corrected, Box, m);
        RealSpaceWindow.Window(corrected, GridShape.Cube(Box), padded, GridShape.Cube(m));
        var priorSpectrum = new ComplexF[GridShape.Cube(m).HalfComplexLength];
        Fft.Forward(padded, GridShape.Cube(m), priorSpectrum, context: Context);
        return ReconstructWith(accumulator, inverseSsnr, null, priorSpectrum);
    }

    /// <summary>
    /// Reconstructs with an absolute regularisation per shell: F = Σ CX / (Σ C² + λ(s)) — maximum likelihood's
    /// λ = 1/(T·τ²(s)) when the signal power τ² is known rather than an SSNR (the first iteration of a refinement).
    /// </summary>
    public Volume ReconstructRegularised(FourierBackProjector accumulator, IReadOnlyList<double> lambda)
    {
        ArgumentNullException.ThrowIfNull(lambda);
        return ReconstructWith(accumulator, null, lambda);
    }

    private Volume ReconstructWith(FourierBackProjector accumulator, IReadOnlyList<double>? inverseSsnr, IReadOnlyList<double>? lambda,
        ComplexF[]? prior = null)
    {
        ArgumentNullException.ThrowIfNull(accumulator);
        if (!accumulator.HasWeights)
        {
            throw new ArgumentException("The accumulator has no weights; create it with withWeights: true.");
        }

        var grid = accumulator.Grid;
        int stride = accumulator.Stride;
        if (accumulator.Box != Box || accumulator.Padding != Padding)
        {
            throw new ArgumentException("The accumulator's geometry differs from the reconstructor's.");
        }

        int n = Box, m = accumulator.PaddedBox, h = (m / 2) + 1, nyquist = n / 2;
        var meanWeight = new double[nyquist + 1];
        var count = new double[nyquist + 1];
        double maxWeight = 0;
        for (int i = 0; i < shellOf.Length; i++)
        {
            int s = shellOf[i];
            if (s <= nyquist)
            {
                double w = grid[(stride * i) + 2];
                meanWeight[s] += w;
                count[s]++;
                maxWeight = Math.Max(maxWeight, w);
            }
        }

        for (int s = 0; s <= nyquist; s++)
        {
            meanWeight[s] = count[s] > 0 ? meanWeight[s] / count[s] : 0;
        }

        // Voxels no slice reached (weight ~0) stay zero rather than dividing noise by nothing.
        double floor = 1e-6 * maxWeight;
        var shells = shellOf;
        var output = spectrum;
        Parallel.For(0, m, Context.ParallelOptions, z =>
        {
            for (int i = z * m * h; i < (z + 1) * m * h; i++)
            {
                int s = shells[i];
                double w = grid[(stride * i) + 2];
                if (s > nyquist)
                {
                    output[i] = default;
                    continue;
                }

                if (w <= floor)
                {
                    output[i] = prior is null ? default : prior[i];
                    continue;
                }

                double k = lambda is not null ? lambda[Math.Min(s, lambda.Count - 1)]
                    : inverseSsnr is null ? 0 : inverseSsnr[Math.Min(s, inverseSsnr.Count - 1)] * meanWeight[s];
                double d = w + k;
                double re = grid[stride * i], im = grid[(stride * i) + 1];
                if (prior is not null)
                {
                    re += k * prior[i].Re;
                    im += k * prior[i].Im;
                }

                output[i] = new ComplexF((float)(re / d), (float)(im / d));
            }
        });

        Fft.Inverse(spectrum, GridShape.Cube(m), padded, context: Context);
        var volume = Volume.Cube(n, accumulator.PixelSizeA);
        RealSpaceWindow.Window(padded, GridShape.Cube(m), volume.Data, volume.Shape);
        GriddingCorrection.Divide(volume.Data, n, m);

        // The corners outside the inscribed sphere hold only noise and interpolation artefacts: soften them to the
        // background, as RELION's reconstruct does (radius n/2, 3-pixel cosine edge).
        new SphericalMask(volume.Shape, n / 2, 3).ApplyToBackgroundMean(volume.Data);
        return volume;
    }

    /// <summary>
    /// 1/SSNR per shell from a half-map FSC: SSNR_half = FSC/(1 − FSC), doubled for a map made of both halves
    /// (<paramref name="bothHalves"/>). Shells where the FSC is ≤ 0 get a large K, which removes them.
    /// </summary>
    public static double[] InverseSsnrFromHalfMapFsc(FscCurve halfMapFsc, bool bothHalves)
    {
        ArgumentNullException.ThrowIfNull(halfMapFsc);
        var k = new double[halfMapFsc.Values.Length];
        for (int s = 0; s < k.Length; s++)
        {
            double fsc = Math.Clamp(halfMapFsc.Values[s], 1e-6, 0.999999);
            double ssnr = fsc / (1 - fsc) * (bothHalves ? 2 : 1);
            k[s] = 1 / ssnr;
        }

        return k;
    }

    /// <summary>For each voxel of the half-complex padded grid, its shell in units of the original box.</summary>
    private static int[] ShellsOfPaddedGrid(int m, int padding, int nyquist, ComputeContext context)
    {
        int h = (m / 2) + 1;
        var shells = GC.AllocateUninitializedArray<int>(m * m * h);
        Parallel.For(0, m, context.ParallelOptions, z =>
        {
            int kz = FourierIndex.Frequency(z, m);
            for (int y = 0; y < m; y++)
            {
                int ky = FourierIndex.Frequency(y, m);
                int row = ((z * m) + y) * h;
                for (int x = 0; x < h; x++)
                {
                    double r = Math.Sqrt(((double)x * x) + ((double)ky * ky) + ((double)kz * kz)) / padding;
                    shells[row + x] = r >= nyquist + 0.5 ? nyquist + 1 : (int)Math.Round(r, MidpointRounding.AwayFromZero);
                }
            }
        });

        return shells;
    }
}
