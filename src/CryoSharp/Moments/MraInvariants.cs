using System.Diagnostics;
using System.Numerics;
using CryoSharp.Distributed;
using CryoSharp.Numerics;
using CryoSharp.Numerics.Fft;

namespace CryoSharp.Moments;

/// <summary>
/// Shift-invariant statistics of MRA observations from one streaming pass, with the Gaussian noise bias removed
/// (σ known). DFT convention x̂[k] = Σₜ x[t]e^{−2πikt/L}, so white noise of variance σ² has E|ε̂[k]|² = σ²L.
/// <list type="bullet">
/// <item>the mean (real-space first moment) M¹[t] = E y[t];</item>
/// <item>the power spectrum P[k] = E|ŷ[k]|² − σ²L;</item>
/// <item>the bispectrum B[k₁, k₂] = E ŷ[k₁]ŷ[k₂]conj(ŷ[k₁+k₂]) − σ²L·ŷ̄[0]·(δ[k₁] + δ[k₂] + δ[k₁+k₂]) (indices mod L), L × L;</item>
/// <item>optionally the second moment M²[t, u] = E y[t]y[u] − σ²δ[t−u], L × L (its Fourier form is
/// <see cref="FourierSecondMoment"/>).</item>
/// </list>
/// </summary>
public sealed class MraInvariants
{
    private MraInvariants(int length, long count, double sigma)
    {
        Length = length;
        Count = count;
        Sigma = sigma;
        Mean = new double[length];
        PowerSpectrum = new double[length];
    }

    /// <summary>
    /// The first two moments given directly (M̂¹, and M̂² row-major L × L, debiased), as <see cref="MraMomentSampler"/>
    /// draws them; the power spectrum is the diagonal of the second moment's Fourier form, and no bispectrum.
    /// </summary>
    public static MraInvariants FromMoments(double[] mean, double[] secondMoment, long count, double sigma)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(secondMoment);
        int l = mean.Length;
        if (secondMoment.Length != l * l)
        {
            throw new InvalidParameterException("second moment", secondMoment.Length, $"must hold L² = {l * l} values");
        }

        var result = new MraInvariants(l, count, sigma) { SecondMoment = (double[])secondMoment.Clone() };
        mean.CopyTo(result.Mean, 0);
        var fourier = result.FourierSecondMoment();
        for (int k = 0; k < l; k++)
        {
            result.PowerSpectrum[k] = fourier[(k * l) + k].Real;
        }

