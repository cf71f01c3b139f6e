using CryoSharp.Geometry;
using CryoSharp.Imaging;
using CryoSharp.Moments.Images;
using CryoSharp.Numerics;
using CryoSharp.Numerics.LinearAlgebra;

namespace CryoSharp.Moments.Volumes;

/// <summary>
/// The analytic first and second image moments of a volume under a view density, and the gradient of the moment
/// loss, for the method of moments. The volume is n³ voxels inside the sphere of radius n/2 − 1 (voxel
/// pixel·Box/n Å, so the model covers the particle box at the resolution of the moments), the view density is a
/// softmax weight per direction of a <see cref="ViewQuadrature"/> (uniform in plane). For node q the image coordinates
/// are s_q = scale·(V(m·Aᵀ(k, 0)) for the basis' frequencies k), read by trilinear interpolation from the
/// m-times oversampled transform of the gridding-corrected voxels (<see cref="CentredFourierCube"/>), with
/// scale = (Box/n)³/Box so that they equal the orthonormal DFT coordinates of the line-integral projections of the
/// same density sampled at the images' pixel size. Then M¹ = K¹ ⊙ Σ_q c_q s_q and M² = K² ⊙ Σ_q c_q s_q s_qᵀ, and
/// the loss is the paper's ‖M̂¹ − M¹‖ + λ‖M̂² − M²‖ (Frobenius norms). The gradient is written by hand:
/// ∂L/∂s_q = c_q(g¹ + 2G s_q) and ∂L/∂c_q = g¹·s_q + s_qᵀG s_q with g¹ = K¹ ⊙ (M¹ − M̂¹)/‖·‖ and
/// G = λK² ⊙ (M² − M̂²)/‖·‖, then through the interpolation and the Fourier sums by their adjoints. Σ c s sᵀ and
/// S·G are single-precision panel products; the rest is double. Nodes are processed in fixed blocks, so the result
/// does not depend on the number of threads. One model is one workspace: call <see cref="Loss"/> from one thread at a
/// time (it uses all of <see cref="ComputeContext.Threads"/> itself).
/// </summary>
public sealed class VolumeMomentModel
{
    private const int Blocks = 16;
    private readonly CentredFourierCube cube;
    private readonly int[] voxels;
    private readonly int[] nodeBase;
    private readonly float[] nodeFraction;
    private readonly int dcIndex;
    private readonly int frequencies;
    private readonly int padded;
    private readonly ComputeContext context;
    private Workspace? workspace;

