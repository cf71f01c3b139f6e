using CryoSharp.Geometry;
using CryoSharp.Imaging;
using CryoSharp.Numerics;
using MathNet.Numerics.Integration;
using MathNet.Numerics.LinearAlgebra;

namespace CryoSharp.Projection;

/// <summary>
/// A real orthonormal basis of volumes on the ball of radius R inside a small cubic box: φ_{ℓ,m,s}(r) =
/// c_{ℓ,s}·j_ℓ(z_{ℓ,s}|r|/R)·Y_ℓm(r/|r|), with j_ℓ the spherical Bessel function, z_{ℓ,s} its s-th positive zero (so
/// every function vanishes on the sphere), Y_ℓm the real spherical harmonics (<see cref="RealSphericalHarmonics"/>) and
/// c_{ℓ,s} = √(2/R³)/|j_{ℓ+1}(z_{ℓ,s})| (unit norm on the ball, in pixel units). Degrees run to
/// <see cref="MaxDegree"/> and radial indices while z_{ℓ,s} ≤ 2π·R·(band limit), the radial frequency in cycles per pixel.
/// <para>
/// Rotations act on the orders m of each (ℓ, s) alone, by the real Wigner-D matrices (<see cref="RealWignerD"/>): the
/// volume r ↦ f(Rᵀr) has coefficients D^ℓ(R)·x_{ℓ,·,s}. The coefficients are stored by degree, then radial index, then
/// order m = −ℓ..ℓ, so each (ℓ, s) is one contiguous block of 2ℓ + 1. The projection along z of every basis function,
/// ∫φ dz at the centre of each pixel, is tabulated once (Gauss–Legendre along each chord), so the projection of the volume
/// at any orientation is one rotation of the coefficients and one product with that table.
/// </para>
/// <para>
/// Geometry: voxel (x, y, z) and pixel (x, y) sit at r = (x − c, y − c, z − c) with c = ⌊box/2⌋, RELION's centre.
/// Meant for the small boxes of multi-target detection (at most 32): the voxel table has box³ × <see cref="Count"/> entries.
/// </para>
/// </summary>
public sealed class SphericalBesselBasis
{
    private const int ChordNodes = 64;
    private readonly int[] blockStart; // first coefficient of each (ℓ, s) block
    private readonly int[] blockDegree;
    private readonly double[] projection; // box² × Count, row-major by pixel
    private readonly RealWignerD? wigner;
    private double[]? voxels; // box³ × Count, row-major by voxel
    private MathNet.Numerics.LinearAlgebra.Factorization.Cholesky<double>? gram;

    /// <summary>The basis for a box of <paramref name="box"/> voxels.</summary>
    /// <param name="box">Side of the cube in voxels, 3 to 32.</param>
    /// <param name="maxDegree">Highest spherical-harmonic degree ℓ, 0 to 32.</param>
    /// <param name="bandLimit">Highest radial frequency in cycles per voxel (above 0, at most ½).</param>
    /// <param name="radiusPx">Ball radius in voxels (default: half the box).</param>
    public SphericalBesselBasis(int box, int maxDegree, double bandLimit = 0.5, double? radiusPx = null)
    {
        if (box is < 3 or > 32)
        {
            throw new InvalidParameterException("--volume-size", box, "must be between 3 and 32 voxels for the spherical Bessel basis");
        }

        if (maxDegree is < 0 or > 32)
        {
            throw new InvalidParameterException("--degree", maxDegree, "must be between 0 and 32");
        }

        if (!(bandLimit > 0) || bandLimit > 0.5)
        {
            throw new InvalidParameterException("--band-limit", bandLimit, "must be above 0 and at most 0.5 cycles per voxel");
        }

        double radius = radiusPx ?? box / 2.0;
        if (!(radius >= 1) || radius > box / 2.0)
        {
            throw new InvalidParameterException("ball radius", radius, $"must be between 1 and half the box ({box / 2.0} voxels)");
        }

        Box = box;
        RadiusPx = radius;
        BandLimit = bandLimit;
        double limit = 2 * Math.PI * bandLimit * radius;
        var degrees = new List<int>();
        var orders = new List<int>();
        var radial = new List<int>();
        var zeros = new List<double>();
        var norms = new List<double>();
        var starts = new List<int>();
        var blockDegrees = new List<int>();
        int highest = 0;
        for (int l = 0; l <= maxDegree; l++)
        {
            var z = SphericalBesselFunctions.Zeros(l, limit);
            for (int s = 0; s < z.Length; s++)
            {
                starts.Add(degrees.Count);
                blockDegrees.Add(l);
                highest = l;
                double c = Math.Sqrt(2 / (radius * radius * radius)) / Math.Abs(SphericalBesselFunctions.J(l + 1, z[s]));
                for (int m = -l; m <= l; m++)
                {
                    degrees.Add(l);
                    orders.Add(m);
                    radial.Add(s);
                    zeros.Add(z[s]);
                    norms.Add(c);
                }
            }
        }

        if (degrees.Count == 0)
        {
            throw new InvalidParameterException("--band-limit", bandLimit, "leaves no basis functions in this box");
        }

        MaxDegree = highest;
        Degrees = [.. degrees];
        Orders = [.. orders];
        RadialIndices = [.. radial];
        RadialZeros = [.. zeros];
        Normalisations = [.. norms];
        blockStart = [.. starts];
        blockDegree = [.. blockDegrees];
        Count = Degrees.Length;
        wigner = MaxDegree >= 1 ? new RealWignerD(MaxDegree) : null;
        projection = TabulateProjections();
    }

