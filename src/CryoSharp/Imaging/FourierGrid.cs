using CryoSharp.Numerics;
using CryoSharp.Numerics.Fft;

namespace CryoSharp.Imaging;

/// <summary>
/// The half-complex Fourier transform of a real image or volume: <see cref="GridShape.HalfComplexLength"/>
/// complex values (Nx/2+1 on the fast axis), Fourier origin at index 0, frequencies as in
/// <see cref="FourierIndex"/>. <see cref="Shape"/> is the real-space shape it came from.
/// </summary>
public sealed class FourierGrid
{
    /// <summary>Wraps <paramref name="data"/> (not copied), or allocates zeros when it is null.</summary>
    public FourierGrid(GridShape realShape, double pixelSizeA, ComplexF[]? data = null)
    {
        InvalidParameterException.ThrowIfNotPositive("pixel size (Å)", pixelSizeA);

        data ??= new ComplexF[realShape.HalfComplexLength];
        if (data.Length != realShape.HalfComplexLength)
        {
            throw new ArgumentException($"Spectrum holds {data.Length} values; shape {realShape} needs {realShape.HalfComplexLength}.");
        }

        Shape = realShape;
        PixelSizeA = pixelSizeA;
        Data = data;
    }

    /// <summary>Real-space shape of the grid this is the transform of.</summary>
    public GridShape Shape { get; }

    /// <summary>Real-space pixel size in Å.</summary>
    public double PixelSizeA { get; }

    /// <summary>The coefficients, half-complex layout.</summary>
    public ComplexF[] Data { get; }

    /// <summary>Always <see cref="GridDomain.Fourier"/>.</summary>
    public GridDomain Domain => GridDomain.Fourier;

    /// <summary>The coefficient at signed frequency (kx ≥ 0, ky, kz).</summary>
    public ref ComplexF At(int kx, int ky, int kz = 0) =>
        ref Data[(((FourierIndex.IndexOf(kz, Shape.Nz) * Shape.Ny) + FourierIndex.IndexOf(ky, Shape.Ny)) * Shape.HalfNx) + kx];

    /// <summary>The inverse transform (scaled by 1/N) back to a real image or volume.</summary>
    public RealGrid ToReal()
    {
        var data = new float[Shape.Length];
        Fft.Inverse(Data, Shape, data);
        return RealGrid.Create(Shape, PixelSizeA, data);
    }
}
