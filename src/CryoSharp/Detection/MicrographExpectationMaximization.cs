using System.Collections.Concurrent;
using System.Diagnostics;
using System.Numerics;
using CryoSharp.ClassAveraging;
using CryoSharp.Distributed;
using CryoSharp.Imaging;
using CryoSharp.Numerics;
using CryoSharp.Numerics.Fft;

namespace CryoSharp.Detection;

/// <summary>
/// The approximate expectation–maximisation of Kreymer, Singer and Bendory ("An approximate expectation-maximization
/// for two-dimensional multi-target detection", IEEE SPL 2022): the micrograph is cut into non-overlapping L × L
/// patches, each modelled, independently of the others, as the first L × L pixels of the target rotated in-plane by
/// one of K angles θ_k = 2πk/K, zero-padded to 2L × 2L and shifted circularly by s ∈ {0, …, 2L − 1}², plus white
/// noise of known σ. A shift with s_y = L or s_x = L leaves the patch empty; every other shows a part of one copy
/// (the model of well-separated copies: no patch touches two). The prior over shifts is estimated; rotations are
/// uniform. The target x = Σ aₖ,q ψₖ,q is sought in the Fourier–Bessel basis of the inscribed disc, where the
/// rotations are exact phases.
/// <para>
/// E-step: the correlations of a patch with every shift of the k-th rotated target are one product of spectra and one
/// inverse FFT of the 2L × 2L grid (c = F⁻¹(P̂·conj Ŷ_k)); the energies ‖C Z_s R_k x‖² do not depend on the patch.
/// M-step: with weights w_{j,k,s}, the sum Σⱼ,ₛ w·(shifted-back patch) for each k is accumulated in Fourier space
/// (conj Ŵ_{j,k}·P̂ⱼ), so it costs one forward FFT of each weight grid and one inverse per k and iteration; the pixel
/// weights Σₛ W_{k,s}·visible_s are a correlation with the visibility mask. The normal equations
/// Σ_k R_kᴴ Φᴴ D_k Φ R_k a = Σ_k R_kᴴ Φᴴ b_k (Φ evaluates the basis) are solved by conjugate gradients from the
/// current a. Per patch and iteration: 1 + 2K FFTs of (2L)² points and K·(2L)² exponentials. Passes run in parallel
/// over rows of patches, summed in a fixed order (<see cref="ChunkedSumPass"/>): results do not depend on the thread
/// count. γ̂ = Σₛ πₛ·mean_k ‖C Z_s R_k x‖²/‖x‖².
/// </para>
/// </summary>
public static class MicrographExpectationMaximization
{
    /// <summary>Runs the EM for an L × L target in <paramref name="micrograph"/>, noise σ known.</summary>
    /// <param name="micrograph">The micrograph (its background at zero).</param>
    /// <param name="size">L, the target's box in pixels.</param>
    /// <param name="sigma">Noise standard deviation.</param>
    /// <param name="options">Rotations, iterations, start, threads.</param>
    public static MicrographEmResult Solve(IMicrograph micrograph, int size, double sigma, MicrographEmOptions options)
    {
        ArgumentNullException.ThrowIfNull(micrograph);
        var o = options ?? throw new ArgumentNullException(nameof(options));
        int l = size, m = 2 * l, cells = m * m, kCount = o.Rotations;
        if (l is < 3 or > 128)
        {
            throw new InvalidParameterException("--target-size", l, "must be between 3 and 128 pixels");
        }

        int patchCols = micrograph.Width / l, patchRows = micrograph.Height / l;
        long patches = (long)patchCols * patchRows;
        if (patchCols < 2 || patchRows < 2)
        {
            throw new InvalidParameterException("--target-size", l, $"leaves fewer than 2 × 2 patches in a {micrograph.Width} × {micrograph.Height} micrograph");
        }

        if (!(sigma > 0) || double.IsInfinity(sigma))
        {
            throw new InvalidParameterException("--sigma", sigma, "must be positive for EM");
        }

        if (kCount is < 1 or > 360)
        {
            throw new InvalidParameterException("--rotations", kCount, "must be between 1 and 360");
        }

        var clock = Stopwatch.StartNew();
        var basis = new FourierBesselBasis(l, bandLimit: o.BandLimit);
        var grid = GridShape.Square(m);
        int hc = grid.HalfComplexLength;
        var model = new Model(basis, kCount, m, hc);

        var prior = StartPrior(o, l, m);
        var a = o.Start is { } start ? CheckedStart(start, basis) : RandomStart(micrograph, basis, l, sigma, o);
        var history = new List<MicrographEmIteration>();
        var pool = new ConcurrentBag<Workspace>();
        double inverseVariance = 1 / (sigma * sigma), logLikelihood = double.NaN, gamma = double.NaN;
        int iteration = o.FirstIteration;
        model.Set(a);
        for (int run = 0; run < o.MaxIterations; run++)
        {
            // The model holds the current estimate: set above, then by Gamma at the end of each iteration.
            var iterationClock = Stopwatch.StartNew();
            iteration++;
            var bias = new float[kCount * cells];
            for (int k = 0; k < kCount; k++)
            {
                for (int s = 0; s < cells; s++)
                {
                    bias[(k * cells) + s] = (float)((-0.5 * model.Energies[(k * cells) + s] * inverseVariance) + Math.Log(Math.Max(prior[s], 1e-300)) - Math.Log(kCount));
                }
            }

            var total = ChunkedSumPass.Run(patchRows, o.Context, pool, () => new Workspace(micrograph.Width, l, kCount, m, hc), (row, w) =>
            {
                micrograph.ReadRows(row * l, l, w.Band);
                return Accumulate(w, model, bias, patchCols, l, kCount, m, hc, inverseVariance);
            }, () => new Sums(kCount, cells, hc));

            logLikelihood = total.LogLikelihood / patches;
            var updated = MaximisationStep(basis, model, total, a, kCount, l, m, hc);
            for (int s = 0; s < cells; s++)
            {
                double sum = 0;
                for (int k = 0; k < kCount; k++)
                {
                    sum += total.Weights[(k * cells) + s];
                }

                prior[s] = sum / patches;
            }

            if (o.Centre)
            {
                var image = new Image(l, l, micrograph.PixelSizeA);
                basis.Evaluate(updated, 1, image.Data);
                ImageCentring.Centre(image);
                basis.FitLeastSquares(image.Data, updated);
            }

            double change = RelativeChange(basis, a, updated);
            a = updated;
            gamma = Gamma(model, basis, a, prior, kCount, cells);
            var step = new MicrographEmIteration(iteration, change, logLikelihood, gamma, iterationClock.Elapsed.TotalSeconds, (ComplexF[])a.Clone(), (double[])prior.Clone());
            history.Add(step);
            o.Progress?.Invoke(step);
            if (change < o.Tolerance)
            {
                break;
            }
        }

        if (history.Count == 0)
        {
            gamma = Gamma(model, basis, a, prior, kCount, cells);
        }

        var estimate = new Image(l, l, micrograph.PixelSizeA);
        basis.Evaluate(a, 1, estimate.Data);
        return new MicrographEmResult(estimate, a, basis, prior, gamma, sigma, iteration, logLikelihood, patches, clock.Elapsed.TotalSeconds, history);
    }

