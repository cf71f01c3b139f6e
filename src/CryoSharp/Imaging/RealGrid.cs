using CryoSharp.Numerics;
using CryoSharp.Numerics.Fft;

namespace CryoSharp.Imaging;

/// <summary>
/// A real-space image or volume: one contiguous row-major <c>float[]</c> (x fastest), its shape and its pixel
/// size in Å. The origin (centre of rotation) is the sample at index n/2 on every axis.
/// </summary>
public abstract class RealGrid
{
    /// <summary>Wraps <paramref name="data"/> (not copied), or allocates zeros when it is null.</summary>
    protected RealGrid(GridShape shape, double pixelSizeA, float[]? data)
    {
        InvalidParameterException.ThrowIfNotPositive("pixel size (Å)", pixelSizeA);

        data ??= new float[shape.Length];
        if (data.Length != shape.Length)
        {
            throw new ArgumentException($"Data holds {data.Length} samples; shape {shape} needs {shape.Length}.");
        }

        Shape = shape;
        PixelSizeA = pixelSizeA;
        Data = data;
    }

    /// <summary>The grid's shape.</summary>
    public GridShape Shape { get; }

    /// <summary>Pixel (voxel) size in Å.</summary>
    public double PixelSizeA { get; }

    /// <summary>The samples, row-major with x fastest.</summary>
    public float[] Data { get; }

    /// <summary>Always <see cref="GridDomain.Real"/>.</summary>
    public GridDomain Domain => GridDomain.Real;

    /// <summary>Samples along x.</summary>
    public int Nx => Shape.Nx;

    /// <summary>Samples along y.</summary>
    public int Ny => Shape.Ny;

    /// <summary>The samples as a span.</summary>
    public Span<float> Span => Data;

    /// <summary>Min, max, mean and standard deviation of the samples.</summary>
    public SampleStatistics Statistics() => SampleStatistics.Of(Data);

    /// <summary>An <see cref="Image"/> for a 1D or 2D shape, a <see cref="Volume"/> for a 3D one.</summary>
    public static RealGrid Create(GridShape shape, double pixelSizeA, float[]? data = null) => shape.Rank == 3
        ? new Volume(shape.Nx, shape.Ny, shape.Nz, pixelSizeA, data)
        : new Image(shape.Nx, shape.Ny, pixelSizeA, data);

    /// <summary>The half-complex Fourier transform (forward, unscaled, origin moved from n/2 to 0).</summary>
    public FourierGrid ToFourier()
    {
        var result = new FourierGrid(Shape, PixelSizeA);
        Fft.Forward(Data, Shape, result.Data);
        return result;
    }
}
