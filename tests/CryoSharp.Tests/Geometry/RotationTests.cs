using CryoSharp.Geometry;
using CryoSharp.Numerics;
using CryoSharp.Tests.Support;
using FsCheck;
using FsCheck.Fluent;

namespace CryoSharp.Tests.Geometry;

public class RotationTests
{
    private static readonly Arbitrary<EulerAngles> AnyAngles = Arb.From(
        from rot in Gen.Choose(-180_000, 180_000)
        from tilt in Gen.Choose(0, 180_000)
        from psi in Gen.Choose(-180_000, 180_000)
        select EulerAngles.FromDegrees(rot / 1000.0, tilt / 1000.0, psi / 1000.0));

    [Theory]
    [InlineData(90, 0, 0, new double[] { 0, 1, 0, -1, 0, 0, 0, 0, 1 })]
    [InlineData(0, 90, 0, new double[] { 0, 0, -1, 0, 1, 0, 1, 0, 0 })]
    [InlineData(0, 0, 90, new double[] { 0, 1, 0, -1, 0, 0, 0, 0, 1 })]
    [InlineData(0, 90, 90, new double[] { 0, 1, 0, 0, 0, 1, 1, 0, 0 })]
    [InlineData(90, 90, 0, new double[] { 0, 0, -1, -1, 0, 0, 0, 1, 0 })]
    public void MatrixMatchesRelionForHandComputedAngles(double rot, double tilt, double psi, double[] expected)
    {
        var a = EulerAngles.FromDegrees(rot, tilt, psi).ToMatrix();
        for (int i = 0; i < 9; i++)
        {
            Assert.Equal(expected[i], a[i / 3, i % 3], 12);
        }
    }

    [Fact]
    public void MatrixIsRelionFormulaForGeneralAngles()
    {
        // conventions.md, entry by entry, at (rot, tilt, psi) = (30°, 40°, 50°).
        double ca = Math.Cos(Math.PI / 6), sa = Math.Sin(Math.PI / 6);
        double cb = Math.Cos(40 * Math.PI / 180), sb = Math.Sin(40 * Math.PI / 180);
        double cg = Math.Cos(50 * Math.PI / 180), sg = Math.Sin(50 * Math.PI / 180);
        double[,] expected =
        {
            { (cg * cb * ca) - (sg * sa), (cg * cb * sa) + (sg * ca), -cg * sb },
            { (-sg * cb * ca) - (cg * sa), (-sg * cb * sa) + (cg * ca), sg * sb },
            { sb * ca, sb * sa, cb },
        };
        var a = EulerAngles.FromDegrees(30, 40, 50).ToMatrix();
        for (int r = 0; r < 3; r++)
        {
            for (int c = 0; c < 3; c++)
            {
                Assert.Equal(expected[r, c], a[r, c], 14);
            }
        }
    }

    [Fact]
    public void MatrixIsZyzCompositionOfAxisRotations()
    {
        // RELION's A = Rz(ψ)·Ry(θ)·Rz(φ) with the rotations of the coordinate frame.
        static Matrix3 Rz(double a) => new(Math.Cos(a), Math.Sin(a), 0, -Math.Sin(a), Math.Cos(a), 0, 0, 0, 1);
        static Matrix3 Ry(double a) => new(Math.Cos(a), 0, -Math.Sin(a), 0, 1, 0, Math.Sin(a), 0, Math.Cos(a));
        Properties.Check(Prop.ForAll(AnyAngles, e =>
            (Rz(e.Psi) * Ry(e.Tilt) * Rz(e.Rot)).DistanceFrobenius(e.ToMatrix()) < 1e-12));
    }

    [Fact]
    public void EulerMatrixEulerRoundTrip()
    {
        Properties.Check(Prop.ForAll(AnyAngles, e =>
        {
            var m = e.ToMatrix();
            var back = EulerAngles.FromMatrix(m);
            return back.ToMatrix().DistanceFrobenius(m) < 1e-9 && back.Tilt >= 0 && back.Tilt <= Math.PI;
        }), count: 1000);
    }

    [Fact]
    public void EulerRoundTripRecoversAnglesAwayFromPoles()
    {
        Properties.Check(Prop.ForAll(AnyAngles, e =>
        {
            if (e.Tilt < 1e-3 || e.Tilt > Math.PI - 1e-3)
            {
                return true;
            }

            var back = EulerAngles.FromMatrix(e.ToMatrix());
            return AngleDifference(back.Rot, e.Rot) < 1e-9 && Math.Abs(back.Tilt - e.Tilt) < 1e-9 && AngleDifference(back.Psi, e.Psi) < 1e-9;
        }), count: 1000);
    }

    [Theory]
    [InlineData(0, 0, 37)]
    [InlineData(20, 0, 37)]
    [InlineData(20, 180, 37)]
    public void GimbalLockFollowsRelion(double rot, double tilt, double psi)
    {
        var m = EulerAngles.FromDegrees(rot, tilt, psi).ToMatrix();
        var back = EulerAngles.FromMatrix(m);
        Assert.Equal(0, back.Rot);
        Assert.Equal(tilt * Math.PI / 180, back.Tilt, 12);
        Assert.True(back.ToMatrix().DistanceFrobenius(m) < 1e-12);
    }

    [Fact]
    public void QuaternionMatrixRoundTripAndCanonicalSign()
    {
        Properties.Check(Prop.ForAll(AnyAngles, e =>
        {
            var m = e.ToMatrix();
            var q = UnitQuaternion.FromMatrix(m);
            return q.ToMatrix().DistanceFrobenius(m) < 1e-12 && q.W >= 0 &&
                Math.Abs((q.W * q.W) + (q.X * q.X) + (q.Y * q.Y) + (q.Z * q.Z) - 1) < 1e-12 &&
                q.ToEuler().ToMatrix().DistanceFrobenius(m) < 1e-9;
        }), count: 1000);
    }

