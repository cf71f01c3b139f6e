using System.Diagnostics;
using CryoSharp.Moments;
using TorchSharp;
using static TorchSharp.torch;

namespace CryoSharp.Learning.Mra;

/// <summary>
/// Unsupervised refinement through the network (Khoo, Paul and Sharon 2023): the encoder's weights, pre-trained or
/// fresh, are moved by Adam to minimise ‖M̂¹ − M¹[z_v, z_ρ]‖ + λ‖M̂² − M²[z_v, z_ρ]‖ (Frobenius norms, not squared), where
/// (z_v, z_ρ) is the network's output for these moments: the network is a parametrisation of (x, ρ) whose inductive
/// bias (and, pre-trained, whose starting point) helps the fit.
/// </summary>
public static class MraPriorRefinement
{
    /// <summary>Refines and returns the estimate with its recorded curve.</summary>
    public static MraNeuralPriorSolution Solve(MraNeuralPriorSolveOptions options, IProgress<MraPriorStep>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var file = MraPriorModelFile.Read(options.Model);
        int l = file.Length;
        if (options.FirstMoment.Length != l || options.SecondMoment.Length != l * l)
        {
            throw new InvalidParameterException("moments", options.FirstMoment.Length, $"must be of length {l} (and {l}² for M²), the model's");
        }

        if (options.Iterations < 0)
        {
            throw new InvalidParameterException("--unsupervised-iterations", options.Iterations, "must not be negative");
        }

        TorchRuntime.Initialise(options.Threads);
        var clock = Stopwatch.StartNew();
        TorchRuntime.Seed(options.Seeds.Spawn("weights"));
        using var model = new MraMomentEncoder(MraEncoderShape.Of(file));
        if (options.Pretrained)
        {
            model.load(options.Model);
        }

        using var m1 = TensorConversion.FromDoubles(options.FirstMoment, [1, l]);
        using var m2 = TensorConversion.FromDoubles(options.SecondMoment, [1, l, l]);
        using var trueSignal = options.TrueSignal is null ? null : TensorConversion.FromDoubles(options.TrueSignal, [1, l]);
        using var trueRho = options.TrueRho is null ? null : TensorConversion.FromDoubles(options.TrueRho, [1, l]);
        using var optimizer = new HeldScalarAdam(model.parameters(), options.LearningRate);
        var curve = new List<MraPriorStep>();
        model.train();
        for (int iteration = 0; ; iteration++)
        {
            using var scope = NewDisposeScope();
            optimizer.ZeroGrad();
            var (signal, rho) = model.call(m1, m2);
            var loss = Loss(signal, rho, m1, m2, options.Lambda);
            if (iteration % Math.Max(options.RecordEvery, 1) == 0 || iteration == options.Iterations)
            {
                double signalError = double.NaN, rhoError = double.NaN;
                if (trueSignal is not null && trueRho is not null)
                {
                    using var noGrad = no_grad();
                    var (se, re) = MraOrbitErrors.Errors(signal, rho, trueSignal, trueRho);
                    signalError = se.item<float>();
                    rhoError = re.item<float>();
                }

                var step = new MraPriorStep(iteration, loss.item<float>(), signalError, rhoError);
                curve.Add(step);
                progress?.Report(step);
            }

            if (iteration == options.Iterations)
            {
                var x = TensorConversion.ToDoubles(signal.squeeze(0));
                var p = TensorConversion.ToDoubles(rho.squeeze(0));
                return new MraNeuralPriorSolution(x, p, curve, clock.Elapsed.TotalSeconds);
            }

            loss.backward();
            optimizer.Step();
        }
    }

    /// <summary>‖M̂¹ − M¹[x, ρ]‖ + λ‖M̂² − M²[x, ρ]‖, summed over the batch.</summary>
    public static Tensor Loss(Tensor signal, Tensor rho, Tensor firstMoment, Tensor secondMoment, double lambda)
    {
        using var scope = NewDisposeScope();
        var (first, second) = MraMomentModel.Moments(signal, rho);
        var a = (firstMoment - first).square().sum(1).sqrt();
        var b = (secondMoment - second).square().sum([1, 2]).sqrt();
        using var weight = lambda.ToScalar();
        return (a + (b * weight)).sum().MoveToOuterDisposeScope();
    }
}
