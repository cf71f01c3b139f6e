using static TorchSharp.torch;

namespace CryoSharp.Learning.Tests;

public sealed class HeldSlopeLeakyReluTests
{
    [Fact]
    public void ItIsLeakyReluInValueAndGradient()
    {
        TorchFixture.Ready();
        using var activation = new HeldSlopeLeakyRelu(0.02);
        using var x = tensor(new[] { -3.0, -0.5, 0.25, 2.0 }, requires_grad: true);
        using var y = activation.call(x);
        Assert.Equal(new[] { -0.06, -0.01, 0.25, 2.0 }, y.data<double>().ToArray(), (a, b) => Math.Abs(a - b) < 1e-12);
        using var total = y.sum();
        total.backward();
        Assert.Equal(new[] { 0.02, 0.02, 1.0, 1.0 }, x.grad!.data<double>().ToArray(), (a, b) => Math.Abs(a - b) < 1e-12);
        Assert.Empty(activation.parameters());
    }
}
