using System.Numerics;

namespace CryoSharp.Moments;

/// <summary>
/// Direct DFTs of short signals in double precision, for the solvers' O(L²) bookkeeping where a plan would cost
/// more than the transform: x̂[k] = Σₜ x[t]e^{−2πikt/L} and its inverse with 1/L.
/// </summary>
public static class SmallDft
{
    /// <summary>The full spectrum of a real signal.</summary>
    public static Complex[] Forward(ReadOnlySpan<double> x)
    {
        int l = x.Length;
        var result = new Complex[l];
        for (int k = 0; k < l; k++)
        {
            double re = 0, im = 0;
            for (int t = 0; t < l; t++)
            {
                var (s, c) = Math.SinCos(-2 * Math.PI * ((long)k * t % l) / l);
                re += x[t] * c;
                im += x[t] * s;
            }

            result[k] = new Complex(re, im);
        }

        return result;
    }

    /// <summary>The real part of the inverse transform (the signal, for a Hermitian spectrum).</summary>
    public static double[] InverseReal(ReadOnlySpan<Complex> spectrum)
    {
        int l = spectrum.Length;
        var result = new double[l];
        for (int t = 0; t < l; t++)
        {
            double s = 0;
            for (int k = 0; k < l; k++)
            {
                var (sin, cos) = Math.SinCos(2 * Math.PI * ((long)k * t % l) / l);
                s += (spectrum[k].Real * cos) - (spectrum[k].Imaginary * sin);
            }

            result[t] = s / l;
        }

        return result;
    }
}
