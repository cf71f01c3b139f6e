using CryoSharp.Geometry;
using CryoSharp.Imaging;
using CryoSharp.Numerics;
using CryoSharp.Numerics.Fft;
using CryoSharp.Projection;
using CryoSharp.Tests.Support;

namespace CryoSharp.Tests.Imaging;

public class ImageFormationTests
{
    [Theory]
    [InlineData(0, 0, 15000, 15000, 0, 300, 2.7, 0.1, 0, 0, 0.1)]
    [InlineData(0.05, 0, 15000, 15000, 0, 300, 2.7, 0.1, 0, 0, 0.662428152040143)]
    [InlineData(0.03, 0.04, 20000, 18000, 30, 300, 2.7, 0.07, 0, 0, 0.028750820511619184)]
    [InlineData(0.1, -0.05, 12000, 11000, -45, 200, 2.0, 0.1, 0, 50, -0.6275312892424205)]
    [InlineData(0.02, 0.01, 5000, 5000, 0, 300, 2.7, 0.1, 90, 0, 0.9677357308792793)]
    public void CtfMatchesHandComputedValues(double x, double y, double u, double v, double angle, double kv, double cs,
        double q0, double phaseShift, double bFactor, double expected)
    {
        // Expected values from an independent transcription of conventions.md's formula (double precision).
        var ctf = new CtfModel
        {
            DefocusUA = u,
            DefocusVA = v,
            DefocusAngleDeg = angle,
            VoltageKv = kv,
            SphericalAberrationMm = cs,
            AmplitudeContrast = q0,
            PhaseShiftDeg = phaseShift,
            BFactorA2 = bFactor,
        };
        Assert.Equal(expected, ctf.Value(x, y), 12);
    }

    [Fact]
    public void WavelengthIsRelativistic()
    {
        Assert.Equal(0.01968761530923358, new CtfModel { VoltageKv = 300 }.WavelengthA, 14);
        Assert.Equal(0.025079493567048063, new CtfModel { VoltageKv = 200 }.WavelengthA, 14);
    }

    [Fact]
    public void CtfGridIsPositiveAtLowFrequencyAndSymmetric()
    {
        var ctf = new CtfModel { DefocusUA = 18000, DefocusVA = 16000, DefocusAngleDeg = 25 };
        const int box = 64;
        var values = new float[(box / 2 + 1) * box];
        ctf.Fill(values, box, 1.5);
        Assert.Equal(0.1f, values[0], 1e-6f);
        Assert.True(values[1] > 0.1f && values[box / 2 + 1] > 0.1f);

        // Astigmatism is symmetric under u → −u: the (0, ky) and (0, −ky) values agree.
        for (int ky = 1; ky < box / 2; ky++)
        {
            Assert.Equal(values[ky * (box / 2 + 1)], values[(box - ky) * (box / 2 + 1)], 1e-6f);
        }

        Assert.Equal(ctf.Value(3 / (box * 1.5), -5 / (box * 1.5)), values[((box - 5) * (box / 2 + 1)) + 3], 1e-6);
    }

    [Fact]
    public void ImpossibleCtfIsRejected()
    {
        Assert.Throws<InvalidParameterException>(() => new CtfModel { VoltageKv = 0 }.Validate());
        Assert.Throws<InvalidParameterException>(() => new CtfModel { AmplitudeContrast = 1 }.Validate());
        Assert.Throws<InvalidParameterException>(() => new CtfModel { DefocusUA = -5 }.Validate());
        Assert.Throws<InvalidParameterException>(() => new CtfModel { DefocusVA = double.NaN }.Validate());
        new CtfModel().Validate();
    }

    [Theory]
    [InlineData(32, 3, -2)]
    [InlineData(33, -5, 4)]
    public void WholePixelShiftsMoveAnImpulseExactly(int box, int dx, int dy)
    {
        var image = new Image(box, box, 1.0);
        image[(box / 2) + 1, (box / 2) - 2] = 1;
        FourierShift.Apply(image, dx, dy);
        Assert.Equal(1, image[(box / 2) + 1 + dx, (box / 2) - 2 + dy], 4);
        Assert.Equal(1, image.Data.Sum(), 4);
    }

    [Fact]
    public void SubPixelShiftsComposeAndKeepTheSpectrumMagnitude()
    {
        // A projection is band-limited inside Nyquist; with power at Nyquist a sub-pixel shift of an even box is
        // ambiguous and shifts would not compose.
        var image = new FourierProjector(new GaussianBlobPhantom { Seeds = new SeedSequence(4) }.Create(32, 1.0)).Project(EulerAngles.FromDegrees(10, 20, 30));
        var once = image.Clone();
        FourierShift.Apply(once, 0.7, -1.3);
        FourierShift.Apply(once, 0.3, 0.3);
        var direct = image.Clone();
        FourierShift.Apply(direct, 1.0, -1.0);
        Assert.True(once.Data.Zip(direct.Data, (a, b) => Math.Abs(a - b)).Max() < 1e-4 * image.Data.Max());
    }

    [Fact]
    public void RotatingTheProjectionAtPsiZeroGivesTheProjectionAtPsi()
    {
        var volume = new GaussianBlobPhantom { Seeds = new SeedSequence(3) }.Create(48, 1.0);
        var projector = new FourierProjector(volume);
        var atZero = projector.Project(EulerAngles.FromDegrees(40, 70, 0));
        var atPsi = projector.Project(EulerAngles.FromDegrees(40, 70, 33));
        var rotated = InPlaneRotation.Rotate(atZero, 33 * Math.PI / 180);
        Assert.True(ImageComparison.Of(rotated.Data, atPsi.Data).Correlation > 0.995);
        Assert.True(ImageComparison.Of(atZero.Data, atPsi.Data).Correlation < 0.95); // the test can tell the difference
    }

    [Fact]
    public void PhaseFlipMakesTheCtfPositive()
    {
        var ctf = new CtfModel { DefocusUA = 20000, DefocusVA = 20000 };
        const int box = 32;
        var values = new float[(box / 2 + 1) * box];
        ctf.Fill(values, box, 2.0);
        var spectrum = values.Select(v => new ComplexF(v, 0)).ToArray();
        SpectrumFilter.PhaseFlip(spectrum, values);
        Assert.All(spectrum, c => Assert.True(c.Re >= 0));
        Assert.Contains(values, v => v < 0);
    }
}
