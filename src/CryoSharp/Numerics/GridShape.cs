namespace CryoSharp.Numerics;

/// <summary>
/// The shape of a 1D, 2D or 3D sample grid, row-major with x fastest: element (x, y, z) is at
/// <c>(z·Ny + y)·Nx + x</c>. Unused trailing axes have length 1. Also knows the shape of its half-complex
/// (real-to-complex) transform, which keeps <c>Nx/2 + 1</c> values on the fast axis.
/// </summary>
public readonly record struct GridShape
{
    /// <summary>Creates a shape; every axis must be at least 1.</summary>
    public GridShape(int nx, int ny = 1, int nz = 1)
    {
        if (nx < 1 || ny < 1 || nz < 1)
        {
            throw new InvalidParameterException("shape", $"{nx}×{ny}×{nz}", "every axis must have at least one sample");
        }

        if ((long)nx * ny * nz > int.MaxValue / 2)
        {
            throw new InvalidParameterException("shape", $"{nx}×{ny}×{nz}", "more samples than one array can hold");
        }

        Nx = nx;
        Ny = ny;
        Nz = nz;
    }

    /// <summary>Samples along x (the fastest axis).</summary>
    public int Nx { get; }

    /// <summary>Samples along y.</summary>
    public int Ny { get; }

    /// <summary>Samples along z (the slowest axis).</summary>
    public int Nz { get; }

    /// <summary>A square 2D shape.</summary>
    public static GridShape Square(int n) => new(n, n);

    /// <summary>A cubic 3D shape.</summary>
    public static GridShape Cube(int n) => new(n, n, n);

    /// <summary>1, 2 or 3: the index of the last axis longer than one (a 1×1×1 grid counts as 1D).</summary>
    public int Rank => Nz > 1 ? 3 : Ny > 1 ? 2 : 1;

    /// <summary>Number of real samples.</summary>
    public int Length => Nx * Ny * Nz;

    /// <summary>Number of complex values on the fast axis of the half-complex transform: Nx/2 + 1.</summary>
    public int HalfNx => (Nx / 2) + 1;

    /// <summary>Number of complex values of the half-complex transform.</summary>
    public int HalfComplexLength => HalfNx * Ny * Nz;

    /// <summary>The shape of the half-complex array as a grid (HalfNx × Ny × Nz).</summary>
    public GridShape HalfComplex => new(HalfNx, Ny, Nz);

    /// <summary>True when all axes of the grid's rank have equal length.</summary>
    public bool IsSquareOrCubic => Rank switch
    {
        1 => true,
        2 => Nx == Ny,
        _ => Nx == Ny && Ny == Nz,
    };

    /// <summary>Row-major linear index of (x, y, z).</summary>
    public int Index(int x, int y, int z = 0) => (((z * Ny) + y) * Nx) + x;

    /// <summary>The axis lengths, slowest first, as FFTW wants them (length = <see cref="Rank"/>).</summary>
    internal int[] SlowestFirst() => Rank switch
    {
        1 => [Nx],
        2 => [Ny, Nx],
        _ => [Nz, Ny, Nx],
    };

    /// <inheritdoc />
    public override string ToString() => Rank switch
    {
        1 => $"{Nx}",
        2 => $"{Nx}×{Ny}",
        _ => $"{Nx}×{Ny}×{Nz}",
    };
}
