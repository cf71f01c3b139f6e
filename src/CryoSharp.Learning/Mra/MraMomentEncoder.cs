using CryoSharp.Moments;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CryoSharp.Learning.Mra;

/// <summary>Architecture of an <see cref="MraMomentEncoder"/>.</summary>
/// <param name="Length">L, points of the signal.</param>
/// <param name="Channels">c, channels of the convolutions.</param>
/// <param name="Window">w (odd), the convolutions' window.</param>
/// <param name="Hidden">Width of the fully connected layers.</param>
/// <param name="BranchChannels">Channels each branch ends in before the stacking (the paper: 3).</param>
/// <param name="TrunkLayers">Convolutions after the stacking (at least 1).</param>
public sealed record MraEncoderShape(int Length, int Channels, int Window, int Hidden, int BranchChannels = 3, int TrunkLayers = 2)
{
    /// <summary>The architecture a saved model's settings give.</summary>
    public static MraEncoderShape Of(MraPriorModelFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        return new(file.Length, file.Channels, file.Window, file.Hidden, file.BranchChannels, file.TrunkLayers);
    }
}

/// <summary>
/// The MRA moment encoder of Khoo, Paul and Sharon (2023, appendix), as we read it: two 1D CNN branches with periodic
/// padding, one on M̂¹ (1 channel on L points), one on M̂² (its L rows as L channels on L points), each two conv1D layers
/// (window w, c channels, LeakyReLU(0.02)) ending in b channels (the paper: 3); stacked into 2b channels; more conv1D
/// layers (2 by default); then
/// two fully connected heads (tanh, then linear): z_ρ, a softmax density on the L points, and z_v, the signal's
/// Fourier coefficients (⌊L/2⌋ + 1 complex values), turned into the signal by the inverse real DFT. Periodic
/// convolutions commute with cyclic shifts, as the moments' symmetry asks, up to the fully connected heads.
/// </summary>
public sealed class MraMomentEncoder : Module<Tensor, Tensor, (Tensor Signal, Tensor Rho)>
{
    private readonly Sequential first;
    private readonly Sequential second;
    private readonly Sequential trunk;
    private readonly Sequential rhoHead;
    private readonly Sequential signalHead;
    private readonly int length;

    /// <summary>A fresh encoder (weights from torch's generator: seed it first).</summary>
    public MraMomentEncoder(MraEncoderShape shape)
        : base(nameof(MraMomentEncoder))
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (shape.Window % 2 == 0 || shape.Window < 1)
        {
            throw new ArgumentException("the window must be odd", nameof(shape));
        }

        Shape = shape;
        length = shape.Length;
        int c = shape.Channels, w = shape.Window, l = shape.Length, pad = w / 2;
        static HeldSlopeLeakyRelu Activation() => new(0.02);
        Module<Tensor, Tensor> Conv(long input, long output) => Conv1d(input, output, w, padding: pad, padding_mode: PaddingModes.Circular);
        int b = shape.BranchChannels;
        first = Sequential(Conv(1, c), Activation(), Conv(c, b), Activation());
        second = Sequential(Conv(l, c), Activation(), Conv(c, b), Activation());
        trunk = Sequential();
        for (int layer = 0; layer < shape.TrunkLayers; layer++)
        {
            trunk.append(Conv(layer == 0 ? 2 * b : c, c));
            trunk.append(Activation());
        }

        trunk.append(Flatten());
        rhoHead = Sequential(Linear(c * l, shape.Hidden), Tanh(), Linear(shape.Hidden, l));
        signalHead = Sequential(Linear(c * l, shape.Hidden), Tanh(), Linear(shape.Hidden, 2 * ((l / 2) + 1)));
        RegisterComponents();
    }

    /// <summary>The architecture.</summary>
    public MraEncoderShape Shape { get; }

    /// <summary>(signal [B, L], ρ [B, L]) from M̂¹ [B, L] and M̂² [B, L, L].</summary>
    public override (Tensor Signal, Tensor Rho) forward(Tensor firstMoment, Tensor secondMoment)
    {
        ArgumentNullException.ThrowIfNull(firstMoment);
        ArgumentNullException.ThrowIfNull(secondMoment);
        using var a = first.call(firstMoment.unsqueeze(1));
        using var b = second.call(secondMoment);
        using var stacked = cat([a, b], 1);
        using var features = trunk.call(stacked);
        var rho = functional.softmax(rhoHead.call(features), 1);
        using var fourier = signalHead.call(features).reshape(-1, (length / 2) + 1, 2);
        using var coefficients = complex(fourier.select(2, 0), fourier.select(2, 1));
        var signal = fft.irfft(coefficients, length, 1);
        return (signal, rho);
    }
}
