using CryoSharp.Geometry;
using CryoSharp.Reconstruction;
using CryoSharp.Refinement;

namespace CryoSharp.Tests.Refinement;

public class MapAlignmentTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void RecoversARotationShiftAndHand(bool reflected)
    {
        var reference = Refine3DTestData.Map();
        var r0 = EulerAngles.FromDegrees(70, 110, -40).ToMatrix();
        var moving = MapAlignment.Apply(reference, new MapAlignmentResult(r0, reflected, new Vector3d(4.5, -3, 2), 1));
        var found = MapAlignment.Align(moving, reference, allowReflection: true, searchResolutionA: 15);
        Assert.Equal(reflected, found.Reflected);
        var aligned = MapAlignment.Apply(moving, found);
        double fsc05 = FourierShellCorrelation.Compute(aligned, reference).Resolution(0.5);
        Assert.True(found.Correlation > 0.95, $"correlation {found.Correlation:0.000}");
        Assert.True(fsc05 < 9, $"FSC 0.5 after alignment at {fsc05:0.0} Å");
        if (!reflected)
        {
            // aligned(x) = moving(Rᵀ(x − c − t) + c) undoes moving(x) = reference(R0ᵀ(x − c − t0) + c) when R = R0ᵀ.
            Assert.True(Rotations.Distance(found.Rotation, r0.Transpose()) * 180 / Math.PI < 2, $"rotation off by {Rotations.Distance(found.Rotation, r0.Transpose()) * 180 / Math.PI:0.0}°");
        }
    }
}
