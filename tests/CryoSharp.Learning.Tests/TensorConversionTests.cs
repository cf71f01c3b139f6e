using CryoSharp.Learning;
using TorchSharp;

namespace CryoSharp.Learning.Tests;

public class TensorConversionTests
{
    [Fact]
    public void ArraysGoThroughTensorsUnchangedInRowMajorOrder()
    {
        TorchFixture.Ready();
        var values = Enumerable.Range(0, 12).Select(i => (float)(i * 0.5)).ToArray();
        using var t = TensorConversion.FromFloats(values, 3, 4);
        Assert.Equal(new long[] { 3, 4 }, t.shape);
        Assert.Equal(2.5f, t[1, 1].item<float>());
        Assert.Equal(values, TensorConversion.ToFloats(t));
        var doubles = new[] { 1e-3, -2.25, 3.5, 4 };
        using var d = TensorConversion.FromDoubles(doubles, [2, 2], torch.ScalarType.Float64);
        Assert.Equal(doubles, TensorConversion.ToDoubles(d));
        Assert.Throws<ArgumentException>(() => TensorConversion.FromFloats(values, 5, 2));
    }
}