    /// <summary>Prepares the model for moments in <paramref name="basis"/> on <paramref name="quadrature"/>.</summary>
    /// <param name="basis">The moments' coordinates.</param>
    /// <param name="quadrature">The rotations the moments are integrated on.</param>
    /// <param name="modelBox">n, voxels per side (even, at least 2·radius + 2); default the larger of 2·radius + 4 and half the image box (a coarser grid cannot hold a compact particle well enough: the truth's own moment error triples).</param>
    /// <param name="context">Threads.</param>
    /// <param name="oversampling">m, the oversampling of the Fourier grid the slices are interpolated on (2 to 8; more is closer to exact and slower).</param>
    /// <param name="supportRadiusA">Radius in Å of the sphere the density may occupy (RELION's particle diameter / 2); default and at most the box's, less one voxel.</param>
    public VolumeMomentModel(ImageMomentBasis basis, ViewQuadrature quadrature, int? modelBox = null, ComputeContext? context = null, int oversampling = 2,
        double? supportRadiusA = null)
    {
        Basis = basis ?? throw new ArgumentNullException(nameof(basis));
        Quadrature = quadrature ?? throw new ArgumentNullException(nameof(quadrature));
        this.context = context ?? ComputeContext.Default;
        int radius = basis.RadiusPx;
        int n = modelBox ?? Math.Max((2 * radius) + 4, 2 * ((basis.Box + 3) / 4));
        if (n % 2 != 0 || n < (2 * radius) + 2 || n > basis.Box)
        {
            throw new InvalidParameterException("model box", n, $"must be even, at least {(2 * radius) + 2} and at most the image box ({basis.Box})");
        }

        ModelBox = n;
        cube = new CentredFourierCube(n, (oversampling * radius) + 2, this.context, oversampling);
        Oversampling = oversampling;
        var inside = new List<int>();
        double voxel = basis.PixelSizeA * basis.Box / n;
        double limit = (n / 2.0) - 1;
        if (supportRadiusA is { } support)
        {
            if (!(support > 0))
            {
                throw new InvalidParameterException("--particle-diameter", 2 * support, "must be a positive number of Å");
            }

            limit = Math.Min(limit, support / voxel);
        }

        SupportRadiusA = limit * voxel;
        for (int z = 0; z < n; z++)
        {
            for (int y = 0; y < n; y++)
            {
                for (int x = 0; x < n; x++)
                {
                    double dx = x - (n / 2), dy = y - (n / 2), dz = z - (n / 2);
                    if ((dx * dx) + (dy * dy) + (dz * dz) <= limit * limit)
                    {
                        inside.Add((((z * n) + y) * n) + x);
                    }
                }
            }
        }

        voxels = [.. inside];
        Scale = Math.Pow((double)basis.Box / n, 3) / basis.Box;
        frequencies = basis.Frequencies;
        padded = PanelProduct.Padded(basis.Dimension);
        dcIndex = cube.IndexOf(0, 0, 0);
        int q = quadrature.Count;
        nodeBase = new int[q * frequencies];
        nodeFraction = new float[3 * q * frequencies];
        for (int node = 0; node < q; node++)
        {
            var a = quadrature.Rotations[node];
            var row0 = a.Row(0);
            var row1 = a.Row(1);
            for (int j = 0; j < frequencies; j++)
            {
                double kx = basis.FrequencyX[j], ky = basis.FrequencyY[j];
                double px = oversampling * ((kx * row0.X) + (ky * row1.X)), py = oversampling * ((kx * row0.Y) + (ky * row1.Y)), pz = oversampling * ((kx * row0.Z) + (ky * row1.Z));
                int fx = (int)Math.Floor(px), fy = (int)Math.Floor(py), fz = (int)Math.Floor(pz);
                int at = (node * frequencies) + j;
                nodeBase[at] = cube.IndexOf(fx, fy, fz);
                nodeFraction[3 * at] = (float)(px - fx);
                nodeFraction[(3 * at) + 1] = (float)(py - fy);
                nodeFraction[(3 * at) + 2] = (float)(pz - fz);
            }
        }
    }

    /// <summary>The moments' coordinates.</summary>
    public ImageMomentBasis Basis { get; }

    /// <summary>The rotations.</summary>
    public ViewQuadrature Quadrature { get; }

    /// <summary>Radius in Å of the sphere of voxels that are parameters.</summary>
    public double SupportRadiusA { get; }

    /// <summary>m, the oversampling of the Fourier grid.</summary>
    public int Oversampling { get; }

    /// <summary>n, voxels per side of the model.</summary>
    public int ModelBox { get; }

    /// <summary>The model's voxel size in Å.</summary>
    public double VoxelSizeA => Basis.PixelSizeA * Basis.Box / ModelBox;

    /// <summary>(Box/n)³/Box, from the model's transform to image coordinates.</summary>
    public double Scale { get; }

    /// <summary>Voxels that are parameters (those inside the sphere).</summary>
    public int VoxelCount => voxels.Length;

    /// <summary>Parameters: the voxels, then one view logit per direction.</summary>
    public int ParameterCount => voxels.Length + Quadrature.Directions;

    /// <summary>The direction weights, softmax of the logits.</summary>
    public double[] DirectionWeights(ReadOnlySpan<double> parameters)
    {
        var w = new double[Quadrature.Directions];
        Softmax.Apply(parameters.Slice(voxels.Length, Quadrature.Directions), w);
        return w;
    }

    /// <summary>The n³ voxels of the parameters (zero outside the sphere).</summary>
    public double[] Voxels(ReadOnlySpan<double> parameters)
    {
        int n = ModelBox;
        var volume = new double[n * n * n];
        for (int i = 0; i < voxels.Length; i++)
        {
            volume[voxels[i]] = parameters[i];
        }

        return volume;
    }

    /// <summary>Writes voxels (n³) into the parameters (those inside the sphere).</summary>
    public void SetVoxels(ReadOnlySpan<double> volume, Span<double> parameters)
    {
        for (int i = 0; i < voxels.Length; i++)
        {
            parameters[i] = volume[voxels[i]];
        }
    }

    /// <summary>The model as a map at the images' box and pixel size (Fourier interpolation of the voxels).</summary>
    public Volume ToVolume(ReadOnlySpan<double> parameters)
    {
        int n = ModelBox;
        var values = Voxels(parameters);
        var coarse = Volume.Cube(n, VoxelSizeA);
        for (int i = 0; i < values.Length; i++)
        {
            coarse.Data[i] = (float)values[i];
        }

        return (Volume)FourierResampling.Resample(coarse, Basis.Box);
    }

