using System.Collections.Concurrent;
using System.Numerics;
using CryoSharp.Distributed;
using CryoSharp.Numerics;
using CryoSharp.Numerics.Fft;

namespace CryoSharp.Detection;

/// <summary>
/// The E-step shared by the approximate EMs over micrograph patches (<see cref="MicrographExpectationMaximization"/>
/// in 2D, <see cref="MicrographVolumeExpectationMaximization"/> in 3D). The micrograph is cut into non-overlapping
/// L × L patches; each is modelled as the first L × L pixels of one of K templates Y_k (a rotated image, a projection at
/// one orientation) zero-padded to 2L × 2L and shifted circularly by s ∈ {0, …, 2L − 1}², plus white noise σ. A shift with
/// s_y = L or s_x = L leaves the patch empty. The correlations of a patch with every shift of Y_k are one product of
/// spectra and one inverse FFT of the 2L × 2L grid; the energies ‖C Z_s Y_k‖² are a correlation of Y_k² with the
/// visibility mask, once per template. The pass sums, over patches, the posterior weights w_{k,s}, and per template the
/// spectrum Σⱼ conj(Ŵ_{j,k})·P̂ⱼ of the weighted, shifted-back patches, from which the M-step reads b_k (the weighted sum
/// of patches seen through template k) and D_k (the weight each pixel of Y_k was seen with). Passes run in parallel over
/// rows of patches and are summed in a fixed order (<see cref="ChunkedSumPass"/>): results do not depend on the thread
/// count. Per patch: 1 + 2K FFTs of (2L)² points and K·(2L)² exponentials.
/// </summary>
internal sealed class PatchLikelihood
{
    private readonly GridShape grid;
    private readonly ConcurrentBag<Workspace> pool = new();

    /// <summary>Prepares K templates of L × L.</summary>
    public PatchLikelihood(int size, int templates)
    {
        Size = size;
        Templates = templates;
        Padded = 2 * size;
        Cells = Padded * Padded;
        grid = GridShape.Square(Padded);
        HalfComplex = grid.HalfComplexLength;
        Spectra = new ComplexF[templates * HalfComplex];
        Energies = new double[templates * Cells];
        MaskSpectrum = new ComplexF[HalfComplex];
        var mask = new float[Cells];
        for (int t = 0; t < size; t++)
        {
            mask.AsSpan(t * Padded, size).Fill(1);
        }

        Fft.Forward(mask, grid, MaskSpectrum, FftOrigin.Corner);
    }

    /// <summary>L.</summary>
    public int Size { get; }

    /// <summary>K.</summary>
    public int Templates { get; }

    /// <summary>2L.</summary>
    public int Padded { get; }

    /// <summary>(2L)², the shifts of a patch.</summary>
    public int Cells { get; }

    /// <summary>Length of a half-complex spectrum of the 2L × 2L grid.</summary>
    public int HalfComplex { get; }

    /// <summary>Ŷ_k: the spectra of the zero-padded templates, K after one another.</summary>
    public ComplexF[] Spectra { get; }

    /// <summary>‖C Z_s Y_k‖² for every k and s.</summary>
    public double[] Energies { get; }

    /// <summary>The spectrum of the visibility mask (ones on [0, L)²).</summary>
    public ComplexF[] MaskSpectrum { get; }

    /// <summary>Sets template <paramref name="k"/> to the L × L image <paramref name="image"/>. Thread-safe across different k.</summary>
    public void SetTemplate(int k, ReadOnlySpan<float> image)
    {
        int l = Size, m = Padded, hc = HalfComplex;
        var padded = new float[Cells];
        var squares = new ComplexF[hc];
        var product = new ComplexF[hc];
        for (int t = 0; t < l; t++)
        {
            image.Slice(t * l, l).CopyTo(padded.AsSpan(t * m, l));
        }

        Fft.Forward(padded, grid, Spectra.AsSpan(k * hc, hc), FftOrigin.Corner, FftScaling.Backward, ComputeContext.SingleThreaded);
        System.Numerics.Tensors.TensorPrimitives.Multiply(padded, padded, padded);
        Fft.Forward(padded, grid, squares, FftOrigin.Corner, FftScaling.Backward, ComputeContext.SingleThreaded);
        for (int f = 0; f < hc; f++)
        {
            product[f] = MaskSpectrum[f] * squares[f].Conjugate;
        }

        Fft.Inverse(product, grid, padded, FftOrigin.Corner, FftScaling.Backward, ComputeContext.SingleThreaded);
        for (int s = 0; s < Cells; s++)
        {
            Energies[(k * Cells) + s] = Math.Max(0, padded[s]);
        }
    }

