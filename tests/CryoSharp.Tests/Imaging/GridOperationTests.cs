using CryoSharp.Imaging;
using CryoSharp.Numerics;

namespace CryoSharp.Tests.Imaging;

public class GridOperationTests
{
    [Theory]
    [InlineData(64, 32)]
    [InlineData(64, 96)]
    [InlineData(33, 20)]
    public void FourierResamplingKeepsConstantsAndRescalesPixelSize(int n, int m)
    {
        var image = new Image(n, n, 2.0);
        Array.Fill(image.Data, 3.5f);
        var result = FourierResampling.Resample(image, m);
        Assert.Equal(m, result.Nx);
        Assert.Equal(2.0 * n / m, result.PixelSizeA, 12);
        Assert.All(result.Data, v => Assert.Equal(3.5f, v, 1e-4f));
    }

    [Fact]
    public void DownThenUpSamplingKeepsABandLimitedVolume()
    {
        // A Gaussian of σ = 4 voxels has no power beyond a quarter of Nyquist: halving the box loses nothing.
        var volume = GaussianVolume(48, 4.0, 1.0);
        var small = FourierResampling.Resample(volume, 24);
        var back = (Volume)FourierResampling.Resample(small, 48);
        double worst = volume.Data.Zip(back.Data, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(worst < 1e-4, $"max error {worst}");

        // And the small map is the same Gaussian sampled at twice the voxel size (σ = 2 voxels there).
        var expected = GaussianVolume(24, 2.0, 2.0);
        double worstSmall = expected.Data.Zip(small.Data, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(worstSmall < 1e-3, $"max error {worstSmall}");
    }

    [Fact]
    public void ToPixelSizePicksAnEvenBox()
    {
        var volume = GaussianVolume(64, 3, 1.5);
        var result = FourierResampling.ToPixelSize(volume, 2.0);
        Assert.Equal(48, result.Nx);
        Assert.Equal(2.0, result.PixelSizeA, 12);
    }

    [Theory]
    [InlineData(64, 40)]
    [InlineData(65, 40)]
    [InlineData(40, 65)]
    [InlineData(31, 32)]
    public void WindowKeepsTheCentre(int n, int m)
    {
        var volume = Volume.Cube(n, 1.0);
        volume[n / 2, n / 2, n / 2] = 7;
        volume[(n / 2) + 3, (n / 2) - 2, (n / 2) + 1] = 5;
        var result = (Volume)RealSpaceWindow.Window(volume, m);
        Assert.Equal(7, result[m / 2, m / 2, m / 2]);
        Assert.Equal(5, result[(m / 2) + 3, (m / 2) - 2, (m / 2) + 1]);
        Assert.Equal(12, result.Data.Sum(), 6);
    }

    [Fact]
    public void WindowPadsWithFillValue()
    {
        var image = new Image(4, 4, 1.0);
        Array.Fill(image.Data, 1f);
        var padded = RealSpaceWindow.Window(image, 8, fill: -2f);
        Assert.Equal(16, padded.Data.Count(v => v == 1f));
        Assert.Equal(48, padded.Data.Count(v => v == -2f));
        Assert.Equal(1f, padded.Data[(4 * 8) + 4]);
    }

    [Fact]
    public void SoftMaskHasFlatCentreCosineEdgeAndZeroOutside()
    {
        var mask = new SphericalMask(GridShape.Square(64), 10, 4);
        float At(int x, int y) => mask.Weights[(y * 64) + x];
        Assert.Equal(1f, At(32, 32));
        Assert.Equal(1f, At(42, 32));
        Assert.Equal(0.5f, At(44, 32), 1e-6f);
        Assert.Equal(0f, At(46, 32));
        Assert.Equal(0f, At(0, 0));
        Assert.Equal(mask.WeightAt(Math.Sqrt(8 * 8 + 9 * 9)), At(40, 41), 1e-6);
        var data = Enumerable.Repeat(2f, 64 * 64).ToArray();
        mask.Apply(data, background: 1f);
        Assert.Equal(2f, data[(32 * 64) + 32]);
        Assert.Equal(1.5f, data[(32 * 64) + 44], 1e-6f);
        Assert.Equal(1f, data[0]);
    }

    [Fact]
    public void BackgroundNormalisationGivesZeroMeanUnitVarianceOutsideTheRadius()
    {
        var shape = GridShape.Square(64);
        var image = new float[shape.Length];
        new RandomStream(3).FillGaussian(image, mean: 5, sigma: 3);
        for (int y = 24; y < 40; y++)
        {
            for (int x = 24; x < 40; x++)
            {
                image[(y * 64) + x] += 100; // a bright particle must not bias the background statistics
            }
        }

        var (mean, std) = BackgroundNormalization.Normalize(image, shape, 20);
        Assert.Equal(5, mean, 0.1);
        Assert.Equal(3, std, 0.1);
        var background = new List<double>();
        for (int y = 0; y < 64; y++)
        {
            for (int x = 0; x < 64; x++)
            {
                if (((x - 32) * (x - 32)) + ((y - 32) * (y - 32)) > 400)
                {
                    background.Add(image[(y * 64) + x]);
                }
            }
        }

        Assert.Equal(0, background.Average(), 1e-4);
        Assert.Equal(1, Math.Sqrt(background.Select(v => v * v).Average()), 1e-4);
        Assert.Throws<InvalidParameterException>(() => BackgroundNormalization.Normalize(image, shape, 100));
    }

    [Fact]
    public void PhantomIsSeededAsymmetricAndInsideTheBox()
    {
        var a = new GaussianBlobPhantom { Seeds = new SeedSequence(5) }.Create(48, 2.0);
        var b = new GaussianBlobPhantom { Seeds = new SeedSequence(5) }.Create(48, 2.0);
        var c = new GaussianBlobPhantom { Seeds = new SeedSequence(6) }.Create(48, 2.0);
        Assert.Equal(a.Data, b.Data);
        Assert.NotEqual(a.Data, c.Data);

        // Not symmetric under inversion through the centre.
        double diff = 0, norm = 0;
        for (int z = 1; z < 48; z++)
        {
            for (int y = 1; y < 48; y++)
            {
                for (int x = 1; x < 48; x++)
                {
                    diff += Math.Abs(a[x, y, z] - a[48 - x, 48 - y, 48 - z]);
                    norm += a[x, y, z];
                }
            }
        }

        Assert.True(diff > 0.5 * norm);
        Assert.True(a[0, 0, 0] < 1e-6 && a[47, 24, 24] < 1e-3);
    }

    [Fact]
    public void ImpossibleParametersAreRejected()
    {
        Assert.Throws<InvalidParameterException>(() => new Image(8, 8, 0));
        Assert.Throws<InvalidParameterException>(() => new Image(8, 8, double.NaN));
        Assert.Throws<InvalidParameterException>(() => new GridShape(0, 4));
        Assert.Throws<InvalidParameterException>(() => FourierResampling.Resample(new Image(8, 6, 1), 4));
        Assert.Throws<InvalidParameterException>(() => new SphericalMask(GridShape.Square(8), -1));
    }

    [Fact]
    public void CentralSlicesAndFourierRoundTrip()
    {
        var volume = GaussianVolume(16, 2, 1.0);
        volume[10, 8, 8] = 9; // marks +x in the z slice and the y slice
        Assert.Equal(9, volume.CentralSlice(2)[10, 8]);
        Assert.Equal(9, volume.CentralSlice(1)[10, 8]);
        Assert.Equal(volume[8, 8, 8], volume.CentralSlice(0)[8, 8]);
        var back = (Volume)volume.ToFourier().ToReal();
        Assert.True(volume.Data.Zip(back.Data, (p, q) => Math.Abs(p - q)).Max() < 1e-5);
    }

    private static Volume GaussianVolume(int n, double sigmaVoxels, double pixel)
    {
        var v = Volume.Cube(n, pixel);
        for (int z = 0; z < n; z++)
        {
            for (int y = 0; y < n; y++)
            {
                for (int x = 0; x < n; x++)
                {
                    double r2 = ((x - (n / 2)) * (x - (n / 2))) + ((y - (n / 2)) * (y - (n / 2))) + ((z - (n / 2)) * (z - (n / 2)));
                    v[x, y, z] = (float)Math.Exp(-r2 / (2 * sigmaVoxels * sigmaVoxels));
                }
            }
        }

        return v;
    }
}
