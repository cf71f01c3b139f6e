using CryoSharp.ClassAveraging;
using CryoSharp.Imaging;
using CryoSharp.Numerics;

namespace CryoSharp.Detection;

/// <summary>
/// A 2D target under uniformly random in-plane rotations, rotated exactly in a steerable basis: the image is replaced
/// by its expansion in the Fourier–Bessel basis on the disc inscribed in its box (band-limited to
/// <see cref="BandLimit"/>), and a copy at ψ is that expansion turned through ψ (aₖ multiplied by a phase), so that
/// every copy is the same band-limited image and no interpolation blurs some copies more than others.
/// <see cref="Target"/> is the band-limited image: the truth an estimate is scored against.
/// </summary>
public sealed class RotatedImageTargets : IMicrographTargets
{
    private readonly ThreadLocal<ComplexF[]> scratch;

    /// <summary>Expands <paramref name="image"/> (square) in the basis.</summary>
    /// <param name="image">The target, L × L.</param>
    /// <param name="bandLimit">Highest radial frequency of the basis, cycles per pixel (½: Nyquist).</param>
    public RotatedImageTargets(Image image, double bandLimit = 0.5)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.Nx != image.Ny)
        {
            throw new InvalidParameterException("target image", $"{image.Nx} × {image.Ny}", "must be square");
        }

        Basis = new FourierBesselBasis(image.Nx, bandLimit: bandLimit);
        Coefficients = new ComplexF[Basis.Count];
        Basis.FitLeastSquares(image.Data, Coefficients);
        PixelSizeA = image.PixelSizeA;
        Target = new Image(image.Nx, image.Ny, image.PixelSizeA);
        Basis.Evaluate(Coefficients, 1, Target.Data);
        scratch = new ThreadLocal<ComplexF[]>(() => new ComplexF[Basis.Count]);
    }

    /// <summary>The basis the target is expanded in.</summary>
    public FourierBesselBasis Basis { get; }

    /// <summary>The target's coefficients.</summary>
    public ComplexF[] Coefficients { get; }

    /// <summary>The band-limited target (the copy at ψ = 0).</summary>
    public Image Target { get; }

    /// <summary>Highest radial frequency, cycles per pixel.</summary>
    public double BandLimit => Basis.BandLimit;

    /// <inheritdoc />
    public int Size => Basis.Box;

    /// <inheritdoc />
    public double PixelSizeA { get; }

    /// <inheritdoc />
    public void Render(in MicrographCopy copy, Span<float> box)
    {
        var a = scratch.Value!;
        Coefficients.CopyTo(a, 0);

        // RELION's ψ turns the content through −ψ (InPlaneRotation); the basis turns it through +α.
        Basis.Rotate(a, -copy.PsiDeg * Math.PI / 180);
        Basis.Evaluate(a, 1, box, ComputeContext.SingleThreaded);
    }

    /// <inheritdoc />
    public MicrographCopy DrawPose(MicrographCopy corner, RandomStream random)
    {
        ArgumentNullException.ThrowIfNull(random);
        return corner with { PsiDeg = 360 * random.NextDouble() };
    }
}
