using static TorchSharp.torch;

namespace CryoSharp.Learning.Mra;

/// <summary>
/// Errors up to the cyclic shift that the moments cannot see: shifting the signal by s and the distribution by −s leaves
/// M¹ = Σₛ ρₛRₛx and M² unchanged, so the estimate (x̂, ρ̂) is compared with (Rₛx, R₋ₛρ) at the shift s that fits the
/// signal best, and the errors are relative L2: ‖x̂ − Rₛx‖/‖x‖ and ‖ρ̂ − Rₛρ‖/‖ρ‖ (the paper's
/// definitions). The training loss is the smallest over s of the sum of both relative squared errors.
/// </summary>
public static class MraOrbitErrors
{
    /// <summary>Per instance [B]: (signal error, ρ error) at the signal's best shift.</summary>
    public static (Tensor Signal, Tensor Rho) Errors(Tensor signal, Tensor rho, Tensor trueSignal, Tensor trueRho)
    {
        using var scope = NewDisposeScope();
        var (dv, dr) = Distances(signal, rho, trueSignal, trueRho);
        var best = dv.argmin(1, keepdim: true);
        var signalError = (dv.gather(1, best).squeeze(1) / trueSignal.square().sum(1)).sqrt();
        var rhoError = (dr.gather(1, best).squeeze(1) / trueRho.square().sum(1)).sqrt();
        return (signalError.MoveToOuterDisposeScope(), rhoError.MoveToOuterDisposeScope());
    }

    /// <summary>Mean over the batch of minₛ (‖x̂ − Rₛx‖²/‖x‖² + ‖ρ̂ − Rₛρ‖²/‖ρ‖²).</summary>
    public static Tensor Loss(Tensor signal, Tensor rho, Tensor trueSignal, Tensor trueRho)
    {
        using var scope = NewDisposeScope();
        var (dv, dr) = Distances(signal, rho, trueSignal, trueRho);
        var total = (dv / trueSignal.square().sum(1, keepdim: true)) + (dr / trueRho.square().sum(1, keepdim: true));
        return total.min(1).values.mean().MoveToOuterDisposeScope();
    }

    // [B, L]: squared distances to every shift of the truth.
    private static (Tensor Signal, Tensor Rho) Distances(Tensor signal, Tensor rho, Tensor trueSignal, Tensor trueRho)
    {
        var shiftedSignal = MraMomentModel.Shifted(trueSignal);
        var shiftedRho = MraMomentModel.Shifted(trueRho, backwards: true);
        var dv = (shiftedSignal - signal.unsqueeze(1)).square().sum(2);
        var dr = (shiftedRho - rho.unsqueeze(1)).square().sum(2);
        return (dv, dr);
    }
}
