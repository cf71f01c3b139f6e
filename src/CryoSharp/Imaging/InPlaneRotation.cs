namespace CryoSharp.Imaging;

/// <summary>
/// Rotation of an image about its centre n/2 by an in-plane angle ψ, with the sense of RELION's third Euler
/// angle: rotating the projection at (rot, tilt, 0) by ψ gives the projection at (rot, tilt, ψ). That is,
/// out(x) = in(R(ψ)ᵀx) with R(ψ) = [[cos ψ, sin ψ], [−sin ψ, cos ψ]]. Bilinear interpolation; pixels that come
/// from outside the box are 0.
/// </summary>
public static class InPlaneRotation
{
    /// <summary>The image rotated by <paramref name="psiRad"/> radians.</summary>
    public static Image Rotate(Image image, double psiRad)
    {
        ArgumentNullException.ThrowIfNull(image);
        var result = new Image(image.Nx, image.Ny, image.PixelSizeA);
        Rotate(image.Data, image.Nx, image.Ny, psiRad, result.Data);
        return result;
    }

    /// <summary>Rotates <paramref name="source"/> (nx × ny) into <paramref name="destination"/>.</summary>
    public static void Rotate(ReadOnlySpan<float> source, int nx, int ny, double psiRad, Span<float> destination)
    {
        var (s, c) = Math.SinCos(psiRad);
        int cx = nx / 2, cy = ny / 2;
        for (int y = 0; y < ny; y++)
        {
            double dy = y - cy;
            for (int x = 0; x < nx; x++)
            {
                double dx = x - cx;

                // R(ψ)ᵀ·(dx, dy) = (c·dx − s·dy, s·dx + c·dy)
                double sx = (c * dx) - (s * dy) + cx, sy = (s * dx) + (c * dy) + cy;
                destination[(y * nx) + x] = Bilinear(source, nx, ny, sx, sy);
            }
        }
    }

    private static float Bilinear(ReadOnlySpan<float> source, int nx, int ny, double x, double y)
    {
        int x0 = (int)Math.Floor(x), y0 = (int)Math.Floor(y);
        double fx = x - x0, fy = y - y0, sum = 0;
        for (int dy = 0; dy < 2; dy++)
        {
            int yi = y0 + dy;
            if (yi < 0 || yi >= ny)
            {
                continue;
            }

            for (int dx = 0; dx < 2; dx++)
            {
                int xi = x0 + dx;
                if (xi >= 0 && xi < nx)
                {
                    sum += (dx == 0 ? 1 - fx : fx) * (dy == 0 ? 1 - fy : fy) * source[(yi * nx) + xi];
                }
            }
        }

        return (float)sum;
    }
}
