using CryoSharp.Numerics;

namespace CryoSharp.Moments.Volumes;

/// <summary>
/// The Fourier transform of a small real volume on the central cube of an m-times oversampled grid (m = 2 by
/// default), in double precision, and its adjoint. The volume has n³ voxels with its centre at n/2; it is divided by
/// the separable gridding correction of trilinear interpolation on the oversampled grid, Π sinc²(π tᵢ/N) with tᵢ the
/// voxel's offset from the centre and N = m·n, and its transform V(K) = Σ_r u(r)·e^{−2πi K·(r − n/2)/N} is evaluated
/// for every K ∈ [−<see cref="Reach"/>, <see cref="Reach"/>]³ by three one-dimensional sums (x, then y, then z). Integer
/// K is the frequency K/(m·n) cycles per voxel, so the frequency k of an n-voxel box sits at K = m·k. The cube is stored
/// x fastest, as separate real and imaginary arrays of <see cref="Side"/>³ values.
/// </summary>
public sealed class CentredFourierCube
{
    private readonly double[] cosine;
    private readonly double[] sine;
    private readonly double[] correction;
    private readonly ComputeContext context;

    /// <summary>Prepares the sums for an n-voxel box and frequencies up to <paramref name="reach"/> on the m·n grid (m = <paramref name="oversampling"/>).</summary>
    public CentredFourierCube(int box, int reach, ComputeContext? context = null, int oversampling = 2)
    {
        if (oversampling is < 2 or > 8)
        {
            throw new InvalidParameterException("oversampling", oversampling, "must be between 2 and 8");
        }

        if (box < 4)
        {
            throw new InvalidParameterException("model box", box, "must be at least 4");
        }

        if (reach < 1 || reach > oversampling * box / 2)
        {
            throw new InvalidParameterException("Fourier reach", reach, $"must be between 1 and {oversampling * box / 2}");
        }

        Box = box;
        Reach = reach;
        Side = (2 * reach) + 1;
        Oversampling = oversampling;
        this.context = context ?? ComputeContext.Default;
        int padded = oversampling * box;
        cosine = new double[Side * box];
        sine = new double[Side * box];
        for (int k = 0; k < Side; k++)
        {
            for (int r = 0; r < box; r++)
            {
                var (s, c) = Math.SinCos(-2 * Math.PI * (k - reach) * (r - (box / 2)) / padded);
                cosine[(k * box) + r] = c;
                sine[(k * box) + r] = s;
            }
        }

        correction = new double[box];
        for (int r = 0; r < box; r++)
        {
            double x = Math.PI * (r - (box / 2)) / padded;
            double sinc = x == 0 ? 1 : Math.Sin(x) / x;
            correction[r] = 1 / (sinc * sinc);
        }
    }

    /// <summary>n, voxels per side of the volume.</summary>
    public int Box { get; }

    /// <summary>m, the oversampling of the Fourier grid (N = m·n).</summary>
    public int Oversampling { get; }

    /// <summary>The largest |K| per axis on the m·n grid.</summary>
    public int Reach { get; }

    /// <summary>2·<see cref="Reach"/> + 1, values per side of the cube.</summary>
    public int Side { get; }

    /// <summary>Values in the cube.</summary>
    public int Length => Side * Side * Side;

    /// <summary>The index in the cube of frequency (kx, ky, kz), each in [−Reach, Reach].</summary>
    public int IndexOf(int kx, int ky, int kz) => ((((kz + Reach) * Side) + ky + Reach) * Side) + kx + Reach;

