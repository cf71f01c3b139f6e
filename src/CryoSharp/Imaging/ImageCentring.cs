namespace CryoSharp.Imaging;

/// <summary>
/// Centring of an image on its centre of mass (of the positive density, in pixels), by a sub-pixel Fourier shift
/// that puts it at the box centre (n/2, n/2): what RELION does to class averages between iterations, and what
/// removes the freedom to move a target inside its box that estimates without picking otherwise have.
/// </summary>
public static class ImageCentring
{
    /// <summary>The centre of mass (x, y) of the positive pixels; the box centre when there are none.</summary>
    public static (double X, double Y) CentreOfMass(Image image)
    {
        ArgumentNullException.ThrowIfNull(image);
        double sum = 0, x = 0, y = 0;
        for (int j = 0; j < image.Ny; j++)
        {
            for (int i = 0; i < image.Nx; i++)
            {
                double d = image.Data[(j * image.Nx) + i];
                if (d > 0)
                {
                    sum += d;
                    x += d * i;
                    y += d * j;
                }
            }
        }

        return sum > 0 ? (x / sum, y / sum) : (image.Nx / 2, image.Ny / 2);
    }

    /// <summary>Shifts <paramref name="image"/> (square) in place so its centre of mass is at the box centre; returns the shift (dx, dy) in pixels.</summary>
    public static (double Dx, double Dy) Centre(Image image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var (x, y) = CentreOfMass(image);
        double dx = (image.Nx / 2) - x, dy = (image.Ny / 2) - y;
        if (Math.Abs(dx) > 1e-6 || Math.Abs(dy) > 1e-6)
        {
            FourierShift.Apply(image, dx, dy);
        }

        return (dx, dy);
    }
}
