namespace CryoSharp.Numerics;

/// <summary>
/// Moves the origin of a grid between index n/2 (cryo-EM's centre, conventions.md) and index 0 (the DFT's),
/// for odd and even lengths alike: <see cref="IfftShift{T}"/> brings index n/2 to 0, <see cref="FftShift{T}"/>
/// takes index 0 to n/2.
/// </summary>
public static class Centering
{
    /// <summary>destination = ifftshift(source): the sample at index n/2 of every axis goes to index 0.</summary>
    public static void IfftShift<T>(ReadOnlySpan<T> source, Span<T> destination, GridShape shape) where T : unmanaged =>
        Roll(source, destination, shape, shape.Nx / 2, shape.Ny / 2, shape.Nz / 2);

    /// <summary>destination = fftshift(source): the sample at index 0 of every axis goes to index n/2.</summary>
    public static void FftShift<T>(ReadOnlySpan<T> source, Span<T> destination, GridShape shape) where T : unmanaged =>
        Roll(source, destination, shape, shape.Nx - (shape.Nx / 2), shape.Ny - (shape.Ny / 2), shape.Nz - (shape.Nz / 2));

    /// <summary>
    /// destination[x, y, z] = source[(x + ox) mod nx, (y + oy) mod ny, (z + oz) mod nz]; source and destination
    /// must not overlap.
    /// </summary>
    public static void Roll<T>(ReadOnlySpan<T> source, Span<T> destination, GridShape shape, int ox, int oy, int oz)
        where T : unmanaged
    {
        int nx = shape.Nx, ny = shape.Ny, nz = shape.Nz;
        if (source.Length < shape.Length || destination.Length < shape.Length)
        {
            throw new ArgumentException($"Buffers shorter than the grid {shape}.");
        }

        ox = Mod(ox, nx);
        oy = Mod(oy, ny);
        oz = Mod(oz, nz);
        int head = nx - ox;
        for (int z = 0; z < nz; z++)
        {
            int sz = z + oz < nz ? z + oz : z + oz - nz;
            for (int y = 0; y < ny; y++)
            {
                int sy = y + oy < ny ? y + oy : y + oy - ny;
                var src = source.Slice(((sz * ny) + sy) * nx, nx);
                var dst = destination.Slice(((z * ny) + y) * nx, nx);
                src.Slice(ox, head).CopyTo(dst);
                src[..ox].CopyTo(dst[head..]);
            }
        }
    }

    private static int Mod(int a, int n) => ((a % n) + n) % n;
}
