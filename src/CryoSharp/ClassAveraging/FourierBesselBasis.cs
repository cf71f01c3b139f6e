using System.Numerics.Tensors;
using CryoSharp.Numerics;

namespace CryoSharp.ClassAveraging;

/// <summary>
/// A steerable basis on the disc of radius R pixels about the box centre (n/2, n/2): the Fourier–Bessel functions
/// ψₖ,q(r, θ) = Nₖ,q Jₖ(jₖ,q r / R) e^{ikθ} (jₖ,q the q-th positive zero of Jₖ, Nₖ,q = 1/(√π R |Jₖ₊₁(jₖ,q)|), so
/// that they are orthonormal on the disc), band-limited to the functions whose radial frequency jₖ,q/(2πR) is below
/// the band limit (½ cycle per pixel: Nyquist). A real image is f = Σ_q a₀,q ψ₀,q + Σ_{k&gt;0,q} 2 Re(aₖ,q ψₖ,q): only
/// k ≥ 0 is stored (a₋ₖ = conj aₖ), a₀,q real. Angles θ are measured from the +x axis (columns) towards +y (rows).
/// Rotating the image content by α (a feature at θ moves to θ + α) multiplies aₖ by e^{−ikα}; the reflection
/// y → −y conjugates every aₖ. The expansion (<see cref="Expand"/>) is the adjoint of <see cref="Evaluate"/> under
/// the coefficient inner product ⟨a, b⟩ = Σ_{k=0} Re a b̄ + 2 Σ_{k&gt;0} Re a b̄, which is the images' inner product;
/// on the pixel grid the functions are orthonormal only approximately, so it is the least-squares expansion to the
/// accuracy of that sampling. Both are dense products with the sampled functions, batched over images and vectorised:
/// about (pixels in the disc) × (2 × coefficients) multiply–adds per image.
/// </summary>
public sealed class FourierBesselBasis
{
    private readonly int[] pixels;       // disc pixel indices in the box
    private readonly float[] rows;       // per coefficient: its real part's row, then (k > 0) its imaginary part's row
    private readonly int[] rowStart;     // per coefficient, the first of its rows
    private readonly int[] frequencyStart;

