using CryoSharp.Numerics;

namespace CryoSharp.Detection;

/// <summary>
/// A simulated micrograph I = Σᵢ Pᵢ(· − ℓᵢ) + ε of W × H pixels: copies of the target (an image under in-plane
/// rotations, or a volume's projections) at non-overlapping random corners (<see cref="MicrographPlacement"/>), each
/// with its own random pose, plus white Gaussian noise of standard deviation σ. Only the corners and poses are
/// stored (a few MB even at 10⁵ × 10⁵ pixels): any band of rows is rendered on demand from the copies that touch it,
/// and each row's noise comes from its own seed, so the micrograph is the same however and by whom it is read, and
/// 10⁸ pixels and beyond need no memory. SNR is ‖x‖²/(L²σ²), x the target at ψ = 0 (as in the multi-target
/// detection papers).
/// </summary>
public sealed class MicrographSimulation : IMicrograph
{
    private readonly MicrographCopy[] copies;
    private readonly SeedSequence noiseSeeds;
    private readonly ThreadLocal<float[]> boxes;

    /// <summary>Places the copies and draws their poses.</summary>
    /// <param name="targets">What each copy looks like.</param>
    /// <param name="width">W, columns.</param>
    /// <param name="height">H, rows.</param>
    /// <param name="gamma">Density γ: the fraction of the micrograph's area covered by the copies' boxes.</param>
    /// <param name="sigma">Noise standard deviation σ (0 for a clean micrograph).</param>
    /// <param name="spacing">Placement model.</param>
    /// <param name="seeds">Where the corners (child "placement"), poses ("poses") and each row's noise (("noise", row)) come from.</param>
    public MicrographSimulation(IMicrographTargets targets, int width, int height, double gamma, double sigma, MtdSpacing spacing, SeedSequence seeds)
    {
        ArgumentNullException.ThrowIfNull(seeds);
        Targets = targets ?? throw new ArgumentNullException(nameof(targets));
        if (!(sigma >= 0) || double.IsInfinity(sigma))
        {
            throw new InvalidParameterException("σ", sigma, "must be a finite noise level, not negative");
        }

        Width = width;
        Height = height;
        Sigma = sigma;
        Spacing = spacing;
        var placed = MicrographPlacement.Place(width, height, targets.Size, gamma, spacing, seeds.Spawn("placement").CreateStream());
        var poses = seeds.Spawn("poses").CreateStream();
        for (int i = 0; i < placed.Length; i++)
        {
            placed[i] = targets.DrawPose(placed[i], poses);
        }

        copies = placed;
        noiseSeeds = seeds.Spawn("noise");
        boxes = new ThreadLocal<float[]>(() => new float[targets.Size * targets.Size]);
    }

    /// <summary>The target.</summary>
    public IMicrographTargets Targets { get; }

    /// <inheritdoc />
    public int Width { get; }

    /// <inheritdoc />
    public int Height { get; }

    /// <inheritdoc />
    public double PixelSizeA => Targets.PixelSizeA;

    /// <summary>σ.</summary>
    public double Sigma { get; }

    /// <summary>The placement model.</summary>
    public MtdSpacing Spacing { get; }

    /// <summary>The copies, sorted by row.</summary>
    public IReadOnlyList<MicrographCopy> Copies => copies;

    /// <summary>The realised density: copies·L²/(W·H).</summary>
    public double Gamma => (double)copies.Length * Targets.Size * Targets.Size / ((double)Width * Height);

    /// <inheritdoc />
    public void ReadRows(int firstRow, int rows, Span<float> destination) => ReadRows(firstRow, rows, destination, withNoise: true);

    /// <summary>Rows as <see cref="ReadRows(int, int, Span{float})"/> gives them, or the copies alone when <paramref name="withNoise"/> is false.</summary>
    public void ReadRows(int firstRow, int rows, Span<float> destination, bool withNoise)
    {
        if (firstRow < 0 || rows < 0 || firstRow + (long)rows > Height)
        {
            throw new ArgumentOutOfRangeException(nameof(firstRow), $"rows {firstRow}..{firstRow + rows} of {Height}");
        }

        int l = Targets.Size, w = Width;
        var target = destination[..(rows * w)];
        target.Clear();
        int endRow = firstRow + rows;

        // Copies whose box [Y, Y + L) meets [firstRow, endRow).
        int first = LowerBound(firstRow - l + 1);
        var box = boxes.Value!;
        for (int i = first; i < copies.Length && copies[i].Y < endRow; i++)
        {
            var copy = copies[i];
            Targets.Render(copy, box);
            for (int t = Math.Max(0, firstRow - copy.Y); t < l && copy.Y + t < endRow; t++)
            {
                var row = target.Slice(((copy.Y + t - firstRow) * w) + copy.X, l);
                var source = box.AsSpan(t * l, l);
                for (int c = 0; c < l; c++)
                {
                    row[c] += source[c];
                }
            }
        }

        if (withNoise && Sigma > 0)
        {
            var stream = new RandomStream(0);
            for (int r = 0; r < rows; r++)
            {
                stream.Reset(noiseSeeds.ChildSeed(firstRow + r));
                stream.AddGaussianNoise(target.Slice(r * w, w), (float)Sigma);
            }
        }
    }

    private int LowerBound(int row)
    {
        int lo = 0, hi = copies.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (copies[mid].Y < row)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }
}
