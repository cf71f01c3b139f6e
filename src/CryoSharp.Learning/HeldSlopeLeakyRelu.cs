using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CryoSharp.Learning;

/// <summary>
/// LeakyReLU with its slope held as one <see cref="Scalar"/> for the module's life. TorchSharp's own LeakyReLU (0.107)
/// converts its slope to a new Scalar on every call and hands libtorch only the handle, so the garbage collector may
/// finalise that Scalar while libtorch still reads it: a training run failed so, with a corrupt-Scalar error from
/// libtorch, after 75 epochs. No parameters, so checkpoints are the same as with TorchSharp's module.
/// </summary>
public sealed class HeldSlopeLeakyRelu : Module<Tensor, Tensor>
{
    private readonly Scalar slope;

    /// <summary>max(x, 0) + slope·min(x, 0).</summary>
    public HeldSlopeLeakyRelu(double negativeSlope)
        : base("LeakyReLU")
    {
        NegativeSlope = negativeSlope;
        slope = negativeSlope.ToScalar();
    }

    /// <summary>The slope for negative inputs.</summary>
    public double NegativeSlope { get; }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var result = input.leaky_relu(slope);
        GC.KeepAlive(slope);
        return result;
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            slope.Dispose();
        }

        base.Dispose(disposing);
    }
}