    /// <summary>The basis for a box of <paramref name="box"/> pixels.</summary>
    /// <param name="box">Image side in pixels (odd or even).</param>
    /// <param name="radiusPx">Disc radius in pixels (default: half the box).</param>
    /// <param name="bandLimit">Highest radial frequency in cycles per pixel (default ½, Nyquist).</param>
    public FourierBesselBasis(int box, double? radiusPx = null, double bandLimit = 0.5)
    {
        if (box < 4)
        {
            throw new InvalidParameterException("box", box, "must be at least 4 pixels");
        }

        double radius = radiusPx ?? box / 2.0;
        if (!(radius >= 1) || radius > box / 2.0)
        {
            throw new InvalidParameterException("disc radius", radius, $"must be between 1 and half the box ({box / 2.0} px)");
        }

        if (!(bandLimit > 0) || bandLimit > 0.5)
        {
            throw new InvalidParameterException("band limit", bandLimit, "must be above 0 and at most 0.5 cycles per pixel");
        }

        Box = box;
        RadiusPx = radius;
        BandLimit = bandLimit;
        double limit = 2 * Math.PI * bandLimit * radius;
        var zeros = new List<double[]>();
        for (int k = 0; ; k++)
        {
            var z = BesselFunctions.Zeros(k, limit);
            if (z.Length == 0)
            {
                break;
            }

            zeros.Add(z);
        }

        MaxFrequency = zeros.Count - 1;
        RadialCounts = [.. zeros.Select(z => z.Length)];
        frequencyStart = new int[zeros.Count + 1];
        for (int k = 0; k < zeros.Count; k++)
        {
            frequencyStart[k + 1] = frequencyStart[k] + RadialCounts[k];
        }

        Count = frequencyStart[^1];
        Frequencies = new int[Count];
        RadialIndices = new int[Count];
        RadialZeros = new double[Count];
        rowStart = new int[Count + 1];
        for (int k = 0, c = 0; k < zeros.Count; k++)
        {
            for (int q = 0; q < zeros[k].Length; q++, c++)
            {
                Frequencies[c] = k;
                RadialIndices[c] = q;
                RadialZeros[c] = zeros[k][q];
                rowStart[c + 1] = rowStart[c] + (k == 0 ? 1 : 2);
            }
        }

        // The disc's pixels, and the distinct radii among them (far fewer: the Bessel functions are evaluated once per radius).
        int centre = box / 2;
        var inside = new List<int>();
        var radii = new List<double>();
        var angles = new List<double>();
        for (int y = 0; y < box; y++)
        {
            for (int x = 0; x < box; x++)
            {
                double dx = x - centre, dy = y - centre, r = Math.Sqrt((dx * dx) + (dy * dy));
                if (r < radius)
                {
                    inside.Add((y * box) + x);
                    radii.Add(r);
                    angles.Add(Math.Atan2(dy, dx));
                }
            }
        }

        pixels = [.. inside];
        int p = pixels.Length;
        var distinct = radii.Distinct().Order().ToArray();
        var radiusIndex = radii.Select(r => Array.BinarySearch(distinct, r)).ToArray();
        rows = new float[(long)rowStart[Count] * p];
        Parallel.For(0, Count, c =>
        {
            int k = Frequencies[c];
            double j = RadialZeros[c], norm = 1 / (Math.Sqrt(Math.PI) * radius * Math.Abs(BesselFunctions.J(k + 1, j)));
            var radial = new double[distinct.Length];
            for (int d = 0; d < distinct.Length; d++)
            {
                radial[d] = norm * BesselFunctions.J(k, j * distinct[d] / radius);
            }

            var re = rows.AsSpan(rowStart[c] * p, p);
            var im = k == 0 ? default : rows.AsSpan((rowStart[c] + 1) * p, p);
            for (int i = 0; i < p; i++)
            {
                double value = radial[radiusIndex[i]];
                if (k == 0)
                {
                    re[i] = (float)value;
                }
                else
                {
                    var (s, cs) = Math.SinCos(k * angles[i]);
                    re[i] = (float)(value * cs);
                    im[i] = (float)(value * s);
                }
            }
        });
    }

    /// <summary>Image side in pixels.</summary>
    public int Box { get; }

    /// <summary>Disc radius R in pixels.</summary>
    public double RadiusPx { get; }

    /// <summary>Highest radial frequency, cycles per pixel.</summary>
    public double BandLimit { get; }

    /// <summary>The highest angular frequency k.</summary>
    public int MaxFrequency { get; }

    /// <summary>Radial functions per angular frequency k = 0..<see cref="MaxFrequency"/>.</summary>
    public int[] RadialCounts { get; }

    /// <summary>Stored (complex) coefficients per image: Σₖ <see cref="RadialCounts"/>[k], ordered by k, then q.</summary>
    public int Count { get; }

    /// <summary>The angular frequency k of each coefficient.</summary>
    public int[] Frequencies { get; }

    /// <summary>The radial index q (from 0) of each coefficient.</summary>
    public int[] RadialIndices { get; }

    /// <summary>The Bessel zero jₖ,q of each coefficient.</summary>
    public double[] RadialZeros { get; }

    /// <summary>Pixels inside the disc.</summary>
    public int DiscPixels => pixels.Length;

    /// <summary>The first coefficient of angular frequency <paramref name="k"/>.</summary>
    public int FrequencyStart(int k) => frequencyStart[k];