        return result;
    }

    /// <summary>L.</summary>
    public int Length { get; }

    /// <summary>N, observations seen.</summary>
    public long Count { get; }

    /// <summary>The σ used to remove the bias.</summary>
    public double Sigma { get; }

    /// <summary>M¹, length L.</summary>
    public double[] Mean { get; }

    /// <summary>P, length L (k = 0..L−1).</summary>
    public double[] PowerSpectrum { get; }

    /// <summary>B, L × L row-major (null when not computed).</summary>
    public Complex[]? Bispectrum { get; private set; }

    /// <summary>M², L × L row-major (null when not computed).</summary>
    public double[]? SecondMoment { get; private set; }

    /// <summary>Seconds the pass took.</summary>
    public double Seconds { get; private set; }

    /// <summary>
    /// The second moment in Fourier space, E ŷŷ* − σ²L·I = F·M²·F* (L × L), for the unitary-free DFT used here.
    /// </summary>
    public Complex[] FourierSecondMoment()
    {
        var m = SecondMoment ?? throw new InvalidOperationException("The second moment was not computed.");
        int l = Length;
        var result = new Complex[l * l];
        var temp = new Complex[l * l];
        for (int a = 0; a < l; a++)
        {
            for (int u = 0; u < l; u++)
            {
                Complex s = 0;
                for (int t = 0; t < l; t++)
                {
                    s += m[(t * l) + u] * Complex.FromPolarCoordinates(1, -2 * Math.PI * a * t / l);
                }

                temp[(a * l) + u] = s;
            }
        }

        for (int a = 0; a < l; a++)
        {
            for (int b = 0; b < l; b++)
            {
                Complex s = 0;
                for (int u = 0; u < l; u++)
                {
                    s += temp[(a * l) + u] * Complex.FromPolarCoordinates(1, 2 * Math.PI * b * u / l);
                }

                result[(a * l) + b] = s;
            }
        }

        return result;
    }

    /// <summary>One pass over <paramref name="source"/>.</summary>
    public static MraInvariants Compute(IMraObservations source, double sigma, bool bispectrum = true, bool secondMoment = false, ComputeContext? context = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (!(sigma >= 0) || double.IsInfinity(sigma))
        {
            throw new InvalidParameterException("σ", sigma, "must be a finite noise level, not negative");
        }

        var clock = Stopwatch.StartNew();
        int l = source.Length;
        int half = (l / 2) + 1, size = source.ChunkSize;
        var c = context ?? ComputeContext.Default;
        var total = ChunkedPass.Run(source, false, c, () => new ComplexF[size * half], (observations, _, n, spectra) =>
        {
            var accumulator = new Accumulator(l, bispectrum, secondMoment);
            accumulator.Add(observations.AsSpan(0, n * l), n, spectra, c);
            return accumulator;
        }, () => new Accumulator(l, bispectrum, secondMoment));

        var result = new MraInvariants(l, source.Count, sigma);
        double n = source.Count, noise = sigma * sigma * l;
        for (int t = 0; t < l; t++)
        {
            result.Mean[t] = total.Mean[t] / n;
            result.PowerSpectrum[t] = (total.Power[t] / n) - noise;
        }

        double dc = result.Mean.Sum(); // E ŷ[0]
        if (bispectrum)
        {
            var b = new Complex[l * l];
            for (int k1 = 0; k1 < l; k1++)
            {
                for (int k2 = k1; k2 < l; k2++)
                {
                    var value = new Complex(total.BispectrumRe[(k1 * l) + k2], total.BispectrumIm[(k1 * l) + k2]) / n;
                    int deltas = (k1 == 0 ? 1 : 0) + (k2 == 0 ? 1 : 0) + ((k1 + k2) % l == 0 ? 1 : 0);
                    value -= noise * dc * deltas;
                    b[(k1 * l) + k2] = value;
                    b[(k2 * l) + k1] = value;
                }
            }

            result.Bispectrum = b;
        }

        if (secondMoment)
        {
            var m = new double[l * l];
            for (int t = 0; t < l; t++)
            {
                for (int u = t; u < l; u++)
                {
                    double value = (total.Second[(t * l) + u] / n) - (t == u ? sigma * sigma : 0);
                    m[(t * l) + u] = value;
                    m[(u * l) + t] = value;
                }
            }

            result.SecondMoment = m;
        }

        result.Seconds = clock.Elapsed.TotalSeconds;
        return result;
    }

    /// <summary>Sums over one chunk (double precision), upper triangles only.</summary>
    private sealed class Accumulator : ChunkSum<Accumulator>
    {
        private readonly int length;

        public Accumulator(int length, bool bispectrum, bool secondMoment)
        {
            this.length = length;
            Mean = new double[length];
            Power = new double[length];
            BispectrumRe = bispectrum ? new double[length * length] : [];
            BispectrumIm = bispectrum ? new double[length * length] : [];
            Second = secondMoment ? new double[length * length] : [];
        }

        public double[] Mean { get; }

        public double[] Power { get; }

        public double[] BispectrumRe { get; }

        public double[] BispectrumIm { get; }

        public double[] Second { get; }

        /// <summary>Adds <paramref name="count"/> observations; <paramref name="spectra"/> is scratch for their transforms.</summary>
        public void Add(ReadOnlySpan<float> observations, int count, ComplexF[] spectra, ComputeContext context)
        {
            int l = length, half = (l / 2) + 1;
            Fft.ForwardMany(observations, new GridShape(l), count, spectra, FftOrigin.Corner, context: context);

            // The full spectrum twice over (index k and k + L), so that k₁ + k₂ needs no wrap-around.
            var re = new double[2 * l];
            var im = new double[2 * l];
            var row = new double[l];
            for (int j = 0; j < count; j++)
            {
                var y = observations.Slice(j * l, l);
                for (int t = 0; t < l; t++)
                {
                    Mean[t] += y[t];
                }

                var s = spectra.AsSpan(j * half, half);
                for (int k = 0; k < l; k++)
                {
                    var v = k < half ? s[k] : s[l - k].Conjugate;
                    double vr = v.Re, vi = v.Im;
                    re[k] = re[k + l] = vr;
                    im[k] = im[k + l] = vi;
                    Power[k] += (vr * vr) + (vi * vi);
                }

                if (BispectrumRe.Length > 0)
                {
                    AddBispectrum(re, im);
                }

                if (Second.Length > 0)
                {
                    for (int t = 0; t < l; t++)
                    {
                        row[t] = y[t];
                    }

                    for (int t = 0; t < l; t++)
                    {
                        double a = row[t];
                        var target = Second.AsSpan((t * l) + t, l - t);
                        var source = row.AsSpan(t);
                        for (int u = 0; u < target.Length; u++)
                        {
                            target[u] += a * source[u];
                        }
                    }
                }
            }
        }

        /// <summary>B[k₁, k₂] += ŷ[k₁]·ŷ[k₂]·conj(ŷ[k₁+k₂]) for k₁ ≤ k₂, vectorised over k₂.</summary>
        private void AddBispectrum(double[] re, double[] im)
        {
            int l = length, width = Vector<double>.Count;
            for (int k1 = 0; k1 < l; k1++)
            {
                double ar = re[k1], ai = im[k1];
                var accRe = BispectrumRe.AsSpan(k1 * l, l);
                var accIm = BispectrumIm.AsSpan(k1 * l, l);
                int k2 = k1;
                var vAr = new Vector<double>(ar);
                var vAi = new Vector<double>(ai);
                for (; k2 + width <= l; k2 += width)
                {
                    var br = new Vector<double>(re, k2);
                    var bi = new Vector<double>(im, k2);
                    var cr = new Vector<double>(re, k1 + k2);
                    var ci = new Vector<double>(im, k1 + k2);
                    var tr = (br * cr) + (bi * ci);
                    var ti = (bi * cr) - (br * ci);
                    var sumRe = new Vector<double>(accRe[k2..]) + ((vAr * tr) - (vAi * ti));
                    var sumIm = new Vector<double>(accIm[k2..]) + ((vAr * ti) + (vAi * tr));
                    sumRe.CopyTo(accRe[k2..]);
                    sumIm.CopyTo(accIm[k2..]);
                }

                for (; k2 < l; k2++)
                {
                    double br = re[k2], bi = im[k2], cr = re[k1 + k2], ci = im[k1 + k2];
                    double tr = (br * cr) + (bi * ci), ti = (bi * cr) - (br * ci);
                    accRe[k2] += (ar * tr) - (ai * ti);
                    accIm[k2] += (ar * ti) + (ai * tr);
                }
            }
        }

        protected override IReadOnlyList<double[]> Parts => [Mean, Power, BispectrumRe, BispectrumIm, Second];
    }
}
