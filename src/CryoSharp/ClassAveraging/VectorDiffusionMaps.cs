using System.Numerics;
using CryoSharp.Numerics;
using CryoSharp.Numerics.LinearAlgebra;

namespace CryoSharp.ClassAveraging;

/// <summary>
/// Vector diffusion maps at angular frequencies k = 1…k_max (VDM: Singer and Wu 2012; MFVDM: Fan and Zhao 2019) on the
/// neighbour graph of images with their in-plane alignments. Images of opposite viewing directions are reflections of
/// each other, so the graph has 2n nodes, every image (node i) and its reflection (node n + i): an alignment
/// "j, reflected or not, rotated by α, matches i" gives the edge i–j (or i–j′) with Wᵢⱼ = e^{ikα}, and its mirror
/// i′–j′ (or i′–j) with e^{−ikα}. The edges are first weighted for the sampling density as in Coifman and Lafon's
/// diffusion maps (the α-normalisation Singer and Wu carry over to VDM): wᵢⱼ = 1/(dᵢdⱼ)^α with d the edge counts, so
/// that at α = 1 the graph's measure is close to the uniform one on the views whatever the sample's local density.
/// Each W⁽ᵏ⁾ is then normalised by the weighted degrees, S⁽ᵏ⁾ = D^{−½}W⁽ᵏ⁾D^{−½}, and its top mₖ = 2k + 1
/// eigenpairs (λ, φ) are found by thick-restart Lanczos with a block start of mₖ vectors (the eigenvalues come in
/// near-degenerate groups of 2k + 1: the representation of SO(3) at degree k). A node's embedding at frequency k is
/// its row of φ weighted by λᵗ; for two nodes Cₖ(a, b) = Σₗ λₗ^{2t} φₗ(a) conj φₗ(b), which on clean data is
/// ((1 + cos θ)/2)ᵏ e^{ikα} up to normalisation, θ the angle between their viewing directions and α their in-plane
/// alignment. The normalised affinity is Aₖ(a, b) = |Cₖ(a, b)|² / (Cₖ(a, a)Cₖ(b, b)) ∈ [0, 1]: VDM ranks neighbours by
/// A₁, MFVDM by Σₖ Aₖ (the inner product of the concatenated normalised embeddings), and takes the alignment
/// maximising Σₖ Re(conj Cₖ(a, b)/|Cₖ(a, b)| e^{ikα}) (all frequencies vote, the higher ones sharper).
/// </summary>
public sealed class VectorDiffusionMaps
{
    private readonly Complex[][] embeddings; // per k: node-major, stride[k] values per node, weighted by λᵗ
    private readonly int[] stride;
    private readonly int[] multiLength; // per k, MFVDM's mₖ (VDM's at k = 1 may be longer)
    private readonly int vdmLength;
    private readonly double[][] selfAffinity; // per k, |φ(a)|² over MFVDM's mₖ
    private readonly double[] vdmSelfAffinity;

    private VectorDiffusionMaps(int images, int maxFrequency, double[][] eigenvalues, Complex[][] embeddings, int[] multiLength, int vdmLength, double seconds)
    {
        Images = images;
        MaxFrequency = maxFrequency;
        Eigenvalues = eigenvalues;
        this.embeddings = embeddings;
        this.multiLength = multiLength;
        this.vdmLength = vdmLength;
        stride = new int[maxFrequency];
        selfAffinity = new double[maxFrequency][];
        for (int k = 1; k <= maxFrequency; k++)
        {
            stride[k - 1] = embeddings[k - 1].Length / (2 * images);
            selfAffinity[k - 1] = SquaredNorms(k, multiLength[k - 1]);
        }

        vdmSelfAffinity = SquaredNorms(1, vdmLength);
        Seconds = seconds;
    }

    // Relative residual of the eigenpairs: the affinities rank neighbours and need no more; the CRYOSHARP_VDM_TOLERANCE
    // environment variable overrides it for experiments.
    private static readonly double Tolerance = double.TryParse(Environment.GetEnvironmentVariable("CRYOSHARP_VDM_TOLERANCE"),
        System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double t) ? t : 1e-4;

    /// <summary>n, the images (the graph has 2n nodes).</summary>
    public int Images { get; }

    /// <summary>k_max.</summary>
    public int MaxFrequency { get; }

    /// <summary>Per k (index k − 1), the top eigenvalues of S⁽ᵏ⁾, largest first (the embedding's, then any extra asked for).</summary>
    public double[][] Eigenvalues { get; }