    /// <summary>Each of the (2L − 1)² visible shifts at γ/L², the empty ones sharing the rest.</summary>
    private static double[] StartPrior(MicrographEmOptions o, int l, int m)
    {
        int cells = m * m;
        if (o.StartPrior is { } given)
        {
            if (given.Length != cells || given.Any(p => !(p >= 0)))
            {
                throw new InvalidParameterException("starting shift prior", given.Length, $"must hold {cells} non-negative values");
            }

            return (double[])given.Clone();
        }

        int visible = (m - 1) * (m - 1), empty = cells - visible;
        double each = o.StartGamma / ((double)l * l);
        if (!(o.StartGamma > 0) || visible * each >= 1)
        {
            throw new InvalidParameterException("starting γ", o.StartGamma, $"must be positive and below {(double)l * l / visible:0.###} (leaving mass for the empty patch)");
        }

        var prior = new double[cells];
        for (int sy = 0; sy < m; sy++)
        {
            for (int sx = 0; sx < m; sx++)
            {
                prior[(sy * m) + sx] = sy == l || sx == l ? (1 - (visible * each)) / empty : each;
            }
        }

        return prior;
    }

    private static ComplexF[] CheckedStart(ComplexF[] start, FourierBesselBasis basis) =>
        start.Length == basis.Count ? (ComplexF[])start.Clone()
            : throw new InvalidParameterException("starting coefficients", start.Length, $"must number {basis.Count} for this target size and band limit");

