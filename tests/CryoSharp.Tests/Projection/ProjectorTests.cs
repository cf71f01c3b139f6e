using CryoSharp.Geometry;
using CryoSharp.Imaging;
using CryoSharp.IO;
using CryoSharp.IO.Star;
using CryoSharp.Numerics;
using CryoSharp.Numerics.Fft;
using CryoSharp.Projection;
using CryoSharp.Tests.Support;
using Xunit.Abstractions;

namespace CryoSharp.Tests.Projection;

public class ProjectorTests(ITestOutputHelper output)
{
    [SkippableTheory]
    [InlineData("relion/proj_noctf.star", "relion/proj_noctf.mrcs", false)]
    [InlineData("relion/proj_ctf.star", "relion/proj_ctf.mrcs", true)]
    public void ProjectionsAgreeWithRelionProject(string starName, string stackName, bool ctf)
    {
        var volume = MrcReader.ReadVolume(SharedData.Require("relion/ribosome_box64.mrc"));
        var table = ParticleTable.Load(SharedData.Require("relion/angles.star"));
        var relion = MrcReader.ReadStack(SharedData.Require(stackName));
        _ = SharedData.Require(starName);
        var projector = new FourierProjector(volume);
        var shape = projector.ImageShape;
        var spectrum = new ComplexF[shape.HalfComplexLength];
        var scratch = new float[shape.HalfComplexLength];
        var image = new float[shape.Length];
        double worst = 1, scaleSum = 0;
        for (int i = 0; i < table.Count; i++)
        {
            var p = table.Particles[i];
            var a = EulerAngles.FromDegrees(p.AngleRotDeg, p.AngleTiltDeg, p.AnglePsiDeg).ToMatrix();
            var model = ctf ? CryoSharp.Particles.ParticleRecords.FromTable(table)[i].Ctf : null;
            ParticleImageFormation.Form(projector, a, p.OriginXA, p.OriginYA, model, spectrum, scratch);
            Fft.Inverse(spectrum, shape, image);
            double r = ImageComparison.Of(image, relion[i]).Correlation;
            worst = Math.Min(worst, r);
            scaleSum += ImageComparison.Of(image, relion[i]).Scale;
        }

        output.WriteLine($"{stackName}: worst correlation {worst:F5}, mean scale RELION/ours {scaleSum / table.Count:F4}");
        Assert.True(worst >= 0.99, $"worst per-image correlation {worst:F4}");
        Assert.InRange(scaleSum / table.Count, 0.95, 1.05);
    }

    [Theory]
    [InlineData(16, 2)]
    [InlineData(15, 2)]
    [InlineData(12, 1)]
    [InlineData(11, 3)]
    public void BackProjectorIsTheExactAdjoint(int box, int padding)
    {
        var random = new RandomStream((ulong)(box + padding));
        var v = Volume.Cube(box, 1.3);
        random.FillGaussian(v.Data);
        var y = new float[box * box];
        random.FillGaussian(y);
        var shape = GridShape.Square(box);
        foreach (var q in Rotations.RandomUniform(4, new SeedSequence(box)))
        {
            var a = q.ToMatrix();
            var projection = new float[shape.Length];
            new FourierProjector(v, padding).Project(a, projection);
            double lhs = projection.Zip(y, (p, w) => (double)p * w).Sum();

            var backProjector = new FourierBackProjector(box, 1.3, padding);
            var spectrum = new ComplexF[shape.HalfComplexLength];
            Fft.Forward(y, shape, spectrum);
            backProjector.Insert(spectrum, a);
            var adjoint = backProjector.ToVolume();
            double rhs = v.Data.Zip(adjoint.Data, (p, w) => (double)p * w).Sum();
            Assert.True(Math.Abs(lhs - rhs) <= 1e-4 * Math.Abs(lhs), $"⟨Pv, y⟩ = {lhs}, ⟨v, Pᵀy⟩ = {rhs}");
        }
    }