    /// <summary>
    /// The mean square of the micrograph's pixels over its whole rows of patches: σ² + γ·(mean template energy)/L², which
    /// is what random starts are scaled by.
    /// </summary>
    public static double MeanSquare(IMicrograph micrograph, int size, ComputeContext context)
    {
        var pool = new ConcurrentBag<float[]>();
        var squares = ChunkedSumPass.Run(micrograph.Height / size, context, pool, () => new float[micrograph.Width * size], (band, buffer) =>
        {
            micrograph.ReadRows(band * size, size, buffer);
            return new VectorSum([System.Numerics.Tensors.TensorPrimitives.SumOfSquares(buffer.AsSpan())]);
        }, () => new VectorSum(1));
        return squares.Values[0] / ((double)(micrograph.Height / size * size) * micrograph.Width);
    }

    /// <summary>
    /// The prior each of the (2L − 1)² visible shifts starts from, γ/L² (rotations or orientations uniform), the empty
    /// ones sharing the rest; or <paramref name="given"/>, checked.
    /// </summary>
    public double[] StartPrior(double startGamma, double[]? given)
    {
        int l = Size, m = Padded;
        if (given is not null)
        {
            if (given.Length != Cells || given.Any(p => !(p >= 0)))
            {
                throw new InvalidParameterException("starting shift prior", given.Length, $"must hold {Cells} non-negative values");
            }

            return (double[])given.Clone();
        }

        int visible = (m - 1) * (m - 1), empty = Cells - visible;
        double each = startGamma / ((double)l * l);
        if (!(startGamma > 0) || visible * each >= 1)
        {
            throw new InvalidParameterException("starting γ", startGamma, $"must be positive and below {(double)l * l / visible:0.###} (leaving mass for the empty patch)");
        }

        var prior = new double[Cells];
        for (int sy = 0; sy < m; sy++)
        {
            for (int sx = 0; sx < m; sx++)
            {
                prior[(sy * m) + sx] = sy == l || sx == l ? (1 - (visible * each)) / empty : each;
            }
        }

        return prior;
    }

    /// <summary>
    /// One E-step over the patches of the rows of patches in <paramref name="rows"/> (all when null) of
    /// <paramref name="micrograph"/>, under the shift prior <paramref name="prior"/> (templates equally likely).
    /// </summary>
    public PatchSums Pass(IMicrograph micrograph, double[] prior, double sigma, ComputeContext context, int[]? rows = null)
    {
        int l = Size, kCount = Templates, cells = Cells, patchCols = micrograph.Width / l;
        double inverseVariance = 1 / (sigma * sigma);
        var bias = new float[kCount * cells];
        for (int k = 0; k < kCount; k++)
        {
            for (int s = 0; s < cells; s++)
            {
                bias[(k * cells) + s] = (float)((-0.5 * Energies[(k * cells) + s] * inverseVariance) + Math.Log(Math.Max(prior[s], 1e-300)) - Math.Log(kCount));
            }
        }

        int chunks = rows?.Length ?? (micrograph.Height / l);
        var total = ChunkedSumPass.Run(chunks, context, pool, () => new Workspace(micrograph.Width, l, kCount, Padded, HalfComplex), (chunk, w) =>
        {
            int row = rows is null ? chunk : rows[chunk];
            micrograph.ReadRows(row * l, l, w.Band);
            return Accumulate(w, bias, patchCols, inverseVariance);
        }, () => new PatchSums(kCount, cells, HalfComplex));
        total.Patches = (long)chunks * patchCols;
        return total;
    }