    /// <summary>
    /// The coefficients of <paramref name="count"/> images (box² floats each, row-major) into
    /// <paramref name="coefficients"/> (<see cref="Count"/> each): aₖ,q = Σ_pixels f·conj ψₖ,q. Pixels outside the disc
    /// are ignored. Parallel over blocks of images.
    /// </summary>
    public void Expand(ReadOnlySpan<float> images, int count, Span<ComplexF> coefficients, ComputeContext? context = null)
    {
        CheckLengths(images.Length, coefficients.Length, count);
        int length = Box * Box, p = pixels.Length;

        var source = images[..(count * length)].ToArray();
        var result = new ComplexF[count * Count];
        int blocks = (count + Block - 1) / Block;
        Parallel.For(0, blocks, (context ?? ComputeContext.Default).ParallelOptions, () => new float[Block * p], (b, _, gathered) =>
        {
            int first = b * Block, m = Math.Min(Block, count - first);
            for (int i = 0; i < m; i++)
            {
                var image = source.AsSpan((first + i) * length, length);
                var target = gathered.AsSpan(i * p, p);
                for (int t = 0; t < p; t++)
                {
                    target[t] = image[pixels[t]];
                }
            }

            for (int c = 0; c < Count; c++)
            {
                var re = rows.AsSpan(rowStart[c] * p, p);
                bool complex = Frequencies[c] > 0;
                var im = complex ? rows.AsSpan((rowStart[c] + 1) * p, p) : default;
                for (int i = 0; i < m; i++)
                {
                    var g = gathered.AsSpan(i * p, p);
                    result[((first + i) * Count) + c] = new ComplexF(TensorPrimitives.Dot(re, g), complex ? -TensorPrimitives.Dot(im, g) : 0);
                }
            }

            return gathered;
        }, _ => { });
        result.CopyTo(coefficients);
    }

    /// <summary>
    /// The images of <paramref name="count"/> coefficient vectors: f = Σ a₀,q ψ₀,q + Σ_{k&gt;0} 2 Re(aₖ,q ψₖ,q) on the
    /// disc, 0 outside (the imaginary parts of a₀,q are ignored).
    /// </summary>
    public void Evaluate(ReadOnlySpan<ComplexF> coefficients, int count, Span<float> images, ComputeContext? context = null)
    {
        CheckLengths(images.Length, coefficients.Length, count);
        int length = Box * Box, p = pixels.Length;

        var source = coefficients[..(count * Count)].ToArray();
        var result = new float[count * length];
        Parallel.For(0, count, (context ?? ComputeContext.Default).ParallelOptions, () => new float[p], (i, _, disc) =>
        {
            Array.Clear(disc);
            for (int c = 0; c < Count; c++)
            {
                var a = source[(i * Count) + c];
                if (Frequencies[c] == 0)
                {
                    TensorPrimitives.MultiplyAdd(rows.AsSpan(rowStart[c] * p, p), a.Re, disc, disc);
                }
                else
                {
                    TensorPrimitives.MultiplyAdd(rows.AsSpan(rowStart[c] * p, p), 2 * a.Re, disc, disc);
                    TensorPrimitives.MultiplyAdd(rows.AsSpan((rowStart[c] + 1) * p, p), -2 * a.Im, disc, disc);
                }
            }

            var image = result.AsSpan(i * length, length);
            for (int t = 0; t < p; t++)
            {
                image[pixels[t]] = disc[t];
            }

            return disc;
        }, _ => { });
        result.CopyTo(images);
    }

    /// <summary>
    /// The least-squares coefficients of one image (box² floats): the a minimising ‖Evaluate(a) − f‖ on the disc, by
    /// conjugate gradients on Expand(Evaluate(a)) = Expand(f). <see cref="Expand"/> alone is the adjoint, exact only
    /// as far as the sampled functions are orthonormal (a relative distortion of about 1 % at a 9-pixel box), so this
    /// is the one to use where an image must go to coefficients and back unchanged, again and again.
    /// </summary>
    public void FitLeastSquares(ReadOnlySpan<float> image, Span<ComplexF> coefficients, int maxIterations = 200)
    {
        CheckLengths(image.Length, coefficients.Length, 1);
        var rhs = new ComplexF[Count];
        Expand(image, 1, rhs, ComputeContext.SingleThreaded);
        var pixels = new float[Box * Box];
        SolvePositive((v, result) =>
        {
            Evaluate(v, 1, pixels, ComputeContext.SingleThreaded);
            Expand(pixels, 1, result, ComputeContext.SingleThreaded);
        }, rhs, rhs, maxIterations, 1e-14).CopyTo(coefficients);
    }

