using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CryoSharp.Learning;

/// <summary>
/// Adam (Kingma and Ba; PyTorch's update without weight decay or AMSGrad) with every scalar of the update held as a
/// <see cref="Scalar"/> until libtorch has used it. TorchSharp's own <c>optim.Adam</c> (0.107) turns β, 1 − β and the
/// step size into new Scalars on every call and hands libtorch only their handles, so the garbage collector may
/// finalise one while libtorch still reads it; a Learning test failed so, inside <c>Adam.step</c>, with libtorch's
/// corrupt-Scalar error ("Expected false to be true" from <c>Scalar::toFloat</c>), about once in twenty runs.
/// The same numbers as <c>optim.Adam</c> (tested); the learning rate can be changed between steps for a schedule.
/// </summary>
public sealed class HeldScalarAdam : IDisposable
{
    private readonly Parameter[] parameters;
    private readonly Tensor[] firstMoments;
    private readonly Tensor[] secondMoments;
    private readonly double beta1;
    private readonly double beta2;
    private readonly Scalar beta1Scalar;
    private readonly Scalar beta2Scalar;
    private readonly Scalar oneMinusBeta1;
    private readonly Scalar oneMinusBeta2;
    private readonly Scalar epsilon;
    private long steps;

    /// <summary>Adam over <paramref name="parameters"/> with PyTorch's defaults β = (0.9, 0.999), ε = 1e-8.</summary>
    public HeldScalarAdam(IEnumerable<Parameter> parameters, double learningRate, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        this.parameters = [.. parameters];
        LearningRate = learningRate;
        this.beta1 = beta1;
        this.beta2 = beta2;
        beta1Scalar = beta1.ToScalar();
        beta2Scalar = beta2.ToScalar();
        oneMinusBeta1 = (1 - beta1).ToScalar();
        oneMinusBeta2 = (1 - beta2).ToScalar();
        this.epsilon = epsilon.ToScalar();
        using var noGrad = no_grad();
        firstMoments = [.. this.parameters.Select(p => zeros_like(p))];
        secondMoments = [.. this.parameters.Select(p => zeros_like(p))];
    }

    /// <summary>The learning rate of the next step.</summary>
    public double LearningRate { get; set; }

    /// <summary>Clears the gradients of the parameters (before the next backward pass).</summary>
    public void ZeroGrad()
    {
        using var scope = NewDisposeScope();
        foreach (var p in parameters)
        {
            p.grad?.zero_();
        }
    }

    /// <summary>One Adam update of every parameter that has a gradient.</summary>
    public void Step()
    {
        steps++;
        double correction1 = 1 - Math.Pow(beta1, steps), correction2 = 1 - Math.Pow(beta2, steps);
        using var rootCorrection2 = Math.Sqrt(correction2).ToScalar();
        using var stepSize = (-LearningRate / correction1).ToScalar();
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        for (int i = 0; i < parameters.Length; i++)
        {
            var grad = parameters[i].grad;
            if (grad is null)
            {
                continue;
            }

            // In place, in PyTorch's order: m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g², p ← p − (lr/c₁)·m/(√v/√c₂ + ε).
            firstMoments[i].mul_(beta1Scalar).add_(grad, oneMinusBeta1);
            secondMoments[i].mul_(beta2Scalar).addcmul_(grad, grad, oneMinusBeta2);
            var denominator = secondMoments[i].sqrt().div_(rootCorrection2).add_(epsilon);
            parameters[i].addcdiv_(firstMoments[i], denominator, stepSize);
        }

        GC.KeepAlive(beta1Scalar);
        GC.KeepAlive(beta2Scalar);
        GC.KeepAlive(oneMinusBeta1);
        GC.KeepAlive(oneMinusBeta2);
        GC.KeepAlive(epsilon);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var t in firstMoments.Concat(secondMoments))
        {
            t.Dispose();
        }

        beta1Scalar.Dispose();
        beta2Scalar.Dispose();
        oneMinusBeta1.Dispose();
        oneMinusBeta2.Dispose();
        epsilon.Dispose();
    }
}