    /// <summary>The model's M¹ and M² (with the CTF factors of <paramref name="target"/>) at the parameters.</summary>
    public (double[] First, double[] Second) Moments(ReadOnlySpan<double> parameters, MomentTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        var w = workspace ??= new Workspace(this);
        Forward(parameters, target, w);
        int d = Basis.Dimension;
        var second = new double[d * d];
        for (int a = 0; a < d; a++)
        {
            for (int b = 0; b < d; b++)
            {
                second[(a * d) + b] = w.Second[(a * padded) + b] * (target.CtfSecond is null ? 1 : target.CtfSecond[(a * d) + b]);
            }
        }

        return (w.First, second);
    }

    /// <summary>The loss at the parameters and its gradient (written to <paramref name="gradient"/>).</summary>
    public double Loss(ReadOnlySpan<double> parameters, Span<double> gradient, MomentTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        var w = workspace ??= new Workspace(this);
        Forward(parameters, target, w);
        int d = Basis.Dimension, q = Quadrature.Count;

        // Residuals and the loss.
        var e1 = new double[d];
        double n1 = 0;
        for (int a = 0; a < d; a++)
        {
            e1[a] = w.First[a] - target.First[a];
            n1 += e1[a] * e1[a];
        }

        double n2 = 0;
        var k2 = target.CtfSecond;
        for (int a = 0; a < d; a++)
        {
            for (int b = 0; b < d; b++)
            {
                double m = w.Second[(a * padded) + b] * (k2 is null ? 1 : k2[(a * d) + b]);
                double r = m - target.Second[(a * d) + b];
                w.Residual[(a * padded) + b] = (float)r;
                n2 += r * r;
            }
        }

        n1 = Math.Sqrt(n1);
        n2 = Math.Sqrt(n2);
        double loss = n1 + (target.Lambda * n2);
        FirstError = n1;
        SecondError = n2;
        if (gradient.IsEmpty)
        {
            return loss;
        }

        // g¹ and G.
        var g1 = new double[d];
        for (int a = 0; a < d; a++)
        {
            g1[a] = n1 > 0 ? e1[a] / n1 * (target.CtfFirst is null ? 1 : target.CtfFirst[a]) : 0;
        }

        float gScale = (float)(n2 > 0 ? target.Lambda / n2 : 0);
        for (int a = 0; a < d; a++)
        {
            for (int b = 0; b < d; b++)
            {
                w.Residual[(a * padded) + b] *= gScale * (k2 is null ? 1 : (float)k2[(a * d) + b]);
            }
        }

        // T = S·G, then ∂L/∂s_q and ∂L/∂c_q, block by block.
        var dc = new double[q];
        int perBlock = (q + Blocks - 1) / Blocks;
        Parallel.For(0, Blocks, context.ParallelOptions, block =>
        {
            int first = block * perBlock, count = Math.Min(perBlock, q - first);
            if (count <= 0)
            {
                return;
            }

            var t = new float[count * padded];
            PanelProduct.AddProduct(w.Slices.AsSpan(first * padded), count, d, padded, 1, w.Residual, t, padded);
            var gr = w.GradientReal[block];
            var gi = w.GradientImaginary[block];
            Array.Clear(gr);
            Array.Clear(gi);
            for (int node = first; node < first + count; node++)
            {
                var s = w.Slices.AsSpan(node * padded, d);
                var tq = t.AsSpan((node - first) * padded, d);
                double c = w.NodeWeights[node], sum = 0;
                for (int a = 0; a < d; a++)
                {
                    sum += (g1[a] * s[a]) + (s[a] * (double)tq[a]);
                }

                dc[node] = sum;
                ScatterSlice(node, c, g1, tq, gr, gi);
            }
        });

        // Sum the blocks' cube gradients in order, then the adjoint of the Fourier sums.
        var cubeR = w.GradientReal[0];
        var cubeI = w.GradientImaginary[0];
        for (int block = 1; block < Blocks; block++)
        {
            var r = w.GradientReal[block];
            var i = w.GradientImaginary[block];
            for (int k = 0; k < cubeR.Length; k++)
            {
                cubeR[k] += r[k];
                cubeI[k] += i[k];
            }
        }

        var du = new double[ModelBox * ModelBox * ModelBox];
        cube.Adjoint(cubeR, cubeI, du);
        for (int i = 0; i < voxels.Length; i++)
        {
            gradient[i] = du[voxels[i]];
        }

        // Softmax: ∂L/∂ρᵢ = wᵢ(hᵢ − Σⱼ wⱼhⱼ) with hᵢ = Σ_ψ ∂L/∂c_{i,ψ} / q₂.
        int angles = Quadrature.InPlaneAngles, directions = Quadrature.Directions;
        var h = new double[directions];
        double mean = 0;
        for (int i = 0; i < directions; i++)
        {
            for (int g = 0; g < angles; g++)
            {
                h[i] += dc[(i * angles) + g] / angles;
            }

            mean += w.DirectionWeights[i] * h[i];
        }

        for (int i = 0; i < directions; i++)
        {
            gradient[voxels.Length + i] = target.FixedDirectionWeights is null ? w.DirectionWeights[i] * (h[i] - mean) : 0;
        }

        return loss;
    }