    /// <summary>Side of the cube in voxels.</summary>
    public int Box { get; }

    /// <summary>Ball radius in voxels.</summary>
    public double RadiusPx { get; }

    /// <summary>Highest radial frequency, cycles per voxel.</summary>
    public double BandLimit { get; }

    /// <summary>Highest degree present (at most the one asked for: the band limit may leave the top degrees empty).</summary>
    public int MaxDegree { get; }

    /// <summary>Number of basis functions.</summary>
    public int Count { get; }

    /// <summary>ℓ of each coefficient.</summary>
    public int[] Degrees { get; }

    /// <summary>m of each coefficient, −ℓ..ℓ.</summary>
    public int[] Orders { get; }

    /// <summary>s of each coefficient, 0-based.</summary>
    public int[] RadialIndices { get; }

    /// <summary>z_{ℓ,s} of each coefficient.</summary>
    public double[] RadialZeros { get; }

    /// <summary>c_{ℓ,s} of each coefficient.</summary>
    public double[] Normalisations { get; }

    /// <summary>Length of <see cref="WignerMatrices"/>'s output.</summary>
    public int WignerLength => MaxDegree >= 1 ? RealWignerD.TotalSize(MaxDegree) : 0;

    /// <summary>φ_b at <paramref name="r"/> (voxel units from the centre) for every b.</summary>
    public void EvaluateAt(Vector3d r, Span<double> values)
    {
        double length = r.Length;
        values[..Count].Clear();
        if (length >= RadiusPx)
        {
            return;
        }

        Span<double> harmonics = stackalloc double[RealSphericalHarmonics.Count(MaxDegree)];
        RealSphericalHarmonics.Evaluate(MaxDegree, length > 0 ? r : new Vector3d(0, 0, 1), harmonics);
        for (int block = 0; block < blockStart.Length; block++)
        {
            int l = blockDegree[block], start = blockStart[block];
            double radial = Normalisations[start] * SphericalBesselFunctions.J(l, RadialZeros[start] * length / RadiusPx);
            for (int m = -l; m <= l; m++)
            {
                values[start + l + m] = radial * harmonics[(l * l) + l + m];
            }
        }
    }

    /// <summary>The real Wigner-D matrices of degrees 1..<see cref="MaxDegree"/> for <paramref name="rotation"/>, for <see cref="Rotate"/>.</summary>
    public double[] WignerMatrices(Matrix3 rotation)
    {
        var d = new double[WignerLength];
        wigner?.ComputeAll(rotation, MaxDegree, d);
        return d;
    }

    /// <summary>
    /// The coefficients of r ↦ f(Rᵀr) from those of f: D^ℓ(R)·x per block, with <paramref name="wignerMatrices"/> from
    /// <see cref="WignerMatrices"/>(R); with <paramref name="transpose"/>, D^ℓ(R)ᵀ·x, the inverse rotation (the matrices
    /// are orthogonal) and the adjoint.
    /// </summary>
    public void Rotate(ReadOnlySpan<double> coefficients, ReadOnlySpan<double> wignerMatrices, Span<double> result, bool transpose = false)
    {
        for (int block = 0; block < blockStart.Length; block++)
        {
            int l = blockDegree[block], start = blockStart[block], d = (2 * l) + 1;
            if (l == 0)
            {
                result[start] = coefficients[start];
                continue;
            }

            var matrix = wignerMatrices.Slice(WignerOffset(l), d * d);
            var x = coefficients.Slice(start, d);
            var y = result.Slice(start, d);
            for (int r = 0; r < d; r++)
            {
                double s = 0;
                for (int c = 0; c < d; c++)
                {
                    s += (transpose ? matrix[(c * d) + r] : matrix[(r * d) + c]) * x[c];
                }

                y[r] = s;
            }
        }
    }

    /// <summary>The projection along z, ∫ f(x, y, z) dz at each pixel centre (box² values, row-major), of the volume with <paramref name="coefficients"/>.</summary>
    public void Project(ReadOnlySpan<double> coefficients, Span<float> image)
    {
        int n = Count;
        for (int p = 0; p < Box * Box; p++)
        {
            image[p] = (float)System.Numerics.Tensors.TensorPrimitives.Dot(projection.AsSpan(p * n, n), coefficients[..n]);
        }
    }

