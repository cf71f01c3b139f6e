using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CryoSharp.Learning.Tests;

public sealed class HeldScalarAdamTests
{
    [Fact]
    public void ItTakesTheSameStepsAsTorchSharpsAdamThroughAScheduleChange()
    {
        // Two copies of one small network in float64, the same data: 30 steps each, the rate cut after 15 (as the
        // trainers' schedules do); the weights must agree to rounding.
        TorchFixture.Ready();
        torch.random.manual_seed(5);
        using var ours = Sequential(Linear(6, 8), Tanh(), Linear(8, 3));
        ours.to(float64);
        using var theirs = Sequential(Linear(6, 8), Tanh(), Linear(8, 3));
        theirs.to(float64);
        theirs.load_state_dict(ours.state_dict());
        using var x = randn(16, 6, float64);
        using var target = randn(16, 3, float64);
        using var held = new HeldScalarAdam(ours.parameters(), 0.01);
        using var reference = optim.Adam(theirs.parameters(), 0.01);
        for (int step = 0; step < 30; step++)
        {
            using var scope = NewDisposeScope();
            double rate = step < 15 ? 0.01 : 0.001;
            held.LearningRate = rate;
            foreach (var group in reference.ParamGroups)
            {
                group.LearningRate = rate;
            }

            held.ZeroGrad();
            (ours.call(x) - target).square().mean().backward();
            held.Step();
            reference.zero_grad();
            (theirs.call(x) - target).square().mean().backward();
            reference.step();
        }

        double worst = 0, moved = 0;
        foreach (var (a, b) in ours.parameters().Zip(theirs.parameters()))
        {
            worst = Math.Max(worst, (a - b).abs().max().item<double>());
            moved = Math.Max(moved, a.abs().max().item<double>());
        }

        Assert.True(worst < 1e-12, $"the weights differ by {worst:e2}");
        Assert.True(moved > 0.05, "the weights did not move");
    }

    [Fact]
    public void ItSkipsParametersWithoutAGradient()
    {
        TorchFixture.Ready();
        using var a = new TorchSharp.Modules.Parameter(ones(3, float64));
        using var b = new TorchSharp.Modules.Parameter(ones(3, float64));
        using var adam = new HeldScalarAdam([a, b], 0.1);
        (a * a).sum().backward();
        adam.Step();
        Assert.All(a.data<double>().ToArray(), v => Assert.Equal(0.9, v, 1e-9));
        Assert.Equal(new[] { 1.0, 1.0, 1.0 }, b.data<double>().ToArray());
    }
}
