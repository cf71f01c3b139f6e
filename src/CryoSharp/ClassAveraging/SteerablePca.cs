using CryoSharp.Numerics;
using MathNet.Numerics.LinearAlgebra;

namespace CryoSharp.ClassAveraging;

/// <summary>
/// Steerable PCA (Zhao, Shkolnisky and Singer 2016): principal components of images in a steerable basis, one
/// angular frequency at a time, so that every component is itself steerable and the PCA of all in-plane rotations of
/// the data costs no more than that of the data. For each k the covariance of the Fourier–Bessel coefficients is
/// Cₖ = mean Re[(aₖ − μₖ)(aₖ − μₖ)ᴴ] (the mean μ only at k = 0: a rotationally uniform mean is radial); taking the
/// real part is averaging the data with its reflections, which every projection data set contains (the projection
/// from −v is the mirror image of that from v), and makes the components real, so that a reflection still conjugates
/// the coefficients. White noise of variance σ² per pixel adds σ²I; eigenvalues are kept above the
/// Marchenko–Pastur edge σ²(1 + √γ)² (γ = qₖ/n at k = 0, qₖ/2n above: real and imaginary parts count twice) and shrunk
/// to the population value ℓ they imply, λ = (ℓ + σ²)(1 + γσ²/ℓ). Coefficients are projections onto the kept
/// components, Wiener-weighted by ℓ/(ℓ + σ²) (denoised). CTF: the images are expected phase-flipped (the sign of
/// each CTF removed), as in ASPIRE's class averaging; amplitudes are left to the averaging step.
/// </summary>
public sealed class SteerablePca
{
    private readonly double[][] components; // per k: qₖ × mₖ, column-major (component l's qₖ entries together)
    private readonly double[] mean;

    private SteerablePca(FourierBesselBasis basis, double noiseVariance, double[] mean, double[][] components, double[][] eigenvalues, double[][] sampleEigenvalues)
    {
        Basis = basis;
        NoiseVariance = noiseVariance;
        this.mean = mean;
        this.components = components;
        Eigenvalues = eigenvalues;
        SampleEigenvalues = sampleEigenvalues;
        ComponentCounts = [.. eigenvalues.Select(e => e.Length)];
        MaxFrequency = Array.FindLastIndex(ComponentCounts, m => m > 0);
        var frequencies = new List<int>();
        for (int k = 0; k < ComponentCounts.Length; k++)
        {
            frequencies.AddRange(Enumerable.Repeat(k, ComponentCounts[k]));
        }

        Frequencies = [.. frequencies];
        Weights = [.. eigenvalues.SelectMany(e => e.Select(l => l / (l + noiseVariance)))];
    }

    /// <summary>The basis the components live in.</summary>
    public FourierBesselBasis Basis { get; }

    /// <summary>σ², noise variance per pixel.</summary>
    public double NoiseVariance { get; }

    /// <summary>Kept components per angular frequency k.</summary>
    public int[] ComponentCounts { get; }

    /// <summary>The highest k with a kept component (−1 when none).</summary>
    public int MaxFrequency { get; }

    /// <summary>Total kept components (complex coefficients per image).</summary>
    public int Count => Frequencies.Length;

    /// <summary>The angular frequency of each coefficient, ordered by k, then by eigenvalue (largest first).</summary>
    public int[] Frequencies { get; }

    /// <summary>The Wiener weight ℓ/(ℓ + σ²) of each coefficient.</summary>
    public double[] Weights { get; }

    /// <summary>Per k, the shrunk population eigenvalues ℓ of the kept components (in pixel-variance units).</summary>
    public double[][] Eigenvalues { get; }

    /// <summary>Per k, every sample eigenvalue of the covariance, largest first (for the report's spectra).</summary>
    public double[][] SampleEigenvalues { get; }

