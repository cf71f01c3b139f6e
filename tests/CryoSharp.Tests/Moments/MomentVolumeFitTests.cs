using CryoSharp.Geometry;
using CryoSharp.Imaging;
using CryoSharp.Moments.Images;
using CryoSharp.Moments.Volumes;
using CryoSharp.Numerics;

namespace CryoSharp.Tests.Moments;

public class MomentVolumeFitTests
{
    /// <summary>Moments made by the model itself from blobs and a non-uniform view density: a problem the fit can solve exactly.</summary>
    private static ImageMoments ModelMoments(ViewQuadrature quadrature)
    {
        var basis = new ImageMomentBasis(16, 4, 4);
        var model = new VolumeMomentModel(basis, quadrature);
        var map = new GaussianBlobPhantom { Seeds = new SeedSequence(31), BlobCount = 5, RadiusFraction = 0.25 }.Create(model.ModelBox, model.VoxelSizeA);
        var parameters = new double[model.ParameterCount];
        model.SetVoxels([.. map.Data.Select(v => (double)v)], parameters);
        for (int i = 0; i < quadrature.Directions; i++)
        {
            parameters[model.VoxelCount + i] = 2 * quadrature.Design.Points[i].Z;
        }

        var d = basis.Dimension;
        var (first, second) = model.Moments(parameters, new MomentTarget { First = new double[d], Second = new double[d * d] });
        return new ImageMoments(basis, 1000, 0, false, first, second, null, null, "model moments");
    }

    [Fact]
    public void TheFitLowersTheLossByOrdersOfMagnitudeAndRepeatsFromTheSameSeed()
    {
        var quadrature = ViewQuadrature.Parse("20x8");
        var moments = ModelMoments(quadrature);
        var options = new MomentFitOptions { Restarts = 2, MaxIterations = 150, Stages = 2, Seeds = new SeedSequence(5) };
        var fit = MomentVolumeFit.Fit(moments, quadrature, options);
        var start = MomentVolumeFit.Start(fit.Model, MomentTarget.From(moments), new SeedSequence(5).Spawn("start", fit.BestStart));
        double startLoss = fit.Model.Loss(start, [], MomentTarget.From(moments));
        Assert.True(fit.Loss < 0.05 * startLoss, $"loss {fit.Loss:G3} from {startLoss:G3}");
        Assert.Equal(2, fit.Starts.Count);
        Assert.Equal(fit.Starts.Min(s => s.Loss), fit.Loss);
        Assert.Equal(1, fit.DirectionWeights.Sum(), 9);
        var again = MomentVolumeFit.Fit(moments, quadrature, options);
        Assert.Equal(fit.Loss, again.Loss);
        Assert.Equal(fit.Parameters, again.Parameters);
        Assert.Throws<InvalidParameterException>(() => MomentVolumeFit.Fit(moments, quadrature, options with { Stages = 0 }));
    }

    [Fact]
    public void UniformViewsStayUniform()
    {
        var quadrature = ViewQuadrature.Parse("20x8");
        var fit = MomentVolumeFit.Fit(ModelMoments(quadrature), quadrature,
            new MomentFitOptions { Restarts = 1, MaxIterations = 30, Stages = 1, UniformViews = true, Seeds = new SeedSequence(6) });
        Assert.All(fit.DirectionWeights, w => Assert.Equal(1.0 / quadrature.Directions, w, 12));
    }
}
