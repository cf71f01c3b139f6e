using static TorchSharp.torch;

namespace CryoSharp.Learning.Mra;

/// <summary>
/// The analytic first two moments of MRA, differentiable in the signal and the shift distribution: for a batch of
/// signals x [B, L] and distributions ρ [B, L], M¹ = Σₛ ρₛ Rₛx [B, L] and M² = Σₛ ρₛ (Rₛx)(Rₛx)ᵀ [B, L, L], with
/// (Rₛx)[t] = x[t − s] (indices mod L), as <see cref="CryoSharp.Moments.MraInvariants"/> measures them.
/// </summary>
public static class MraMomentModel
{
    /// <summary>Rows Rₛx (or R₋ₛx, <paramref name="backwards"/>) for every s: [B, L (s), L (t)].</summary>
    public static Tensor Shifted(Tensor signal, bool backwards = false)
    {
        ArgumentNullException.ThrowIfNull(signal);
        long l = signal.shape[^1];
        using var index = ShiftIndex(l, backwards);
        return signal.index_select(1, index).reshape(signal.shape[0], l, l);
    }

    /// <summary>(M¹ [B, L], M² [B, L, L]).</summary>
    public static (Tensor First, Tensor Second) Moments(Tensor signal, Tensor rho)
    {
        ArgumentNullException.ThrowIfNull(signal);
        ArgumentNullException.ThrowIfNull(rho);
        using var shifted = Shifted(signal);
        var first = rho.unsqueeze(1).matmul(shifted).squeeze(1);
        var second = shifted.transpose(1, 2).matmul(rho.unsqueeze(2) * shifted);
        return (first, second);
    }

    /// <summary>Index [s·L + t] = (t − s) mod L, or (t + s) mod L <paramref name="backwards"/>.</summary>
    public static Tensor ShiftIndex(long l, bool backwards = false)
    {
        long sign = backwards ? -1 : 1;
        var index = new long[l * l];
        for (long s = 0; s < l; s++)
        {
            for (long t = 0; t < l; t++)
            {
                index[(s * l) + t] = (((t - (sign * s)) % l) + l) % l;
            }
        }

        return tensor(index);
    }
}