    /// <summary>
    /// Fits the components to the Fourier–Bessel coefficients that <paramref name="chunks"/> gives
    /// (each array holds whole images of <see cref="FourierBesselBasis.Count"/> coefficients).
    /// </summary>
    /// <param name="basis">The basis of the coefficients.</param>
    /// <param name="chunks">The coefficients of every image, a chunk at a time (one pass: the mean and the second moments together).</param>
    /// <param name="noiseVariance">σ² per pixel.</param>
    /// <param name="maxComponents">At most this many components in all (the largest ℓ kept), or null.</param>
    public static SteerablePca Fit(FourierBesselBasis basis, IEnumerable<ComplexF[]> chunks, double noiseVariance, int? maxComponents = null)
    {
        ArgumentNullException.ThrowIfNull(basis);
        ArgumentNullException.ThrowIfNull(chunks);
        if (!(noiseVariance > 0) || double.IsInfinity(noiseVariance))
        {
            throw new InvalidParameterException("noise variance", noiseVariance, "must be positive and finite");
        }

        int count = basis.Count, q0 = basis.RadialCounts[0];
        var mean = new double[q0];
        long n = 0;
        int frequencies = basis.MaxFrequency + 1;
        var covariance = new double[frequencies][];
        for (int k = 0; k < frequencies; k++)
        {
            covariance[k] = new double[basis.RadialCounts[k] * basis.RadialCounts[k]];
        }

        var re = new double[q0];
        var im = new double[q0];
        foreach (var chunk in chunks)
        {
            for (int i = 0; i < chunk.Length / count; i++, n++)
            {
                var a = chunk.AsSpan(i * count, count);
                for (int q = 0; q < q0; q++)
                {
                    mean[q] += a[q].Re;
                }

                for (int k = 0; k < frequencies; k++)
                {
                    int q = basis.RadialCounts[k], start = basis.FrequencyStart(k);
                    for (int r = 0; r < q; r++)
                    {
                        re[r] = a[start + r].Re;
                        im[r] = k == 0 ? 0 : a[start + r].Im;
                    }

                    var c = covariance[k];
                    for (int r = 0; r < q; r++)
                    {
                        double ar = re[r], ai = im[r];
                        var row = c.AsSpan(r * q, q);
                        for (int s = r; s < q; s++)
                        {
                            row[s] += (ar * re[s]) + (ai * im[s]);
                        }
                    }
                }
            }
        }

        if (n < 2)
        {
            throw new InvalidParameterException("images", n, "steerable PCA needs at least 2");
        }

        // Second moments about zero, accumulated in double: at k = 0 the mean's outer product comes off.
        for (int q = 0; q < q0; q++)
        {
            mean[q] /= n;
        }

        for (int r = 0; r < q0; r++)
        {
            for (int s = r; s < q0; s++)
            {
                covariance[0][(r * q0) + s] -= n * mean[r] * mean[s];
            }
        }

        double sigma2 = noiseVariance;
        var kept = new List<(int K, double Ell, double[] Vector)>[frequencies];
        var sample = new double[frequencies][];
        for (int k = 0; k < frequencies; k++)
        {
            int q = basis.RadialCounts[k];
            var matrix = Matrix<double>.Build.Dense(q, q);
            for (int r = 0; r < q; r++)
            {
                for (int s = r; s < q; s++)
                {
                    double v = covariance[k][(r * q) + s] / n;
                    matrix[r, s] = v;
                    matrix[s, r] = v;
                }
            }

            var evd = matrix.Evd(Symmetricity.Symmetric);
            double gamma = k == 0 ? (double)q / n : q / (2.0 * n);
            double edge = sigma2 * (1 + Math.Sqrt(gamma)) * (1 + Math.Sqrt(gamma));
            kept[k] = [];
            var values = new double[q];
            for (int l = q - 1, o = 0; l >= 0; l--, o++)
            {
                double lambda = evd.EigenValues[l].Real;
                values[o] = lambda;
                if (lambda > edge)
                {
                    double b = lambda - sigma2 - (gamma * sigma2);
                    double ell = 0.5 * (b + Math.Sqrt(Math.Max((b * b) - (4 * gamma * sigma2 * sigma2), 0)));
                    kept[k].Add((k, ell, [.. evd.EigenVectors.Column(l)]));
                }
            }

            sample[k] = values;
        }

        if (maxComponents is int cap)
        {
            var all = kept.SelectMany(x => x).OrderByDescending(x => x.Ell).Take(cap).ToHashSet();
            for (int k = 0; k < frequencies; k++)
            {
                kept[k] = [.. kept[k].Where(all.Contains)];
            }
        }

        var vectors = new double[frequencies][];
        var eigenvalues = new double[frequencies][];
        for (int k = 0; k < frequencies; k++)
        {
            int q = basis.RadialCounts[k];
            vectors[k] = new double[q * kept[k].Count];
            for (int l = 0; l < kept[k].Count; l++)
            {
                kept[k][l].Vector.CopyTo(vectors[k], l * q);
            }

            eigenvalues[k] = [.. kept[k].Select(x => x.Ell)];
        }

        return new SteerablePca(basis, sigma2, mean, vectors, eigenvalues, sample);
    }

    /// <summary>
    /// The denoised steerable-PCA coefficients of <paramref name="count"/> images from their Fourier–Bessel
    /// coefficients: cₖ,l = wₖ,l Σ_q Uₖ[q, l](aₖ,q − μ δₖ₀). Rotation multiplies cₖ by e^{−ikα}; reflection conjugates.
    /// </summary>
    public void Project(ReadOnlySpan<ComplexF> coefficients, int count, Span<ComplexF> projected)
    {
        int fb = Basis.Count, m = Count;
        for (int i = 0; i < count; i++)
        {
            var a = coefficients.Slice(i * fb, fb);
            var c = projected.Slice(i * m, m);
            for (int k = 0, o = 0; k < ComponentCounts.Length; k++)
            {
                int q = Basis.RadialCounts[k], start = Basis.FrequencyStart(k);
                for (int l = 0; l < ComponentCounts[k]; l++, o++)
                {
                    var u = components[k].AsSpan(l * q, q);
                    double sr = 0, si = 0;
                    for (int r = 0; r < q; r++)
                    {
                        sr += u[r] * (a[start + r].Re - (k == 0 ? mean[r] : 0));
                        si += u[r] * a[start + r].Im;
                    }

                    double w = Weights[o];
                    c[o] = new ComplexF((float)(w * sr), k == 0 ? 0 : (float)(w * si));
                }
            }
        }
    }

    /// <summary>
    /// The Fourier–Bessel coefficients of an image from its (denoised) steerable-PCA coefficients, the mean added back:
    /// the denoised image through <see cref="FourierBesselBasis.Evaluate"/>.
    /// </summary>
    public void Reconstruct(ReadOnlySpan<ComplexF> projected, Span<ComplexF> coefficients)
    {
        coefficients[..Basis.Count].Clear();
        for (int r = 0; r < Basis.RadialCounts[0]; r++)
        {
            coefficients[r] = new ComplexF((float)mean[r], 0);
        }

        for (int k = 0, o = 0; k < ComponentCounts.Length; k++)
        {
            int q = Basis.RadialCounts[k], start = Basis.FrequencyStart(k);
            for (int l = 0; l < ComponentCounts[k]; l++, o++)
            {
                var u = components[k].AsSpan(l * q, q);
                for (int r = 0; r < q; r++)
                {
                    coefficients[start + r] += projected[o] * (float)u[r];
                }
            }
        }
    }
}
