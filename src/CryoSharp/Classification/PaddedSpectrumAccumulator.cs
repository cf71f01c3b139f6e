using CryoSharp.Numerics;
using CryoSharp.Numerics.Fft;
using CryoSharp.Projection;

namespace CryoSharp.Classification;

/// <summary>
/// Weighted sums of aligned particle spectra for one 2D class, in a twice-padded half-complex grid (RELION's 2D
/// <c>BackProjector</c>): each spectrum, seen in the frame of the reference rotated by ψ, is inserted back at
/// R(ψ)ᵀk with the bilinear weights <see cref="PaddedImageSpectrum"/> reads with, so insertion is the adjoint of
/// reading. Data (Σ w·C·X/σ²) and weights (Σ w·C²/σ²) accumulate in double.
/// </summary>
public sealed class PaddedSpectrumAccumulator
{
    private readonly double[] data;
    private readonly double[] weight;
    private readonly double[] weightSquares;
    private readonly int padded;
    private readonly int half;

    /// <summary>An empty accumulator for images of <paramref name="box"/> pixels.</summary>
    public PaddedSpectrumAccumulator(int box)
    {
        Box = box;
        padded = PaddedImageSpectrum.Padding * box;
        half = (padded / 2) + 1;
        data = new double[2 * half * padded];
        weight = new double[half * padded];
        weightSquares = new double[half * padded];
    }

    /// <summary>Box of the class images, in pixels.</summary>
    public int Box { get; }

    /// <summary>Σ over padded cells of Re(F)·Re(D) + Im(F)·Im(D) with F a padded reference spectrum: for adjointness tests.</summary>
    internal double InnerProductWithPaddedSpectrum(ReadOnlySpan<float> image)
    {
        var reference = new PaddedImageSpectrum(image, Box).PaddedSpectrum;
        double sum = 0;
        for (int i = 0; i < reference.Length; i++)
        {
            sum += (reference[i].Re * data[2 * i]) + (reference[i].Im * data[(2 * i) + 1]);
        }

        return sum;
    }

    /// <summary>Sets every sum to zero.</summary>
    public void Clear()
    {
        Array.Clear(data);
        Array.Clear(weight);
        Array.Clear(weightSquares);
    }

    /// <summary>Adds the same accumulator of every MPI rank into this one, on every rank.</summary>
    public void SumOver(Distributed.Communicator communicator)
    {
        ArgumentNullException.ThrowIfNull(communicator);
        communicator.SumInPlace(data);
        communicator.SumInPlace(weight);
        communicator.SumInPlace(weightSquares);
    }

    /// <summary>Adds another accumulator into this one.</summary>
    public void Add(PaddedSpectrumAccumulator other)
    {
        ArgumentNullException.ThrowIfNull(other);
        System.Numerics.Tensors.TensorPrimitives.Add(data, other.data, data);
        System.Numerics.Tensors.TensorPrimitives.Add(weight, other.weight, weight);
        System.Numerics.Tensors.TensorPrimitives.Add(weightSquares, other.weightSquares, weightSquares);
    }

