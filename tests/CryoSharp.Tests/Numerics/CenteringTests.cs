using CryoSharp.Numerics;

namespace CryoSharp.Tests.Numerics;

public class CenteringTests
{
    [Theory]
    [InlineData(8, 1, 1)]
    [InlineData(7, 1, 1)]
    [InlineData(6, 5, 1)]
    [InlineData(5, 4, 3)]
    public void IfftShiftMovesCentreToOriginAndFftShiftUndoesIt(int nx, int ny, int nz)
    {
        var shape = new GridShape(nx, ny, nz);
        var data = Enumerable.Range(0, shape.Length).Select(i => (float)i).ToArray();
        var shifted = new float[shape.Length];
        Centering.IfftShift<float>(data, shifted, shape);
        Assert.Equal(data[shape.Index(nx / 2, ny / 2, nz / 2)], shifted[0]);
        var back = new float[shape.Length];
        Centering.FftShift<float>(shifted, back, shape);
        Assert.Equal(data, back);
    }

    [Fact]
    public void MatchesNumpyOnOddLength()
    {
        // numpy.fft.ifftshift([0, 1, 2, 3, 4]) = [2, 3, 4, 0, 1]; fftshift = [3, 4, 0, 1, 2].
        float[] data = [0, 1, 2, 3, 4];
        var result = new float[5];
        Centering.IfftShift<float>(data, result, new GridShape(5));
        Assert.Equal([2f, 3, 4, 0, 1], result);
        Centering.FftShift<float>(data, result, new GridShape(5));
        Assert.Equal([3f, 4, 0, 1, 2], result);
    }
}