    /// <summary>‖M¹ − M̂¹‖ at the last <see cref="Loss"/>.</summary>
    public double FirstError { get; private set; }

    /// <summary>‖M² − M̂²‖ at the last <see cref="Loss"/>.</summary>
    public double SecondError { get; private set; }

    private void Forward(ReadOnlySpan<double> parameters, MomentTarget target, Workspace w)
    {
        if (parameters.Length != ParameterCount)
        {
            throw new ArgumentException($"{parameters.Length} parameters; the model has {ParameterCount}.");
        }

        cube.Forward(Voxels(parameters), w.CubeReal, w.CubeImaginary);
        int q = Quadrature.Count, d = Basis.Dimension, angles = Quadrature.InPlaneAngles;
        var weights = target.FixedDirectionWeights ?? DirectionWeights(parameters);
        if (weights.Length != Quadrature.Directions)
        {
            throw new ArgumentException("One fixed weight per direction is needed.");
        }

        weights.CopyTo(w.DirectionWeights, 0);
        for (int node = 0; node < q; node++)
        {
            w.NodeWeights[node] = weights[node / angles] / angles;
        }

        int perBlock = (q + Blocks - 1) / Blocks;
        var firstParts = new double[Blocks][];
        Parallel.For(0, Blocks, context.ParallelOptions, block =>
        {
            var sum = new double[d];
            for (int node = block * perBlock; node < Math.Min(q, (block + 1) * perBlock); node++)
            {
                var s = w.Slices.AsSpan(node * padded, padded);
                Slice(node, w.CubeReal, w.CubeImaginary, s);
                float c = (float)w.NodeWeights[node];
                var weighted = w.Weighted.AsSpan(node * padded, padded);
                for (int a = 0; a < d; a++)
                {
                    weighted[a] = c * s[a];
                    sum[a] += w.NodeWeights[node] * s[a];
                }
            }

            firstParts[block] = sum;
        });

        var first = new double[d];
        foreach (var part in firstParts)
        {
            for (int a = 0; a < d; a++)
            {
                first[a] += part[a];
            }
        }

        for (int a = 0; a < d; a++)
        {
            first[a] *= target.CtfFirst is null ? 1 : target.CtfFirst[a];
        }

        w.First = first;

        // Σ c_q s_q s_qᵀ = Wᵀ·S, in row blocks of the result.
        Array.Clear(w.Second);
        int rowsPerBlock = (d + Blocks - 1) / Blocks;
        Parallel.For(0, Blocks, context.ParallelOptions, block =>
        {
            int row = block * rowsPerBlock, rows = Math.Min(rowsPerBlock, d - row);
            if (rows > 0)
            {
                PanelProduct.AddProduct(w.Weighted.AsSpan(row), rows, q, 1, padded, w.Slices, w.Second.AsSpan(row * padded), padded);
            }
        });
    }

    /// <summary>s_q from the cube: the DC term, then √2·(Re, Im) of each frequency, times the scale.</summary>
    private void Slice(int node, double[] real, double[] imaginary, Span<float> s)
    {
        int side = cube.Side, plane = side * side;
        s[0] = (float)(Scale * real[dcIndex]);
        double root2 = Math.Sqrt(2) * Scale;
        for (int j = 1; j < frequencies; j++)
        {
            int at = (node * frequencies) + j, b = nodeBase[at];
            double tx = nodeFraction[3 * at], ty = nodeFraction[(3 * at) + 1], tz = nodeFraction[(3 * at) + 2];
            double re = 0, im = 0;
            for (int corner = 0; corner < 8; corner++)
            {
                int cx = corner & 1, cy = (corner >> 1) & 1, cz = corner >> 2;
                double weight = (cx == 1 ? tx : 1 - tx) * (cy == 1 ? ty : 1 - ty) * (cz == 1 ? tz : 1 - tz);
                int index = b + cx + (cy * side) + (cz * plane);
                re += weight * real[index];
                im += weight * imaginary[index];
            }

            s[(2 * j) - 1] = (float)(root2 * re);
            s[2 * j] = (float)(root2 * im);
        }

        s[Basis.Dimension..].Clear();
    }