    /// <summary>
    /// Inserts a packed spectrum <paramref name="packedData"/> (interleaved re, im, double) with per-frequency
    /// weights <paramref name="packedWeight"/>, both in the frame of the reference rotated by <paramref name="psiRad"/>.
    /// </summary>
    public void Insert(double psiRad, FourierPixelSet pixels, ReadOnlySpan<double> packedData, ReadOnlySpan<double> packedWeight)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        var (s, c) = Math.SinCos(psiRad);
        var kx = pixels.Kx;
        var ky = pixels.Ky;
        int p = PaddedImageSpectrum.Padding;
        for (int i = 0; i < pixels.Count; i++)
        {
            double wi = packedWeight[i];
            double re = packedData[2 * i], im = packedData[(2 * i) + 1];
            if (wi == 0 && re == 0 && im == 0)
            {
                continue;
            }

            double qx = p * ((c * kx[i]) - (s * ky[i]));
            double qy = p * ((s * kx[i]) + (c * ky[i]));
            if (qx < 0)
            {
                qx = -qx;
                qy = -qy;
                im = -im;
            }

            int x0 = (int)Math.Floor(qx), y0 = (int)Math.Floor(qy);
            double fx = qx - x0, fy = qy - y0;
            for (int j = 0; j < 2; j++)
            {
                int y = y0 + j;
                if (y >= padded / 2 || y < -(padded / 2))
                {
                    continue;
                }

                double wy = j == 0 ? 1 - fy : fy;
                int row = FourierIndex.IndexOf(y, padded) * half;
                for (int k = 0; k < 2; k++)
                {
                    int x = x0 + k;
                    double w = (k == 0 ? 1 - fx : fx) * wy;
                    if (w == 0 || x >= half)
                    {
                        continue;
                    }

                    int at = row + x;
                    data[2 * at] += w * re;
                    data[(2 * at) + 1] += w * im;
                    weight[at] += w * wi;
                    weightSquares[at] += w * w * wi;
                }
            }
        }
    }

    /// <summary>
    /// The regularised class average: in every padded cell within <paramref name="radiusPx"/> (Fourier pixels of the
    /// unpadded box), F = D / (W + λ(s)/p²) with λ(s) = <paramref name="regularisation"/>[s] (RELION's
    /// 1/(T·τ²(s))), then the inverse transform, the central window and the gridding correction. Returns the
    /// image (Box² pixels, centre at Box/2) and writes per shell the signal power τ²(s) the unregularised data
    /// support (mean |D/W|² less its noise variance Σb²·v·C²/W², b the bilinear weights; in the units of the unpadded
    /// spectrum) and the mean weight
    /// per unpadded frequency.
    /// </summary>
    public float[] Reconstruct(ReadOnlySpan<double> regularisation, double radiusPx, Span<double> signalPower, Span<double> meanWeight,
        ComputeContext? context = null)
    {
        int p = PaddedImageSpectrum.Padding;
        int shellCount = signalPower.Length;
        var power = new double[shellCount];
        var noise = new double[shellCount];
        var weightSum = new double[shellCount];
        var cells = new int[shellCount];
        var shape = GridShape.Square(padded);
        var spectrum = new ComplexF[shape.HalfComplexLength];
        double limit = radiusPx * p;
        for (int yi = 0; yi < padded; yi++)
        {
            int y = FourierIndex.Frequency(yi, padded);
            for (int x = 0; x < half; x++)
            {
                double r = Math.Sqrt(((double)x * x) + ((double)y * y));
                if (r > limit)
                {
                    continue;
                }

                int at = (yi * half) + x;

                // The x = 0 column holds frequency y and its Friedel mate −y: use their Hermitian mean.
                double dre = data[2 * at], dim = data[(2 * at) + 1], w = weight[at], q = weightSquares[at];
                if (x == 0 && y != 0 && y != -(padded / 2))
                {
                    int mate = FourierIndex.IndexOf(-y, padded) * half;
                    dre = 0.5 * (dre + data[2 * mate]);
                    dim = 0.5 * (dim - data[(2 * mate) + 1]);
                    w = 0.5 * (w + weight[mate]);
                    q = 0.5 * (q + weightSquares[mate]);
                }

                int shell = (int)Math.Round(r / p);
                double lambda = shell < regularisation.Length ? regularisation[shell] : regularisation[^1];
                double denominator = w + (lambda / (p * p));
                if (denominator > 0)
                {
                    spectrum[at] = new ComplexF((float)(dre / denominator), (float)(dim / denominator));
                }

                if (shell < shellCount)
                {
                    cells[shell]++;
                    weightSum[shell] += w * p * p;
                    if (w > 0)
                    {
                        power[shell] += ((dre * dre) + (dim * dim)) / (w * w);
                        // The noise variance of D/W: each inserted value y (variance v·C² per unit of weight)
                        // enters with its bilinear weight b, so Var(D/W) = Σ b²·v·C² / W².
                        noise[shell] += q / (w * w);
                    }
                }
            }
        }

        for (int s = 0; s < shellCount; s++)
        {
            signalPower[s] = cells[s] > 0 ? Math.Max(0, (power[s] - noise[s]) / cells[s]) : 0;
            meanWeight[s] = cells[s] > 0 ? weightSum[s] / cells[s] : 0;
        }

        var grid = new float[shape.Length];
        Fft.Inverse(spectrum, shape, grid, context: context);
        var image = new float[Box * Box];
        var factor = GriddingCorrection.FactorByRadiusSquared(Box, padded);
        int c = Box / 2, pc = padded / 2;
        for (int y = 0; y < Box; y++)
        {
            int dy = y - c;
            for (int x = 0; x < Box; x++)
            {
                int dx = x - c;

                // No rescaling: the padded grid samples the same band p² times more densely, which the inverse's 1/(pB)²
                // undoes. D/W is a local weighted mean of the inserted values, a blur of the spectrum by the bilinear
                // kernel, which apodises the image by sinc²(r/pB): the gridding correction undoes it.
                image[(y * Box) + x] = grid[((pc + dy) * padded) + pc + dx] * factor[(dx * dx) + (dy * dy)];
            }
        }

        return image;
    }
}