    /// <summary>
    /// Random coefficients scaled to the energy the micrograph implies: its mean square is σ² + γ‖x‖²/L², so
    /// ‖x‖² ≈ L²(mean square − σ²)/γ₀ with γ₀ the starting density.
    /// </summary>
    private static ComplexF[] RandomStart(IMicrograph micrograph, FourierBesselBasis basis, int l, double sigma, MicrographEmOptions o)
    {
        // A centred Gaussian (rotationally symmetric, so it favours no rotation and no shift) plus a smooth random
        // part that breaks the symmetry: a white random start lands in optima with the target moved in its box.
        var random = o.Seeds.Spawn("start").CreateStream();
        var a = new ComplexF[basis.Count];
        var image = new float[l * l];
        double c0 = l / 2, width = l / 6.0;
        for (int y = 0; y < l; y++)
        {
            for (int x = 0; x < l; x++)
            {
                image[(y * l) + x] = (float)Math.Exp(-(((x - c0) * (x - c0)) + ((y - c0) * (y - c0))) / (2 * width * width));
            }
        }

        basis.FitLeastSquares(image, a);
        double symmetric = Math.Sqrt(basis.Dot(a, a));
        var noise = new ComplexF[basis.Count];
        for (int c = 0; c < a.Length; c++)
        {
            double decay = Math.Exp(-0.5 * Math.Pow(basis.RadialZeros[c] / (2 * Math.PI * basis.RadiusPx * 0.15), 2));
            noise[c] = new ComplexF((float)(decay * random.NextGaussian()), basis.Frequencies[c] == 0 ? 0f : (float)(decay * random.NextGaussian()));
        }

        double noiseNorm = Math.Sqrt(Math.Max(basis.Dot(noise, noise), 1e-300));
        for (int c = 0; c < a.Length; c++)
        {
            a[c] += (float)(o.StartPerturbation * symmetric / noiseNorm) * noise[c];
        }

        int rows = micrograph.Height / l * l;
        var pool = new ConcurrentBag<float[]>();
        var squares = ChunkedSumPass.Run(micrograph.Height / l, o.Context, pool, () => new float[micrograph.Width * l], (band, buffer) =>
        {
            micrograph.ReadRows(band * l, l, buffer);
            var sum = new Scalar();
            sum.Value = System.Numerics.Tensors.TensorPrimitives.SumOfSquares(buffer.AsSpan());
            return sum;
        }, () => new Scalar());
        double meanSquare = squares.Value / ((double)rows * micrograph.Width);
        double energy = meanSquare > sigma * sigma * 1.0001 ? (double)l * l * (meanSquare - (sigma * sigma)) / o.StartGamma : (double)l * l * sigma * sigma;
        double scale = Math.Sqrt(energy / Math.Max(PixelEnergy(basis, a), 1e-300));
        for (int c = 0; c < a.Length; c++)
        {
            a[c] *= (float)scale;
        }

        return a;
    }

    private static double PixelEnergy(FourierBesselBasis basis, ComplexF[] a)
    {
        var image = new float[basis.Box * basis.Box];
        basis.Evaluate(a, 1, image);
        return System.Numerics.Tensors.TensorPrimitives.SumOfSquares(image.AsSpan());
    }

    private static double RelativeChange(FourierBesselBasis basis, ComplexF[] previous, ComplexF[] current)
    {
        var difference = new ComplexF[current.Length];
        for (int c = 0; c < current.Length; c++)
        {
            difference[c] = current[c] - previous[c];
        }

        return Math.Sqrt(basis.Dot(difference, difference) / Math.Max(basis.Dot(current, current), 1e-300));
    }

