namespace CryoSharp.Detection;

/// <summary>
/// The lags of the third-order autocorrelation of a micrograph for an L × L target. Every triangle of pixels that fits
/// in an L × L window is counted once from its first vertex in reading order (lowest row, then lowest column), so a
/// lag is ℓ = (dy, dx) with 0 ≤ dy &lt; L, |dx| &lt; L and dx &gt; 0 when dy = 0, or ℓ = 0 (index 0); a pair (ℓ₁, ℓ₂) is
/// used when the three pixels 0, ℓ₁, ℓ₂ span fewer than L columns. These are the entries that separated copies produce
/// without cross terms. Lags with dx &lt; 0 matter: with only dx ≥ 0, every triangle whose leftmost and topmost vertices
/// differ is missing, and with it most of what tells a target from its mirror image.
/// </summary>
public sealed class ThirdOrderLags
{
    /// <summary>The lags for a target of <paramref name="targetSize"/> pixels.</summary>
    public ThirdOrderLags(int targetSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(targetSize, 1);
        TargetSize = targetSize;
        var dy = new List<int> { 0 };
        var dx = new List<int> { 0 };
        for (int y = 0; y < targetSize; y++)
        {
            for (int x = -(targetSize - 1); x < targetSize; x++)
            {
                if (y > 0 || x > 0)
                {
                    dy.Add(y);
                    dx.Add(x);
                }
            }
        }

        Dy = [.. dy];
        Dx = [.. dx];
        int n = Dy.Length, used = 0;
        valid = new bool[n * n];
        for (int a = 0; a < n; a++)
        {
            for (int b = 0; b < n; b++)
            {
                int span = Math.Max(0, Math.Max(Dx[a], Dx[b])) - Math.Min(0, Math.Min(Dx[a], Dx[b]));
                valid[(a * n) + b] = span < targetSize;
                used += valid[(a * n) + b] ? 1 : 0;
            }
        }

        UsedEntries = used;
    }

    private readonly bool[] valid;

    /// <summary>L.</summary>
    public int TargetSize { get; }

    /// <summary>Number of lags.</summary>
    public int Count => Dy.Length;

    /// <summary>Row offset of each lag.</summary>
    public int[] Dy { get; }

    /// <summary>Column offset of each lag.</summary>
    public int[] Dx { get; }

    /// <summary>Entries (ℓ₁, ℓ₂) of the Count × Count array that are used, both orders counted.</summary>
    public int UsedEntries { get; }

    /// <summary>Whether the pair (<paramref name="a"/>, <paramref name="b"/>) is used.</summary>
    public bool IsUsed(int a, int b) => valid[(a * Count) + b];
}