    [Fact]
    public void QuaternionProductIsMatrixProduct()
    {
        Properties.Check(Prop.ForAll(AnyAngles, AnyAngles, (a, b) =>
        {
            var (qa, qb) = (UnitQuaternion.FromEuler(a), UnitQuaternion.FromEuler(b));
            return (qa * qb).ToMatrix().DistanceFrobenius(a.ToMatrix() * b.ToMatrix()) < 1e-12;
        }));
    }

    [Fact]
    public void GeodesicDistanceIsTheAngleOfTheRelativeRotation()
    {
        Properties.Check(Prop.ForAll(AnyAngles, AnyAngles, (a, b) =>
        {
            var (ma, mb) = (a.ToMatrix(), b.ToMatrix());
            double fromTrace = Math.Acos(Math.Clamp(((ma * mb.Transpose()).Trace - 1) / 2, -1, 1));
            double d = Rotations.Distance(ma, mb);
            double viaQuaternions = 2 * Math.Acos(Math.Min(1, Math.Abs(UnitQuaternion.FromMatrix(ma).Dot(UnitQuaternion.FromMatrix(mb)))));
            return Math.Abs(d - fromTrace) < 1e-6 && Math.Abs(d - viaQuaternions) < 1e-6 && Math.Abs(d - Rotations.Distance(mb, ma)) < 1e-12;
        }));
        var axis = new Vector3d(1, 2, 3);
        Assert.Equal(1e-7, UnitQuaternion.FromAxisAngle(axis, 1e-7).DistanceTo(UnitQuaternion.Identity), 1e-15);
        Assert.Equal(Math.PI, UnitQuaternion.FromAxisAngle(axis, Math.PI).DistanceTo(UnitQuaternion.Identity), 1e-12);
    }

    [Fact]
    public void ViewingDirectionIsThirdRowAndProjectionAxis()
    {
        Properties.Check(Prop.ForAll(AnyAngles, e =>
        {
            var m = e.ToMatrix();
            var d = e.ViewingDirection();
            var mapped = m * d; // the viewing direction maps to the image's z axis
            return (m.Row(2) - d).Length < 1e-12 && Math.Abs(mapped.Z - 1) < 1e-12;
        }));
    }

    [Fact]
    public void UniformRotationsAreSeededAndHaveHaarMoments()
    {
        var a = Rotations.RandomUniform(20000, new SeedSequence(42));
        Assert.Equal(a, Rotations.RandomUniform(20000, new SeedSequence(42)));
        var matrices = a.Select(q => q.ToMatrix()).ToArray();
        for (int r = 0; r < 3; r++)
        {
            for (int c = 0; c < 3; c++)
            {
                // Entries of a Haar rotation have mean 0 and variance 1/3 (σ of the mean ≈ 0.004 here).
                Assert.InRange(matrices.Average(m => m[r, c]), -0.02, 0.02);
                Assert.InRange(matrices.Average(m => m[r, c] * m[r, c]), 1.0 / 3 - 0.01, 1.0 / 3 + 0.01);
            }
        }

        // Angles between random pairs follow (1 − cos ω)/π: mean = π/2 + 2/π.
        double meanAngle = Enumerable.Range(0, 10000).Average(i => a[i].DistanceTo(a[i + 10000]));
        Assert.Equal((Math.PI / 2) + (2 / Math.PI), meanAngle, 0.03);
    }

    [Fact]
    public void AlignmentRecoversAGlobalRotation()
    {
        var truth = Rotations.RandomUniform(500, new SeedSequence(1)).Select(q => q.ToMatrix()).ToArray();
        var o = Rotations.RandomUniform(1, new SeedSequence(2))[0].ToMatrix();
        var noise = new RandomStream(3);
        var estimated = truth.Select(r => SmallRotation(noise, 0.02) * r * o).ToArray();
        var alignment = RotationAlignment.Align(truth, estimated);
        Assert.False(alignment.Reflected);
        Assert.True(Rotations.Distance(alignment.Rotation, o) < 0.005);
        Assert.InRange(alignment.MeanErrorRad, 0.01, 0.05);
        Assert.True(Rotations.Distance(alignment.Apply(estimated[7]), truth[7]) < 0.1);

        // Without noise it is exact.
        var exact = RotationAlignment.Align(truth, truth.Select(r => r * o).ToArray());
        Assert.True(exact.MeanErrorRad < 1e-7);
    }

    [Fact]
    public void AlignmentDetectsTheMirrorImage()
    {
        var truth = Rotations.RandomUniform(300, new SeedSequence(4)).Select(q => q.ToMatrix()).ToArray();
        var o = Rotations.RandomUniform(1, new SeedSequence(5))[0].ToMatrix();
        var j = Matrix3.ReflectZ;
        var mirrored = truth.Select(r => j * r * j * o).ToArray();
        var plain = RotationAlignment.Align(truth, mirrored);
        var withReflection = RotationAlignment.Align(truth, mirrored, allowReflection: true);
        Assert.True(withReflection.Reflected);
        Assert.True(withReflection.MeanErrorRad < 1e-7);
        Assert.True(plain.MeanErrorRad > 0.5);
    }

    private static Matrix3 SmallRotation(RandomStream random, double sigma) =>
        UnitQuaternion.FromAxisAngle(new Vector3d(random.NextGaussian(), random.NextGaussian(), random.NextGaussian()), sigma * Math.Abs(random.NextGaussian()) * 1.25).ToMatrix();

    private static double AngleDifference(double a, double b) => Math.Abs(Math.IEEERemainder(a - b, 2 * Math.PI));
}