    /// <summary>Adds c_q(g¹ + 2T_q), pushed back through the interpolation, to the cube gradient.</summary>
    private void ScatterSlice(int node, double c, double[] g1, ReadOnlySpan<float> t, double[] real, double[] imaginary)
    {
        int side = cube.Side, plane = side * side;
        real[dcIndex] += Scale * c * (g1[0] + (2 * t[0]));
        double root2 = Math.Sqrt(2) * Scale;
        for (int j = 1; j < frequencies; j++)
        {
            int at = (node * frequencies) + j, b = nodeBase[at];
            double tx = nodeFraction[3 * at], ty = nodeFraction[(3 * at) + 1], tz = nodeFraction[(3 * at) + 2];
            double gre = root2 * c * (g1[(2 * j) - 1] + (2 * t[(2 * j) - 1]));
            double gim = root2 * c * (g1[2 * j] + (2 * t[2 * j]));
            for (int corner = 0; corner < 8; corner++)
            {
                int cx = corner & 1, cy = (corner >> 1) & 1, cz = corner >> 2;
                double weight = (cx == 1 ? tx : 1 - tx) * (cy == 1 ? ty : 1 - ty) * (cz == 1 ? tz : 1 - tz);
                int index = b + cx + (cy * side) + (cz * plane);
                real[index] += weight * gre;
                imaginary[index] += weight * gim;
            }
        }
    }

    private sealed class Workspace
    {
        public Workspace(VolumeMomentModel model)
        {
            int q = model.Quadrature.Count, p = model.padded, length = model.cube.Length;
            CubeReal = new double[length];
            CubeImaginary = new double[length];
            Slices = new float[q * p];
            Weighted = new float[q * p];
            Second = new float[model.Basis.Dimension * p];
            Residual = new float[model.Basis.Dimension * p];
            NodeWeights = new double[q];
            DirectionWeights = new double[model.Quadrature.Directions];
            GradientReal = new double[Blocks][];
            GradientImaginary = new double[Blocks][];
            for (int b = 0; b < Blocks; b++)
            {
                GradientReal[b] = new double[length];
                GradientImaginary[b] = new double[length];
            }
        }

        public double[] CubeReal { get; }

        public double[] CubeImaginary { get; }

        public float[] Slices { get; }

        public float[] Weighted { get; }

        public float[] Second { get; }

        public float[] Residual { get; }

        public double[] NodeWeights { get; }

        public double[] DirectionWeights { get; }

        public double[][] GradientReal { get; }

        public double[][] GradientImaginary { get; }

        public double[] First { get; set; } = [];
    }
}

/// <summary>What the model's moments are fitted to.</summary>
public sealed record MomentTarget
{
    /// <summary>M̂¹.</summary>
    public required double[] First { get; init; }

    /// <summary>M̂², d × d.</summary>
    public required double[] Second { get; init; }

    /// <summary>K¹, or null without CTFs.</summary>
    public double[]? CtfFirst { get; init; }

    /// <summary>K², or null without CTFs.</summary>
    public double[]? CtfSecond { get; init; }

    /// <summary>λ, the weight of the second moment's error.</summary>
    public double Lambda { get; init; } = 1;

    /// <summary>Known direction weights (the view logits are then not used and get zero gradient), or null to fit them.</summary>
    public double[]? FixedDirectionWeights { get; init; }

    /// <summary>The target of a set of image moments.</summary>
    public static MomentTarget From(ImageMoments moments, double lambda = 1, double[]? fixedDirectionWeights = null)
    {
        ArgumentNullException.ThrowIfNull(moments);
        return new MomentTarget
        {
            First = moments.First,
            Second = moments.Second,
            CtfFirst = moments.CtfFirst,
            CtfSecond = moments.CtfSecond,
            Lambda = lambda,
            FixedDirectionWeights = fixedDirectionWeights,
        };
    }
}
