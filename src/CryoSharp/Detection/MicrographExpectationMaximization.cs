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
/// The E-step over shifts and the K rotated templates is <see cref="PatchLikelihood"/>'s. M-step: from its b_k (weighted
/// sums of the patches seen through rotation k) and D_k (pixel weights), the normal equations
/// Σ_k R_kᴴ Φᴴ D_k Φ R_k a = Σ_k R_kᴴ Φᴴ b_k (Φ evaluates the basis) are solved by conjugate gradients from the current a.
/// γ̂ = Σₛ πₛ·mean_k ‖C Z_s R_k x‖²/‖x‖².
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
        var likelihood = new PatchLikelihood(l, kCount);
        var angles = new double[kCount];
        for (int k = 0; k < kCount; k++)
        {
            angles[k] = 2 * Math.PI * k / kCount;
        }

        var prior = likelihood.StartPrior(o.StartGamma, o.StartPrior);
        var a = o.Start is { } start ? CheckedStart(start, basis) : RandomStart(micrograph, basis, l, sigma, o);
        var history = new List<MicrographEmIteration>();
        double logLikelihood = double.NaN, gamma = double.NaN;
        int iteration = o.FirstIteration;
        SetTemplates(likelihood, basis, angles, a);
        for (int run = 0; run < o.MaxIterations; run++)
        {
            // The templates hold the current estimate: set above, then by Gamma at the end of each iteration.
            var iterationClock = Stopwatch.StartNew();
            iteration++;
            var total = likelihood.Pass(micrograph, prior, sigma, o.Context);
            logLikelihood = total.LogLikelihood / patches;
            var updated = MaximisationStep(basis, likelihood, angles, total, a);
            prior = likelihood.ShiftPrior(total);
            if (o.Centre)
            {
                var image = new Image(l, l, micrograph.PixelSizeA);
                basis.Evaluate(updated, 1, image.Data);
                ImageCentring.Centre(image);
                basis.FitLeastSquares(image.Data, updated);
            }

            double change = RelativeChange(basis, a, updated);
            a = updated;
            gamma = Gamma(likelihood, basis, angles, a, prior);
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
            gamma = Gamma(likelihood, basis, angles, a, prior);
        }

        var estimate = new Image(l, l, micrograph.PixelSizeA);
        basis.Evaluate(a, 1, estimate.Data);
        return new MicrographEmResult(estimate, a, basis, prior, gamma, sigma, iteration, logLikelihood, patches, clock.Elapsed.TotalSeconds, history);
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

        double meanSquare = PatchLikelihood.MeanSquare(micrograph, l, o.Context);
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

    /// <summary>γ̂ for the estimate <paramref name="a"/>, which it leaves set as the templates.</summary>
    private static double Gamma(PatchLikelihood likelihood, FourierBesselBasis basis, double[] angles, ComplexF[] a, double[] prior)
    {
        SetTemplates(likelihood, basis, angles, a);
        return likelihood.Gamma(prior, PixelEnergy(basis, a));
    }

    /// <summary>The templates: the estimate turned by each of the K angles.</summary>
    private static void SetTemplates(PatchLikelihood likelihood, FourierBesselBasis basis, double[] angles, ComplexF[] a)
    {
        int l = basis.Box;
        var rotated = new ComplexF[a.Length];
        var image = new float[l * l];
        for (int k = 0; k < angles.Length; k++)
        {
            a.CopyTo(rotated, 0);
            basis.Rotate(rotated, angles[k]);
            basis.Evaluate(rotated, 1, image);
            likelihood.SetTemplate(k, image);
        }
    }

    private static ComplexF[] MaximisationStep(FourierBesselBasis basis, PatchLikelihood likelihood, double[] angles, PatchSums total, ComplexF[] current)
    {
        int l = basis.Box, kCount = angles.Length;
        var pixelWeights = new float[kCount * l * l];
        var rhs = new ComplexF[basis.Count];
        var image = new float[l * l];
        var coefficients = new ComplexF[basis.Count];
        for (int k = 0; k < kCount; k++)
        {
            likelihood.Backprojection(total, k, image);
            basis.Expand(image, 1, coefficients);
            basis.Rotate(coefficients, -angles[k]);
            for (int c = 0; c < rhs.Length; c++)
            {
                rhs[c] += coefficients[c];
            }

            likelihood.PixelWeights(total, k, pixelWeights.AsSpan(k * l * l, l * l));
        }

        return ConjugateGradients(basis, angles, pixelWeights, rhs, current);
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
}
