using CryoSharp.Geometry;
using CryoSharp.Imaging;
using CryoSharp.Numerics;
using CryoSharp.Poses;
using CryoSharp.Projection;

namespace CryoSharp.Tests.Poses;

public class PoseFrameSearchTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TheImagesAloneFindTheLeftFactorAndTheInversionThatTheDistancesCannotSee(bool inverted)
    {
        // Clean projections of an asymmetric phantom; the "fitted" orientations are the truth in another frame,
        // A₀·Rᵢ·B₀ (inverted too in the second case), which every pairwise distance is blind to. The search must undo
        // A₀ and the inversion from the images: what is left is a single rotation B (a rotated map), so the one-sided
        // alignment onto the truth is exact to the grid's spacing, while the fitted orientations as they are are not.
        const int box = 24, n = 300;
        var map = new GaussianBlobPhantom { Seeds = new SeedSequence(4) }.Create(box, 1.0);
        var projector = new FourierProjector(map);
        var truth = Rotations.RandomUniform(n, new SeedSequence(7)).Select(q => q.ToMatrix()).ToArray();
        var images = new float[n * box * box];
        for (int i = 0; i < n; i++)
        {
            projector.Project(truth[i], images.AsSpan(i * box * box, box * box));
        }

        var frame = Rotations.RandomUniform(2, new SeedSequence(8)).Select(q => q.ToMatrix()).ToArray();
        var fitted = truth.Select(r => frame[0] * r * frame[1]).Select(r => inverted ? r.Transpose() : r).ToArray();
        var found = PoseFrameSearch.Find(images, box, fitted);
        var corrected = fitted.Select(found.Apply).ToArray();

        double Error(IReadOnlyList<Matrix3> estimate) => RotationAlignment.Align(truth, estimate, allowReflection: true).MeanErrorRad * 180 / Math.PI;
        Assert.Equal(inverted, found.Inverted);
        Assert.True(Error(corrected) < 3, $"mean error {Error(corrected):0.0}° after the search");
        Assert.True(Error(fitted) > 30, $"mean error {Error(fitted):0.0}° before it");
        Assert.True(found.Score > 0.6 && found.Score > 1.5 * found.IdentityScore, $"score {found.Score:0.000}, at A = I {found.IdentityScore:0.000}");
    }
}