    /// <summary>
    /// Conjugate gradients for A a = <paramref name="rhs"/> with A self-adjoint and positive under <see cref="Dot"/>
    /// (normal equations built from <see cref="Evaluate"/> and its adjoint <see cref="Expand"/>), from
    /// <paramref name="start"/>, until ‖r‖² ≤ <paramref name="relativeTolerance"/>·‖rhs‖². The k = 0 coefficients of
    /// the result are made real, as a real image's are.
    /// </summary>
    /// <param name="apply">Writes A v into its second argument.</param>
    /// <param name="rhs">The right-hand side.</param>
    /// <param name="start">Where the iteration starts.</param>
    /// <param name="maxIterations">Iteration limit.</param>
    /// <param name="relativeTolerance">Stop when the squared residual falls below this fraction of ‖rhs‖².</param>
    public ComplexF[] SolvePositive(Action<ComplexF[], ComplexF[]> apply, ReadOnlySpan<ComplexF> rhs, ReadOnlySpan<ComplexF> start, int maxIterations,
        double relativeTolerance)
    {
        ArgumentNullException.ThrowIfNull(apply);
        int n = Count;
        var x = start[..n].ToArray();
        var ax = new ComplexF[n];
        apply(x, ax);
        var r = new ComplexF[n];
        for (int c = 0; c < n; c++)
        {
            r[c] = rhs[c] - ax[c];
        }

        var p = (ComplexF[])r.Clone();
        double rr = Dot(r, r), bb = Math.Max(Dot(rhs, rhs), 1e-300);
        for (int iteration = 0; iteration < maxIterations && rr > relativeTolerance * bb; iteration++)
        {
            apply(p, ax);
            double pap = Dot(p, ax);
            if (!(pap > 0))
            {
                break;
            }

            float alpha = (float)(rr / pap);
            for (int c = 0; c < n; c++)
            {
                x[c] += alpha * p[c];
                r[c] -= alpha * ax[c];
            }

            double next = Dot(r, r);
            float beta = (float)(next / rr);
            rr = next;
            for (int c = 0; c < n; c++)
            {
                p[c] = r[c] + (beta * p[c]);
            }
        }

        for (int c = 0; c < n; c++)
        {
            if (Frequencies[c] == 0)
            {
                x[c] = new ComplexF(x[c].Re, 0);
            }
        }

        return x;
    }

    /// <summary>The coefficients' inner product ⟨a, b⟩ = Σ_{k=0} Re a b̄ + 2 Σ_{k&gt;0} Re a b̄ (the images' inner product).</summary>
    public double Dot(ReadOnlySpan<ComplexF> a, ReadOnlySpan<ComplexF> b)
    {
        double sum = 0;
        for (int c = 0; c < Count; c++)
        {
            double term = ((double)a[c].Re * b[c].Re) + ((double)a[c].Im * b[c].Im);
            sum += Frequencies[c] == 0 ? term : 2 * term;
        }

        return sum;
    }

    /// <summary>Rotates the content of the image <paramref name="coefficients"/> describe by <paramref name="angleRad"/> (aₖ ← aₖ e^{−ikα}).</summary>
    public void Rotate(Span<ComplexF> coefficients, double angleRad)
    {
        for (int c = 0; c < Count; c++)
        {
            var (s, cs) = Math.SinCos(-Frequencies[c] * angleRad);
            coefficients[c] *= new ComplexF((float)cs, (float)s);
        }
    }

    /// <summary>Reflects the image <paramref name="coefficients"/> describe through the x axis (y → −y): aₖ ← conj aₖ.</summary>
    public void Reflect(Span<ComplexF> coefficients)
    {
        for (int c = 0; c < Count; c++)
        {
            coefficients[c] = coefficients[c].Conjugate;
        }
    }

    private void CheckLengths(int pixelCount, int coefficientCount, int count)
    {
        int length = Box * Box;
        if (pixelCount < (long)count * length || coefficientCount < (long)count * Count)
        {
            throw new ArgumentException($"{count} images need {count * length} pixels and {count * Count} coefficients.");
        }
    }

    // Images per block of the expansion: their disc pixels stay in cache while each basis row streams past once.
    private const int Block = 16;
}
