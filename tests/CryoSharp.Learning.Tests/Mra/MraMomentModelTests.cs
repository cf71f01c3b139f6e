using CryoSharp.Learning.Mra;
using CryoSharp.Moments;
using CryoSharp.Numerics;
using TorchSharp;
using static TorchSharp.torch;

namespace CryoSharp.Learning.Tests.Mra;

public class MraMomentModelTests
{
    [Fact]
    public void TheMomentsAreThoseOfTheSampler()
    {
        TorchFixture.Ready();
        const int l = 11;
        var signal = MraSignal.GaussianMixture(l, 2, new SeedSequence(1));
        var rho = ShiftDistribution.GaussianMixture(l, 2, new SeedSequence(2)).Probabilities;
        var (m1, m2) = MraMomentSampler.Sample(signal, new ShiftDistribution(rho), 1L << 50, 0, new SeedSequence(3));
        using var x = TensorConversion.FromDoubles(signal, [1, l], ScalarType.Float64);
        using var p = TensorConversion.FromDoubles(rho, [1, l], ScalarType.Float64);
        var (first, second) = MraMomentModel.Moments(x, p);
        var a = TensorConversion.ToDoubles(first);
        var b = TensorConversion.ToDoubles(second);
        for (int i = 0; i < l; i++)
        {
            Assert.Equal(m1[i], a[i], 1e-6);
        }

        for (int i = 0; i < l * l; i++)
        {
            Assert.Equal(m2[i], b[i], 1e-6);
        }
    }

    [Fact]
    public void TheMomentLossGradientMatchesFiniteDifferences()
    {
        // In double precision: autograd's gradient of ‖M̂¹ − M¹‖ + λ‖M̂² − M²‖ in x and in ρ's logits, against central differences.
        TorchFixture.Ready();
        const int l = 9;
        const double lambda = 0.7, h = 1e-6;
        var (m1, m2) = MraMomentSampler.Sample(MraSignal.GaussianMixture(l, 3, new SeedSequence(4)),
            new ShiftDistribution(ShiftDistribution.GaussianMixture(l, 2, new SeedSequence(5)).Probabilities), 10_000, 0.5, new SeedSequence(6));
        using var target1 = TensorConversion.FromDoubles(m1, [1, l], ScalarType.Float64);
        using var target2 = TensorConversion.FromDoubles(m2, [1, l, l], ScalarType.Float64);
        var random = new SeedSequence(7).CreateStream();
        var x0 = Enumerable.Range(0, l).Select(_ => random.NextGaussian()).ToArray();
        var a0 = Enumerable.Range(0, l).Select(_ => random.NextGaussian()).ToArray();
        double Value(double[] x, double[] a)
        {
            using var scope = NewDisposeScope();
            var xs = TensorConversion.FromDoubles(x, [1, l], ScalarType.Float64);
            var rho = TensorConversion.FromDoubles(a, [1, l], ScalarType.Float64).softmax(1);
            return MraPriorRefinement.Loss(xs, rho, target1, target2, lambda).item<double>();
        }

        using var xt = TensorConversion.FromDoubles(x0, [1, l], ScalarType.Float64).requires_grad_();
        using var at = TensorConversion.FromDoubles(a0, [1, l], ScalarType.Float64).requires_grad_();
        using var loss = MraPriorRefinement.Loss(xt, at.softmax(1), target1, target2, lambda);
        loss.backward();
        var gx = TensorConversion.ToDoubles(xt.grad!);
        var ga = TensorConversion.ToDoubles(at.grad!);
        double worst = 0;
        for (int i = 0; i < l; i++)
        {
            var xp = (double[])x0.Clone();
            var xm = (double[])x0.Clone();
            xp[i] += h;
            xm[i] -= h;
            worst = Math.Max(worst, Math.Abs(((Value(xp, a0) - Value(xm, a0)) / (2 * h)) - gx[i]));
            var ap = (double[])a0.Clone();
            var am = (double[])a0.Clone();
            ap[i] += h;
            am[i] -= h;
            worst = Math.Max(worst, Math.Abs(((Value(x0, ap) - Value(x0, am)) / (2 * h)) - ga[i]));
        }

        Assert.True(worst < 1e-7, $"largest gradient difference {worst:E2}");
    }
}
