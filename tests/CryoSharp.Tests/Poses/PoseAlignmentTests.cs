using CryoSharp.Geometry;
using CryoSharp.Numerics;
using CryoSharp.Poses;

namespace CryoSharp.Tests.Poses;

public class PoseAlignmentTests
{
    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void TwoSidedAlignmentUndoesALeftAndRightRotationInversionAndMirror(bool inverted, bool mirrored)
    {
        var truth = Rotations.RandomUniform(300, new SeedSequence(1)).Select(q => q.ToMatrix()).ToArray();
        var a = UnitQuaternion.FromAxisAngle(new Vector3d(1, 2, 3), 2.1).ToMatrix();
        var b = UnitQuaternion.FromAxisAngle(new Vector3d(-1, 0.5, 0.2), 1.3).ToMatrix();
        var estimates = truth.Select(r =>
        {
            var m = a * r * b;
            m = mirrored ? Matrix3.ReflectZ * m * Matrix3.ReflectZ : m;
            return inverted ? m.Transpose() : m;
        }).ToArray();
        var alignment = PoseAlignment.TwoSided(truth, estimates);
        Assert.True(alignment.MeanErrorRad < 1e-6, $"mean error {alignment.MeanErrorRad} rad");
        Assert.Equal(inverted, alignment.Inverted);
        Assert.False(alignment.Reflected); // a mirror is absorbed by A and B
        Assert.True(Rotations.Distance(alignment.Apply(estimates[7]), truth[7]) < 1e-6);
    }

    [Fact]
    public void OneSidedAlignmentAbsorbsTheMapRotationButNotALeftOne()
    {
        var truth = Rotations.RandomUniform(200, new SeedSequence(2)).Select(q => q.ToMatrix()).ToArray();
        var b = UnitQuaternion.FromAxisAngle(new Vector3d(0, 1, 1), 0.9).ToMatrix();
        Assert.True(PoseAlignment.OneSided(truth, [.. truth.Select(r => r * b)]).MeanErrorRad < 1e-9);
        Assert.True(PoseAlignment.OneSided(truth, [.. truth.Select(r => b * r * b)]).MeanErrorRad > 0.3);
    }
}