    [Theory]
    [InlineData(64)]
    [InlineData(65)]
    public void GaussianBlobProjectsToTheAnalyticGaussianAtAv(int box)
    {
        // A 3D Gaussian of σ voxels at centre c projects to √(2π)σ·exp(−|x − (A·c)_xy|²/2σ²): this pins both the
        // line-integral scale and where features land (conventions.md).
        const double sigma = 2.5;
        var centre = new Vector3d(7, -4, 5);
        var v = Volume.Cube(box, 1.0);
        int c = box / 2;
        for (int z = 0; z < box; z++)
        {
            for (int yy = 0; yy < box; yy++)
            {
                for (int x = 0; x < box; x++)
                {
                    var d = new Vector3d(x - c, yy - c, z - c) - centre;
                    v[x, yy, z] = (float)Math.Exp(-d.Dot(d) / (2 * sigma * sigma));
                }
            }
        }

        var projector = new FourierProjector(v);
        foreach (var angles in new[] { EulerAngles.FromDegrees(0, 0, 0), EulerAngles.FromDegrees(30, 60, 100), EulerAngles.FromDegrees(-120, 150, 10) })
        {
            var a = angles.ToMatrix();
            var image = projector.Project(angles);
            var where = a * centre;
            double peak = Math.Sqrt(2 * Math.PI) * sigma, worst = 0, sum = 0, mx = 0, my = 0;
            for (int y = 0; y < box; y++)
            {
                for (int x = 0; x < box; x++)
                {
                    double dx = x - c - where.X, dy = y - c - where.Y;
                    double expected = peak * Math.Exp(-((dx * dx) + (dy * dy)) / (2 * sigma * sigma));
                    worst = Math.Max(worst, Math.Abs(image[x, y] - expected));

                    // The centroid within 3σ of where the blob should be: far pixels carry gridding-amplified residue.
                    if ((dx * dx) + (dy * dy) <= 9 * sigma * sigma)
                    {
                        sum += image[x, y];
                        mx += image[x, y] * (x - c);
                        my += image[x, y] * (y - c);
                    }
                }
            }

            // The amplitude carries RELION's gridding pre-correction, 1/sinc²(πr/M) ≈ 1.02 at this radius when a
            // slice falls on grid points; the position must be exact.
            output.WriteLine($"{angles}: max deviation {worst / peak:P2} of the peak, centroid ({mx / sum:F3}, {my / sum:F3}) vs ({where.X:F3}, {where.Y:F3})");
            Assert.True(worst < 0.03 * peak, $"{angles}: max deviation {worst / peak:P2} of the peak");
            Assert.Equal(where.X, mx / sum, 0.02);
            Assert.Equal(where.Y, my / sum, 0.02);
        }
    }

    [Fact]
    public void FourierAndRealSpaceProjectorsAgree()
    {
        var v = new GaussianBlobPhantom { Seeds = new SeedSequence(2) }.Create(40, 1.0);
        var projector = new FourierProjector(v);
        foreach (var q in Rotations.RandomUniform(3, new SeedSequence(8)))
        {
            var a = q.ToMatrix();
            var fourier = new float[40 * 40];
            projector.Project(a, fourier);
            var real = RealSpaceProjector.Project(v, a);
            double r = ImageComparison.Of(fourier, real).Correlation;
            double s = ImageComparison.Of(fourier, real).Scale;
            output.WriteLine($"correlation {r:F6}, scale {s:F4}");
            Assert.True(r > 0.999, $"correlation {r}");
            Assert.InRange(s, 0.98, 1.02);
        }
    }

    [Fact]
    public void NonCubicVolumeIsRejected()
    {
        var error = Assert.Throws<InvalidParameterException>(() => new FourierProjector(new Volume(16, 16, 12, 1.0)));
        Assert.Contains("cubic", error.Message);
    }
}