    /// <summary>b_k: Σⱼ,ₛ w_{j,k,s}·(patch j shifted back by s), on the template's L × L box.</summary>
    public void Backprojection(PatchSums sums, int k, Span<float> image)
    {
        int l = Size, m = Padded, hc = HalfComplex;
        var spectrum = new ComplexF[hc];
        var real = new float[Cells];
        var b = sums.Backprojections.AsSpan(2 * k * hc, 2 * hc);
        for (int f = 0; f < hc; f++)
        {
            spectrum[f] = new ComplexF((float)b[2 * f], (float)b[(2 * f) + 1]);
        }

        Fft.Inverse(spectrum, grid, real, FftOrigin.Corner, FftScaling.Backward, ComputeContext.SingleThreaded);
        for (int t = 0; t < l; t++)
        {
            real.AsSpan(t * m, l).CopyTo(image.Slice(t * l, l));
        }
    }

    /// <summary>D_k[u] = Σ_s W_k[s]·visible_s(u): the total weight with which pixel u of template k was seen.</summary>
    public void PixelWeights(PatchSums sums, int k, Span<float> weights)
    {
        int l = Size, m = Padded, hc = HalfComplex;
        var real = new float[Cells];
        var spectrum = new ComplexF[hc];
        for (int s = 0; s < Cells; s++)
        {
            real[s] = (float)sums.Weights[(k * Cells) + s];
        }

        Fft.Forward(real, grid, spectrum, FftOrigin.Corner, FftScaling.Backward, ComputeContext.SingleThreaded);
        for (int f = 0; f < hc; f++)
        {
            spectrum[f] = spectrum[f].Conjugate * MaskSpectrum[f];
        }

        Fft.Inverse(spectrum, grid, real, FftOrigin.Corner, FftScaling.Backward, ComputeContext.SingleThreaded);
        for (int t = 0; t < l; t++)
        {
            real.AsSpan(t * m, l).CopyTo(weights.Slice(t * l, l));
        }
    }

    /// <summary>Σ_k W_k[s]: the total posterior weight of each shift over the templates.</summary>
    public double[] ShiftWeights(PatchSums sums)
    {
        var weights = new double[Cells];
        for (int k = 0; k < Templates; k++)
        {
            System.Numerics.Tensors.TensorPrimitives.Add(weights, sums.Weights.AsSpan(k * Cells, Cells), weights);
        }

        return weights;
    }

    /// <summary>The shift prior the weights imply: πₛ = Σ_k W_k[s] / patches.</summary>
    public double[] ShiftPrior(PatchSums sums)
    {
        var prior = ShiftWeights(sums);
        for (int s = 0; s < Cells; s++)
        {
            prior[s] /= sums.Patches;
        }

        return prior;
    }

    /// <summary>γ̂ = Σₛ πₛ·mean_k ‖C Z_s Y_k‖² / <paramref name="energy"/>, the templates' own energy ‖Y‖².</summary>
    public double Gamma(double[] prior, double energy)
    {
        double sum = 0;
        for (int s = 0; s < Cells; s++)
        {
            double mean = 0;
            for (int k = 0; k < Templates; k++)
            {
                mean += Energies[(k * Cells) + s];
            }

            sum += prior[s] * mean / Templates;
        }

        return sum / Math.Max(energy, 1e-300);
    }

