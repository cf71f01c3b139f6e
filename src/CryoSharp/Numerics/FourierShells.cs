namespace CryoSharp.Numerics;

/// <summary>
/// Assigns each element of a half-complex spectrum to a Fourier shell: the nearest integer to its radius in
/// Fourier pixels, <c>round(sqrt(kx² + ky² + kz²))</c> measured in units of 1/(Nx·pixel) (conventions.md).
/// Shell s is spatial frequency s/(Nx·pixel) 1/Å; shells 0..Nx/2 reach Nyquist, higher ones are the corners.
/// </summary>
public sealed class FourierShells
{
    private readonly int[] shellOf;

    /// <summary>Computes the shell of every half-complex element of <paramref name="shape"/>.</summary>
    public FourierShells(GridShape shape)
    {
        Shape = shape;
        shellOf = new int[shape.HalfComplexLength];
        int hx = shape.HalfNx;
        double ry = (double)shape.Nx / shape.Ny, rz = (double)shape.Nx / shape.Nz;
        int max = 0;
        for (int z = 0; z < shape.Nz; z++)
        {
            double kz = FourierIndex.Frequency(z, shape.Nz) * rz;
            for (int y = 0; y < shape.Ny; y++)
            {
                double ky = FourierIndex.Frequency(y, shape.Ny) * ry;
                double r2 = (kz * kz) + (ky * ky);
                int row = ((z * shape.Ny) + y) * hx;
                for (int x = 0; x < hx; x++)
                {
                    int s = (int)Math.Round(Math.Sqrt(r2 + ((double)x * x)), MidpointRounding.AwayFromZero);
                    shellOf[row + x] = s;
                    max = Math.Max(max, s);
                }
            }
        }

        ShellCount = max + 1;
    }

    /// <summary>The real-space grid whose spectrum is indexed.</summary>
    public GridShape Shape { get; }

    /// <summary>Number of shells including the corner ones beyond Nyquist.</summary>
    public int ShellCount { get; }

    /// <summary>The last shell inside Nyquist: Nx/2.</summary>
    public int NyquistShell => Shape.Nx / 2;

    /// <summary>Shell index of every half-complex element, in storage order.</summary>
    public ReadOnlySpan<int> ShellOfElement => shellOf;

    /// <summary>Spatial frequency of shell s in 1/Å for a pixel size in Å.</summary>
    public double Frequency(int shell, double pixelSizeA) => shell / (Shape.Nx * pixelSizeA);

    /// <summary>Resolution of shell s in Å (infinite for shell 0).</summary>
    public double Resolution(int shell, double pixelSizeA) =>
        shell == 0 ? double.PositiveInfinity : Shape.Nx * pixelSizeA / shell;

    /// <summary>
    /// Mean of |F|² per shell over the full spectrum (half-complex elements weighted by their multiplicity):
    /// the radial power spectrum. Length <see cref="ShellCount"/>.
    /// </summary>
    public double[] RadialPower(ReadOnlySpan<ComplexF> spectrum)
    {
        var sum = new double[ShellCount];
        var count = new double[ShellCount];
        int hx = Shape.HalfNx;
        for (int i = 0; i < shellOf.Length; i++)
        {
            int w = FourierIndex.HalfComplexMultiplicity(i % hx, Shape.Nx);
            sum[shellOf[i]] += w * (double)spectrum[i].MagnitudeSquared;
            count[shellOf[i]] += w;
        }

        for (int s = 0; s < sum.Length; s++)
        {
            sum[s] = count[s] > 0 ? sum[s] / count[s] : 0;
        }

        return sum;
    }
}
