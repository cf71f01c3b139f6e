using System.Numerics;
using CryoSharp.Numerics;

namespace CryoSharp.Tests.Support;

/// <summary>
/// The discrete Fourier transform by its definition, in double precision, origin at index 0: the slow reference
/// the FFT is checked against. Multi-dimensional transforms apply the 1D definition along each axis in turn.
/// </summary>
public static class ReferenceDft
{
    /// <summary>X[k] = Σₓ x[n]·e^{∓2πi k·n/N} along every axis (sign −1 forward, +1 inverse; unscaled).</summary>
    public static Complex[] Transform(Complex[] data, GridShape shape, int sign)
    {
        var result = (Complex[])data.Clone();
        AlongAxis(result, shape, shape.Nx, 1, sign);
        AlongAxis(result, shape, shape.Ny, shape.Nx, sign);
        AlongAxis(result, shape, shape.Nz, shape.Nx * shape.Ny, sign);
        return result;
    }

    private static void AlongAxis(Complex[] data, GridShape shape, int n, int stride, int sign)
    {
        if (n == 1)
        {
            return;
        }

        var line = new Complex[n];
        var twiddle = new Complex[n];
        for (int k = 0; k < n; k++)
        {
            twiddle[k] = Complex.FromPolarCoordinates(1, sign * 2 * Math.PI * k / n);
        }

        for (int start = 0; start < shape.Length; start++)
        {
            // A line starts where its index along this axis is zero.
            if ((start / stride) % n != 0)
            {
                continue;
            }

            for (int k = 0; k < n; k++)
            {
                Complex sum = 0;
                for (int j = 0; j < n; j++)
                {
                    sum += data[start + (j * stride)] * twiddle[(int)((long)k * j % n)];
                }

                line[k] = sum;
            }

            for (int k = 0; k < n; k++)
            {
                data[start + (k * stride)] = line[k];
            }
        }
    }
}