    /// <summary>V on the cube from the n³ voxels <paramref name="volume"/> (x fastest).</summary>
    public void Forward(ReadOnlySpan<double> volume, double[] real, double[] imaginary)
    {
        int n = Box, s = Side;
        if (volume.Length != n * n * n || real.Length < Length || imaginary.Length < Length)
        {
            throw new ArgumentException("The volume or the cube has the wrong size.");
        }

        // Along x: T1[z, y, Kx] from the corrected voxels.
        var corrected = new double[n * n * n];
        for (int z = 0; z < n; z++)
        {
            for (int y = 0; y < n; y++)
            {
                double cyz = correction[z] * correction[y];
                for (int x = 0; x < n; x++)
                {
                    int i = (((z * n) + y) * n) + x;
                    corrected[i] = volume[i] * cyz * correction[x];
                }
            }
        }

        var t1r = new double[n * n * s];
        var t1i = new double[n * n * s];
        Parallel.For(0, n * n, context.ParallelOptions, row =>
        {
            var u = corrected.AsSpan(row * n, n);
            for (int k = 0; k < s; k++)
            {
                var c = cosine.AsSpan(k * n, n);
                var sn = sine.AsSpan(k * n, n);
                double re = 0, im = 0;
                for (int x = 0; x < n; x++)
                {
                    re += u[x] * c[x];
                    im += u[x] * sn[x];
                }

                t1r[(row * s) + k] = re;
                t1i[(row * s) + k] = im;
            }
        });

        // Along y: T2[z, Ky, Kx].
        var t2r = new double[n * s * s];
        var t2i = new double[n * s * s];
        Parallel.For(0, n, context.ParallelOptions, z =>
        {
            for (int ky = 0; ky < s; ky++)
            {
                var outR = t2r.AsSpan(((z * s) + ky) * s, s);
                var outI = t2i.AsSpan(((z * s) + ky) * s, s);
                for (int y = 0; y < n; y++)
                {
                    double c = cosine[(ky * n) + y], sn = sine[(ky * n) + y];
                    var inR = t1r.AsSpan(((z * n) + y) * s, s);
                    var inI = t1i.AsSpan(((z * n) + y) * s, s);
                    for (int kx = 0; kx < s; kx++)
                    {
                        outR[kx] += (inR[kx] * c) - (inI[kx] * sn);
                        outI[kx] += (inR[kx] * sn) + (inI[kx] * c);
                    }
                }
            }
        });

        // Along z: V[Kz, Ky, Kx].
        Parallel.For(0, s, context.ParallelOptions, kz =>
        {
            var outR = real.AsSpan(kz * s * s, s * s);
            var outI = imaginary.AsSpan(kz * s * s, s * s);
            outR.Clear();
            outI.Clear();
            for (int z = 0; z < n; z++)
            {
                double c = cosine[(kz * n) + z], sn = sine[(kz * n) + z];
                var inR = t2r.AsSpan(z * s * s, s * s);
                var inI = t2i.AsSpan(z * s * s, s * s);
                for (int k = 0; k < s * s; k++)
                {
                    outR[k] += (inR[k] * c) - (inI[k] * sn);
                    outI[k] += (inR[k] * sn) + (inI[k] * c);
                }
            }
        });
    }

    /// <summary>
    /// The adjoint: from ∂L/∂Re V and ∂L/∂Im V on the cube, ∂L/∂u for every voxel,
    /// Re Σ_K (∂L/∂Re V + i ∂L/∂Im V)(K)·conj e^{−2πi K·(r − n/2)/N} times the gridding correction.
    /// </summary>
    public void Adjoint(double[] real, double[] imaginary, Span<double> volume)
    {
        int n = Box, s = Side;
        if (volume.Length != n * n * n || real.Length < Length || imaginary.Length < Length)
        {
            throw new ArgumentException("The volume or the cube has the wrong size.");
        }

        // Along z: U2[z, Ky, Kx] = Σ_Kz Γ·conj E(Kz, z).
        var u2r = new double[n * s * s];
        var u2i = new double[n * s * s];
        Parallel.For(0, n, context.ParallelOptions, z =>
        {
            var outR = u2r.AsSpan(z * s * s, s * s);
            var outI = u2i.AsSpan(z * s * s, s * s);
            for (int kz = 0; kz < s; kz++)
            {
                double c = cosine[(kz * n) + z], sn = -sine[(kz * n) + z];
                var inR = real.AsSpan(kz * s * s, s * s);
                var inI = imaginary.AsSpan(kz * s * s, s * s);
                for (int k = 0; k < s * s; k++)
                {
                    outR[k] += (inR[k] * c) - (inI[k] * sn);
                    outI[k] += (inR[k] * sn) + (inI[k] * c);
                }
            }
        });

        // Along y: U1[z, y, Kx].
        var u1r = new double[n * n * s];
        var u1i = new double[n * n * s];
        Parallel.For(0, n, context.ParallelOptions, z =>
        {
            for (int y = 0; y < n; y++)
            {
                var outR = u1r.AsSpan(((z * n) + y) * s, s);
                var outI = u1i.AsSpan(((z * n) + y) * s, s);
                for (int ky = 0; ky < s; ky++)
                {
                    double c = cosine[(ky * n) + y], sn = -sine[(ky * n) + y];
                    var inR = u2r.AsSpan(((z * s) + ky) * s, s);
                    var inI = u2i.AsSpan(((z * s) + ky) * s, s);
                    for (int kx = 0; kx < s; kx++)
                    {
                        outR[kx] += (inR[kx] * c) - (inI[kx] * sn);
                        outI[kx] += (inR[kx] * sn) + (inI[kx] * c);
                    }
                }
            }
        });

        // Along x, keeping the real part, then the correction.
        var result = new double[n * n * n];
        Parallel.For(0, n * n, context.ParallelOptions, row =>
        {
            int z = row / n, y = row % n;
            double cyz = correction[z] * correction[y];
            var inR = u1r.AsSpan(row * s, s);
            var inI = u1i.AsSpan(row * s, s);
            for (int x = 0; x < n; x++)
            {
                double sum = 0;
                for (int k = 0; k < s; k++)
                {
                    sum += (inR[k] * cosine[(k * n) + x]) + (inI[k] * sine[(k * n) + x]);
                }

                result[(row * n) + x] = sum * cyz * correction[x];
            }
        });
        result.CopyTo(volume);
    }
}