    private PatchSums Accumulate(Workspace w, float[] bias, int patchCols, double inverseVariance)
    {
        int l = Size, kCount = Templates, m = Padded, hc = HalfComplex;
        var sums = new PatchSums(kCount, Cells, hc);
        var context = ComputeContext.SingleThreaded;
        for (int p = 0; p < patchCols; p++)
        {
            Array.Clear(w.Patch);
            for (int t = 0; t < l; t++)
            {
                w.Band.AsSpan((t * w.Width) + (p * l), l).CopyTo(w.Patch.AsSpan(t * m, l));
            }

            Fft.Forward(w.Patch, grid, w.PatchSpectrum, FftOrigin.Corner, FftScaling.Backward, context);
            for (int k = 0; k < kCount; k++)
            {
                var y = Spectra.AsSpan(k * hc, hc);
                var product = w.Products.AsSpan(k * hc, hc);
                for (int f = 0; f < hc; f++)
                {
                    product[f] = w.PatchSpectrum[f] * y[f].Conjugate;
                }
            }

            Fft.InverseMany(w.Products, grid, kCount, w.Logits, FftOrigin.Corner, FftScaling.Backward, context);
            // logits = c/σ² + bias, shifted by the maximum. Weights below e⁻⁴⁰ of the best are made exactly zero: left to
            // underflow, they and the spectra made from them are subnormal floats, which make every later step ~10× slower.
            System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(w.Logits, (float)inverseVariance, bias, w.Logits);
            float max = System.Numerics.Tensors.TensorPrimitives.Max<float>(w.Logits);
            FlushNegligible(w.Logits, max);
            System.Numerics.Tensors.TensorPrimitives.Exp(w.Logits, w.Logits);
            double z = System.Numerics.Tensors.TensorPrimitives.Sum<float>(w.Logits);
            sums.LogLikelihood += max + Math.Log(z);
            float scale = (float)(1 / z);
            System.Numerics.Tensors.TensorPrimitives.Multiply(w.Logits, scale, w.Logits);
            var weights = sums.Weights;
            var logits = w.Logits;
            for (int i = 0; i < logits.Length; i++)
            {
                weights[i] += logits[i];
            }

            // b̂_k += conj(Ŵ_k)·P̂: the weighted sum of the patch shifted back by every s, for each template.
            Fft.ForwardMany(w.Logits, grid, kCount, w.Products, FftOrigin.Corner, FftScaling.Backward, context);
            for (int k = 0; k < kCount; k++)
            {
                var spectrum = w.Products.AsSpan(k * hc, hc);
                var target = sums.Backprojections.AsSpan(2 * k * hc, 2 * hc);
                for (int f = 0; f < hc; f++)
                {
                    var q = spectrum[f].Conjugate * w.PatchSpectrum[f];
                    target[2 * f] += q.Re;
                    target[(2 * f) + 1] += q.Im;
                }
            }
        }

        return sums;
    }

    /// <summary>x ← x − max, and −120 (whose exponential is exactly 0 in single precision) wherever that is below −40.</summary>
    private static void FlushNegligible(Span<float> logits, float max)
    {
        var shift = new Vector<float>(max);
        var floor = new Vector<float>(-40f);
        var zero = new Vector<float>(-120f);
        int i = 0;
        for (; i + Vector<float>.Count <= logits.Length; i += Vector<float>.Count)
        {
            var v = new Vector<float>(logits[i..]) - shift;
            Vector.ConditionalSelect(Vector.LessThan(v, floor), zero, v).CopyTo(logits[i..]);
        }

        for (; i < logits.Length; i++)
        {
            float v = logits[i] - max;
            logits[i] = v < -40f ? -120f : v;
        }
    }

    private sealed class Workspace(int width, int l, int templates, int m, int hc)
    {
        public int Width { get; } = width;

        public float[] Band { get; } = new float[width * l];

        public float[] Patch { get; } = new float[m * m];

        public ComplexF[] PatchSpectrum { get; } = new ComplexF[hc];

        public ComplexF[] Products { get; } = new ComplexF[templates * hc];

        public float[] Logits { get; } = new float[templates * m * m];
    }
}

/// <summary>What one <see cref="PatchLikelihood.Pass"/> summed.</summary>
internal sealed class PatchSums(int templates, int cells, int hc) : ChunkSum<PatchSums>
{
    private readonly double[] logLikelihood = new double[1];

    /// <summary>Σⱼ w_{j,k,s}, K × (2L)².</summary>
    public double[] Weights { get; } = new double[templates * cells];

    /// <summary>Σⱼ conj(Ŵ_{j,k})·P̂ⱼ as (re, im) pairs, K half-complex spectra.</summary>
    public double[] Backprojections { get; } = new double[2 * templates * hc];

    /// <summary>Σⱼ log p(patch j) up to a constant.</summary>
    public double LogLikelihood
    {
        get => logLikelihood[0];
        set => logLikelihood[0] = value;
    }

    /// <summary>Patches summed over.</summary>
    public long Patches { get; set; }

    protected override IReadOnlyList<double[]> Parts => [Weights, Backprojections, logLikelihood];
}