    /// <summary>The adjoint of <see cref="Project"/>: coefficients += Σ_p image[p]·(∫ φ_b dz)[p].</summary>
    public void ProjectAdjoint(ReadOnlySpan<float> image, Span<double> coefficients)
    {
        int n = Count;
        for (int p = 0; p < Box * Box; p++)
        {
            double v = image[p];
            if (v == 0)
            {
                continue;
            }

            var row = projection.AsSpan(p * n, n);
            for (int b = 0; b < n; b++)
            {
                coefficients[b] += v * row[b];
            }
        }
    }

    /// <summary>The table of projections: row p holds (∫ φ_b dz)(pixel p) for every b.</summary>
    public ReadOnlySpan<double> ProjectionTable => projection;

    /// <summary>The volume with <paramref name="coefficients"/> sampled at the voxel centres (box³, x fastest).</summary>
    public Volume Evaluate(ReadOnlySpan<double> coefficients, double pixelSizeA)
    {
        var table = VoxelTable();
        var volume = Volume.Cube(Box, pixelSizeA);
        int n = Count;
        for (int v = 0; v < volume.Data.Length; v++)
        {
            volume.Data[v] = (float)System.Numerics.Tensors.TensorPrimitives.Dot(table.AsSpan(v * n, n), coefficients[..n]);
        }

        return volume;
    }

    /// <summary>The coefficients whose sampled volume is nearest <paramref name="volume"/> in least squares over the voxels.</summary>
    public double[] FitLeastSquares(Volume volume)
    {
        ArgumentNullException.ThrowIfNull(volume);
        if (volume.Nx != Box || volume.Ny != Box || volume.Nz != Box)
        {
            throw new InvalidParameterException("volume", $"{volume.Nx} × {volume.Ny} × {volume.Nz}", $"must be {Box}³ for this basis");
        }

        var table = VoxelTable();
        int n = Count;
        var rhs = new double[n];
        for (int v = 0; v < volume.Data.Length; v++)
        {
            double value = volume.Data[v];
            var row = table.AsSpan(v * n, n);
            for (int b = 0; b < n; b++)
            {
                rhs[b] += value * row[b];
            }
        }

        gram ??= GramMatrix(table).Cholesky();
        return gram.Solve(Vector<double>.Build.Dense(rhs)).ToArray();
    }

    /// <summary>Σ x_b², the squared L² norm of the volume on the ball (the basis is orthonormal there).</summary>
    public static double SquaredNorm(ReadOnlySpan<double> coefficients) => System.Numerics.Tensors.TensorPrimitives.Dot(coefficients, coefficients);

    private int WignerOffset(int degree)
    {
        int offset = 0;
        for (int l = 1; l < degree; l++)
        {
            offset += ((2 * l) + 1) * ((2 * l) + 1);
        }

        return offset;
    }

    private double[] TabulateProjections()
    {
        int n = Count, c = Box / 2;
        var table = new double[Box * Box * n];
        var rule = new GaussLegendreRule(-1, 1, ChordNodes);
        var values = new double[n];
        for (int y = 0; y < Box; y++)
        {
            for (int x = 0; x < Box; x++)
            {
                double dx = x - c, dy = y - c, rho2 = (dx * dx) + (dy * dy);
                if (rho2 >= RadiusPx * RadiusPx)
                {
                    continue;
                }

                double h = Math.Sqrt((RadiusPx * RadiusPx) - rho2);
                var row = table.AsSpan(((y * Box) + x) * n, n);
                for (int k = 0; k < ChordNodes; k++)
                {
                    EvaluateAt(new Vector3d(dx, dy, h * rule.GetAbscissa(k)), values);
                    double w = h * rule.GetWeight(k);
                    for (int b = 0; b < n; b++)
                    {
                        row[b] += w * values[b];
                    }
                }
            }
        }

        return table;
    }

    private double[] VoxelTable()
    {
        if (voxels is { } ready)
        {
            return ready;
        }

        int n = Count, c = Box / 2;
        var table = new double[Box * Box * Box * n];
        Parallel.For(0, Box, z =>
        {
            var values = new double[n];
            for (int y = 0; y < Box; y++)
            {
                for (int x = 0; x < Box; x++)
                {
                    EvaluateAt(new Vector3d(x - c, y - c, z - c), values);
                    values.CopyTo(table.AsSpan(((((z * Box) + y) * Box) + x) * n, n));
                }
            }
        });
        voxels = table;
        return table;
    }

    private Matrix<double> GramMatrix(double[] table)
    {
        int n = Count, rows = table.Length / n;
        var phi = Matrix<double>.Build.Dense(rows, n, (v, b) => table[(v * n) + b]);
        var g = phi.TransposeThisAndMultiply(phi);

        // A whisper of ridge keeps the factorisation defined when the voxels cannot tell two functions apart.
        for (int b = 0; b < n; b++)
        {
            g[b, b] += 1e-10 * Math.Max(g[b, b], 1);
        }

        return g;
    }
}
