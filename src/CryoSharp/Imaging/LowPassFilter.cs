using CryoSharp.Numerics;

namespace CryoSharp.Imaging;

/// <summary>A low-pass filter on maps: frequencies beyond 1/resolution removed with a raised-cosine edge one shell wide.</summary>
public static class LowPassFilter
{
    /// <summary>
    /// The map with shells s ≤ c − 1 kept, s ≥ c removed and a cosine between (c = box × pixel size / resolution).
    /// <paramref name="option"/> names the setting in the error when the resolution is not positive.
    /// </summary>
    public static Volume Apply(Volume map, double resolutionA, string option = "resolution")
    {
        ArgumentNullException.ThrowIfNull(map);
        InvalidParameterException.ThrowIfNotPositive(option, resolutionA);
        var spectrum = map.ToFourier();
        var shells = new FourierShells(map.Shape);
        double cutoff = map.Nx * map.PixelSizeA / resolutionA;
        var shellOf = shells.ShellOfElement;
        for (int i = 0; i < spectrum.Data.Length; i++)
        {
            double s = shellOf[i];
            double w = s <= cutoff - 1 ? 1 : s >= cutoff ? 0 : 0.5 + (0.5 * Math.Cos(Math.PI * (s - (cutoff - 1))));
            spectrum.Data[i] = new ComplexF((float)(spectrum.Data[i].Re * w), (float)(spectrum.Data[i].Im * w));
        }

        return (Volume)spectrum.ToReal();
    }
}
