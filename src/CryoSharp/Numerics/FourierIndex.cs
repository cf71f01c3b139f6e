namespace CryoSharp.Numerics;

/// <summary>
/// Maps between array indices of an FFT output (origin at index 0, wrap-around) and signed frequency indices
/// k ∈ [−n/2, (n−1)/2] (conventions.md). The half-complex fast axis holds k = 0..n/2 only.
/// </summary>
public static class FourierIndex
{
    /// <summary>Signed frequency index of array index <paramref name="index"/> on an axis of n samples.</summary>
    public static int Frequency(int index, int n) => index < (n + 1) / 2 ? index : index - n;

    /// <summary>Array index holding signed frequency <paramref name="k"/> on an axis of n samples.</summary>
    public static int IndexOf(int k, int n) => k >= 0 ? k : k + n;

    /// <summary>True when frequency k is stored on an axis of n samples.</summary>
    public static bool Contains(int k, int n) => k >= -(n / 2) && k <= (n - 1) / 2;

    /// <summary>
    /// How many values of the full spectrum a half-complex element at fast-axis index kx stands for: 1 on the
    /// kx = 0 plane and on the Nyquist plane of an even axis (their conjugates are stored too), 2 elsewhere.
    /// Sums over the half-complex array weighted by this equal sums over the full spectrum.
    /// </summary>
    public static int HalfComplexMultiplicity(int kx, int nx) => kx == 0 || (nx % 2 == 0 && kx == nx / 2) ? 1 : 2;
}