    /// <summary>Seconds the eigenvectors took.</summary>
    public double Seconds { get; }

    /// <summary>The node of image <paramref name="image"/>, reflected or not.</summary>
    public int Node(int image, bool reflected) => reflected ? Images + image : image;

    /// <summary>
    /// The maps of the graph the alignments give (each image to its first <paramref name="neighbours"/>; symmetrised).
    /// </summary>
    /// <param name="alignments">Per image, candidate neighbours sorted best first, with their alignments.</param>
    /// <param name="neighbours">Edges per image taken from the lists.</param>
    /// <param name="maxFrequency">k_max.</param>
    /// <param name="diffusionTime">t, the power of λ in the embedding (0: the bare eigenvectors).</param>
    /// <param name="seeds">Lanczos start vectors.</param>
    /// <param name="context">Threads.</param>
    /// <param name="extraEigenvectors">Eigenvectors beyond 2k + 1 in each embedding (0: Fan and Zhao's truncation).</param>
    /// <param name="extraEigenvalues">Eigenvalues computed beyond the embedding's, for the spectral gap only.</param>
    /// <param name="vdmEigenvectors">Eigenvectors in VDM's embedding (frequency 1; 0: as MFVDM's, 3 + extra).</param>
    /// <param name="densityNormalisation">α of the edge weights 1/(dᵢdⱼ)^α, 0…1 (0: every edge weighs 1).</param>
    public static VectorDiffusionMaps Build(ImageNeighbours alignments, int neighbours, int maxFrequency, double diffusionTime, SeedSequence seeds,
        ComputeContext? context = null, int extraEigenvectors = 0, int extraEigenvalues = 0, int vdmEigenvectors = 0, double densityNormalisation = 1)
    {
        ArgumentNullException.ThrowIfNull(alignments);
        ArgumentNullException.ThrowIfNull(seeds);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxFrequency, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(densityNormalisation, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(densityNormalisation, 1);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        int n = alignments.Count, take = Math.Min(neighbours, alignments.PerImage);
        var edges = new Dictionary<(int, int), (double Angle, bool Reflected)>();
        for (int i = 0; i < n; i++)
        {
            for (int r = 0; r < take; r++)
            {
                int o = (i * alignments.PerImage) + r, j = alignments.Neighbour[o];
                if (j == i || j < 0)
                {
                    continue;
                }

                // i ≈ R_α F j; seen from j: j ≈ R_{−α} i (plain) or j ≈ R_α F i (reflected).
                double angle = alignments.AngleRad[o];
                bool reflected = alignments.Reflected[o];
                var key = i < j ? (i, j) : (j, i);
                if (!edges.ContainsKey(key))
                {
                    edges[key] = i < j ? (angle, reflected) : (reflected ? angle : -angle, reflected);
                }
            }
        }

        var count = new double[2 * n];
        foreach (var ((i, j), (_, reflected)) in edges)
        {
            // Each undirected image pair is two node pairs (the pair and its mirror), each touching two nodes.
            count[i]++;
            count[n + i]++;
            count[reflected ? n + j : j]++;
            count[reflected ? j : n + j]++;
        }

        // A node pair and its mirror have the same counts (node n + i mirrors i), so one weight serves both.
        double EdgeWeight(int a, int b) => densityNormalisation == 0 ? 1 : Math.Pow(Math.Max(count[a], 1) * Math.Max(count[b], 1), -densityNormalisation);
        var degree = new double[2 * n];
        foreach (var ((i, j), (_, reflected)) in edges)
        {
            int b = reflected ? n + j : j;
            double w = EdgeWeight(i, b);
            degree[i] += w;
            degree[b] += w;
            degree[n + i] += w;
            degree[reflected ? j : n + j] += w;
        }

        // One compressed-row pattern serves every frequency: each node pair of an edge both ways, with its scale
        // w/√(dₐd_b) and the phase that frequency k multiplies (e^{ikα} one way, its conjugate the other, and the mirror
        // pair conjugated); each W⁽ᵏ⁾ is then one array of values over it. A node's row holds one entry per edge count.
        var rowStart = new int[(2 * n) + 1];
        for (int a = 0; a < 2 * n; a++)
        {
            rowStart[a + 1] = rowStart[a] + (int)count[a];
        }

        int stored = rowStart[2 * n];
        var columns = new int[stored];
        var scale = new double[stored];
        var phase = new double[stored];
        var next = rowStart[..^1];
        void Add(int row, int column, double s, double angle)
        {
            int slot = next[row]++;
            columns[slot] = column;
            scale[slot] = s;
            phase[slot] = angle;
        }

        foreach (var ((i, j), (angle, reflected)) in edges)
        {
            int a = i, b = reflected ? n + j : j, a2 = n + i, b2 = reflected ? j : n + j;
            double w = EdgeWeight(a, b), pair = w / Math.Sqrt(degree[a] * degree[b]), mirror = w / Math.Sqrt(degree[a2] * degree[b2]);
            Add(a, b, pair, angle);
            Add(b, a, pair, -angle);
            Add(a2, b2, mirror, -angle);
            Add(b2, a2, mirror, angle);
        }

        edges.Clear();
        edges.TrimExcess();

        var eigenvalues = new double[maxFrequency][];
        var embeddings = new Complex[maxFrequency][];
        var multiLength = new int[maxFrequency];
        for (int k = 1; k <= maxFrequency; k++)
        {
            multiLength[k - 1] = Math.Min((2 * k) + 1 + extraEigenvectors, 2 * n);
        }

        int vdmLength = vdmEigenvectors > 0 ? Math.Min(vdmEigenvectors, 2 * n) : multiLength[0];
        // The frequencies are independent eigenproblems: one thread each, the costliest (highest k) first.
        var options = new ParallelOptions { MaxDegreeOfParallelism = (context ?? ComputeContext.Default).Threads };
        Parallel.ForEach(Enumerable.Range(1, maxFrequency).Reverse(), options, k =>
        {
            var values = new Complex[stored];
            for (int t = 0; t < stored; t++)
            {
                values[t] = Complex.FromPolarCoordinates(scale[t], k * phase[t]);
            }

            var matrix = SparseHermitianMatrix.FromCompressedRows(2 * n, rowStart, columns, values);
            int m = k == 1 ? Math.Max(multiLength[0], vdmLength) : multiLength[k - 1], wanted = Math.Min(m + extraEigenvalues, 2 * n);
            // The wanted eigenvalues sit close together below 1 with the rest of the spectrum spread over [−1, 1]: a
            // large basis (few restarts) and a modest residual keep this cheap.
            var result = LanczosEigensolver.Largest(matrix, wanted, Tolerance, seeds.Spawn("vdm", k), krylovDimension: Math.Min(2 * n, Math.Max(4 * wanted, 100)),
                blockSize: wanted, maxRestarts: 400);
            eigenvalues[k - 1] = result.Values;
            var embedding = new Complex[2 * n * m];
            for (int l = 0; l < m; l++)
            {
                double weight = Math.Pow(Math.Abs(result.Values[l]), diffusionTime);
                var v = result.Vectors[l];
                for (int a = 0; a < 2 * n; a++)
                {
                    embedding[(a * m) + l] = weight * v[a];
                }
            }

            embeddings[k - 1] = embedding;
        });

        return new VectorDiffusionMaps(n, maxFrequency, eigenvalues, embeddings, multiLength, vdmLength, clock.Elapsed.TotalSeconds);
    }

    private double[] SquaredNorms(int k, int m)
    {
        var e = embeddings[k - 1];
        int s = stride[k - 1];
        var norms = new double[2 * Images];
        for (int a = 0; a < norms.Length; a++)
        {
            double sum = 0;
            for (int l = 0; l < m; l++)
            {
                var value = e[(a * s) + l];
                sum += (value.Real * value.Real) + (value.Imaginary * value.Imaginary);
            }

            norms[a] = sum;
        }

        return norms;
    }

    /// <summary>mₖ, the eigenvectors in MFVDM's embedding at frequency <paramref name="k"/>, or in VDM's (frequency 1).</summary>
    public int EmbeddingLength(int k, bool multiFrequency = true) => multiFrequency ? multiLength[k - 1] : vdmLength;

    /// <summary>
    /// Node <paramref name="node"/>'s embedding at frequency <paramref name="k"/>: its row of the eigenvectors weighted
    /// by λᵗ, the first <see cref="EmbeddingLength"/> values.
    /// </summary>
    public ReadOnlySpan<Complex> Embedding(int k, int node, bool multiFrequency = true) =>
        embeddings[k - 1].AsSpan(node * stride[k - 1], EmbeddingLength(k, multiFrequency));

    /// <summary>Cₖ(a, b) = Σₗ λₗ^{2t} φₗ(a) conj φₗ(b) for nodes a and b over MFVDM's embedding (or VDM's, k = 1).</summary>
    public Complex Correlation(int k, int a, int b, bool multiFrequency = true)
    {
        var x = Embedding(k, a, multiFrequency);
        var y = Embedding(k, b, multiFrequency);
        var sum = Complex.Zero;
        for (int l = 0; l < x.Length; l++)
        {
            sum += x[l] * Complex.Conjugate(y[l]);
        }

        return sum;
    }

    /// <summary>Aₖ(a, b) = |Cₖ(a, b)|² / (Cₖ(a, a)Cₖ(b, b)), in [0, 1], over MFVDM's embedding (or VDM's, k = 1).</summary>
    public double Affinity(int k, int a, int b, bool multiFrequency = true)
    {
        var c = Correlation(k, a, b, multiFrequency);
        var self = multiFrequency ? selfAffinity[k - 1] : vdmSelfAffinity;
        double denominator = self[a] * self[b];
        return denominator > 0 ? ((c.Real * c.Real) + (c.Imaginary * c.Imaginary)) / denominator : 0;
    }

    /// <summary>|Cₖ(a, b)| / √(Cₖ(a, a)Cₖ(b, b)): on clean data ((1 + cos θ)/2)ᵏ, θ the angle between the viewing directions.</summary>
    public double NormalisedCorrelation(int k, int a, int b) => Math.Sqrt(Affinity(k, a, b));

    /// <summary>
    /// Re-ranks each image's candidates (<paramref name="candidates"/>, any order) by VDM (frequency 1 only) or MFVDM
    /// (frequencies 1…k_max), each candidate taken as itself or its reflection, whichever is nearer, and keeps the
    /// <paramref name="neighbours"/> best with the alignment the embeddings give.
    /// </summary>
    public ImageNeighbours Rank(ImageNeighbours candidates, int neighbours, bool multiFrequency, ComputeContext? context = null)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        int n = candidates.Count, kmax = multiFrequency ? MaxFrequency : 1, take = Math.Min(neighbours, candidates.PerImage);
        var result = new ImageNeighbours(n, take);
        Parallel.For(0, n, (context ?? ComputeContext.Default).ParallelOptions, i =>
        {
            int c = candidates.PerImage;
            var scored = new (double Score, int J, bool Reflected)[c];
            for (int r = 0; r < c; r++)
            {
                int j = candidates.Neighbour[(i * c) + r];
                double plain = 0, mirror = 0;
                for (int k = 1; k <= kmax; k++)
                {
                    plain += Affinity(k, i, j, multiFrequency);
                    mirror += Affinity(k, i, Images + j, multiFrequency);
                }

                scored[r] = plain >= mirror ? (plain, j, false) : (mirror, j, true);
            }

            Array.Sort(scored, (x, y) => y.Score.CompareTo(x.Score));
            for (int r = 0; r < take; r++)
            {
                var (score, j, reflected) = scored[r];
                int o = (i * take) + r;
                result.Neighbour[o] = j;
                result.Reflected[o] = reflected;
                result.Score[o] = score;
                result.AngleRad[o] = Angle(i, Node(j, reflected), kmax, multiFrequency);
            }
        });
        return result;
    }

    /// <summary>The in-plane alignment, radians, of node b onto node a from the embeddings of frequencies 1…<paramref name="kmax"/>.</summary>
    /// <param name="a">The node aligned onto.</param>
    /// <param name="b">The node aligned.</param>
    /// <param name="kmax">The highest frequency voting.</param>
    /// <param name="multiFrequency">MFVDM's embeddings, or VDM's (kmax 1).</param>
    public double Angle(int a, int b, int kmax, bool multiFrequency = true)
    {
        if (kmax == 1)
        {
            return Correlation(1, a, b, multiFrequency).Phase;
        }

        Span<double> re = stackalloc double[kmax + 1];
        Span<double> im = stackalloc double[kmax + 1];
        for (int k = 1; k <= kmax; k++)
        {
            var c = Correlation(k, a, b);
            double magnitude = c.Magnitude;
            if (magnitude > 0)
            {
                // Cₖ ≈ |Cₖ| e^{ikα}: maximise Σₖ Re(conj(Cₖ/|Cₖ|) e^{ikα}).
                re[k] = c.Real / magnitude;
                im[k] = -c.Imaginary / magnitude;
            }
        }

        return RotationalAlignment.Maximum(re, im, 8 * (kmax + 1)).Angle;
    }
}