    /// <summary>γ̂ for the estimate <paramref name="a"/>, which it leaves set in <paramref name="model"/>.</summary>
    private static double Gamma(Model model, FourierBesselBasis basis, ComplexF[] a, double[] prior, int kCount, int cells)
    {
        model.Set(a);
        double energy = PixelEnergy(basis, a), sum = 0;
        for (int s = 0; s < cells; s++)
        {
            double mean = 0;
            for (int k = 0; k < kCount; k++)
            {
                mean += model.Energies[(k * cells) + s];
            }

            sum += prior[s] * mean / kCount;
        }

        return sum / Math.Max(energy, 1e-300);
    }

    private static Sums Accumulate(Workspace w, Model model, float[] bias, int patchCols, int l, int kCount, int m, int hc, double inverseVariance)
    {
        int cells = m * m;
        var sums = new Sums(kCount, cells, hc);
        var grid = GridShape.Square(m);
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
                var y = model.Spectra.AsSpan(k * hc, hc);
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

            // b̂_k += conj(Ŵ_k)·P̂: the weighted sum of the patch shifted back by every s, for each rotation.
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

    private static ComplexF[] MaximisationStep(FourierBesselBasis basis, Model model, Sums total, ComplexF[] current, int kCount, int l, int m, int hc)
    {
        int cells = m * m;
        var grid = GridShape.Square(m);
        var spectrum = new ComplexF[hc];
        var real = new float[cells];
        var weightSpectrum = new ComplexF[hc];
        var pixelWeights = new float[kCount * l * l];
        var rhs = new ComplexF[basis.Count];
        var image = new float[l * l];
        var coefficients = new ComplexF[basis.Count];
        for (int k = 0; k < kCount; k++)
        {
            // b_k: the inverse transform of the accumulated spectrum, on the target's box.
            var b = total.Backprojections.AsSpan(2 * k * hc, 2 * hc);
            for (int f = 0; f < hc; f++)
            {
                spectrum[f] = new ComplexF((float)b[2 * f], (float)b[(2 * f) + 1]);
            }

            Fft.Inverse(spectrum, grid, real, FftOrigin.Corner);
            for (int t = 0; t < l; t++)
            {
                real.AsSpan(t * m, l).CopyTo(image.AsSpan(t * l, l));
            }

            basis.Expand(image, 1, coefficients);
            basis.Rotate(coefficients, -model.Angles[k]);
            for (int c = 0; c < rhs.Length; c++)
            {
                rhs[c] += coefficients[c];
            }

            // D_k[u] = Σ_s W_k[s]·visible_s(u): a correlation of the total weights with the visibility mask.
            for (int s = 0; s < cells; s++)
            {
                real[s] = (float)total.Weights[(k * cells) + s];
            }

            Fft.Forward(real, grid, weightSpectrum, FftOrigin.Corner);
            for (int f = 0; f < hc; f++)
            {
                spectrum[f] = weightSpectrum[f].Conjugate * model.MaskSpectrum[f];
            }

            Fft.Inverse(spectrum, grid, real, FftOrigin.Corner);
            for (int t = 0; t < l; t++)
            {
                real.AsSpan(t * m, l).CopyTo(pixelWeights.AsSpan(k * l * l + (t * l), l));
            }
        }

        return ConjugateGradients(basis, model.Angles, pixelWeights, rhs, current);
    }

    /// <summary>Solves Σ_k R_kᴴ Φᴴ D_k Φ R_k a = rhs from <paramref name="start"/> (the operator is self-adjoint and positive under the basis's inner product).</summary>
    private static ComplexF[] ConjugateGradients(FourierBesselBasis basis, double[] angles, float[] pixelWeights, ComplexF[] rhs, ComplexF[] start)
    {
        int n = basis.Count, l = basis.Box;
        var image = new float[l * l];
        var rotated = new ComplexF[n];
        return basis.SolvePositive((v, result) =>
        {
            Array.Clear(result);
            for (int k = 0; k < angles.Length; k++)
            {
                v.CopyTo(rotated, 0);
                basis.Rotate(rotated, angles[k]);
                basis.Evaluate(rotated, 1, image);
                System.Numerics.Tensors.TensorPrimitives.Multiply(image, pixelWeights.AsSpan(k * l * l, l * l), image);
                basis.Expand(image, 1, rotated);
                basis.Rotate(rotated, -angles[k]);
                for (int c = 0; c < n; c++)
                {
                    result[c] += rotated[c];
                }
            }
        }, rhs, start, 4 * n, 1e-12);
    }

    /// <summary>The rotated target's spectra and shift energies for the current estimate.</summary>
    private sealed class Model
    {
        private readonly FourierBesselBasis basis;
        private readonly int m, hc;

        public Model(FourierBesselBasis basis, int rotations, int m, int hc)
        {
            this.basis = basis;
            this.m = m;
            this.hc = hc;
            Angles = new double[rotations];
            for (int k = 0; k < rotations; k++)
            {
                Angles[k] = 2 * Math.PI * k / rotations;
            }

            Spectra = new ComplexF[rotations * hc];
            Energies = new double[rotations * m * m];
            MaskSpectrum = new ComplexF[hc];
            var mask = new float[m * m];
            int l = basis.Box;
            for (int t = 0; t < l; t++)
            {
                mask.AsSpan(t * m, l).Fill(1);
            }

            Fft.Forward(mask, GridShape.Square(m), MaskSpectrum, FftOrigin.Corner);
        }

        public double[] Angles { get; }

        /// <summary>Ŷ_k: the spectra of the zero-padded rotated targets, half-complex, K after one another.</summary>
        public ComplexF[] Spectra { get; }

        /// <summary>‖C Z_s R_k x‖² for every k and s.</summary>
        public double[] Energies { get; }

        /// <summary>The spectrum of the visibility mask (ones on [0, L)²).</summary>
        public ComplexF[] MaskSpectrum { get; }

        public void Set(ComplexF[] a)
        {
            int l = basis.Box, cells = m * m;
            var grid = GridShape.Square(m);
            var rotated = new ComplexF[a.Length];
            var image = new float[l * l];
            var padded = new float[cells];
            var squares = new ComplexF[hc];
            var product = new ComplexF[hc];
            for (int k = 0; k < Angles.Length; k++)
            {
                a.CopyTo(rotated, 0);
                basis.Rotate(rotated, Angles[k]);
                basis.Evaluate(rotated, 1, image);
                Array.Clear(padded);
                for (int t = 0; t < l; t++)
                {
                    image.AsSpan(t * l, l).CopyTo(padded.AsSpan(t * m, l));
                }

                Fft.Forward(padded, grid, Spectra.AsSpan(k * hc, hc), FftOrigin.Corner);
                System.Numerics.Tensors.TensorPrimitives.Multiply(padded, padded, padded);
                Fft.Forward(padded, grid, squares, FftOrigin.Corner);
                for (int f = 0; f < hc; f++)
                {
                    product[f] = MaskSpectrum[f] * squares[f].Conjugate;
                }

                Fft.Inverse(product, grid, padded, FftOrigin.Corner);
                for (int s = 0; s < cells; s++)
                {
                    Energies[(k * cells) + s] = Math.Max(0, padded[s]);
                }
            }
        }
    }

    private sealed class Workspace(int width, int l, int rotations, int m, int hc)
    {
        public int Width { get; } = width;

        public float[] Band { get; } = new float[width * l];

        public float[] Patch { get; } = new float[m * m];

        public ComplexF[] PatchSpectrum { get; } = new ComplexF[hc];

        public ComplexF[] Products { get; } = new ComplexF[rotations * hc];

        public float[] Logits { get; } = new float[rotations * m * m];
    }

    private sealed class Sums(int rotations, int cells, int hc) : ChunkSum<Sums>
    {
        private readonly double[] logLikelihood = new double[1];

        /// <summary>Σⱼ w_{j,k,s}, K × (2L)².</summary>
        public double[] Weights { get; } = new double[rotations * cells];

        /// <summary>Σⱼ conj(Ŵ_{j,k})·P̂ⱼ as (re, im) pairs, K half-complex spectra.</summary>
        public double[] Backprojections { get; } = new double[2 * rotations * hc];

        public double LogLikelihood
        {
            get => logLikelihood[0];
            set => logLikelihood[0] = value;
        }

        protected override IReadOnlyList<double[]> Parts => [Weights, Backprojections, logLikelihood];
    }

    private sealed class Scalar : ChunkSum<Scalar>
    {
        private readonly double[] value = new double[1];

        public double Value
        {
            get => value[0];
            set => this.value[0] = value;
        }

        protected override IReadOnlyList<double[]> Parts => [value];
    }
}
