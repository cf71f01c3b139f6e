using CryoSharp.Geometry;

namespace CryoSharp.Tests.Geometry;

public class SymmetryGroupTests
{
    [Theory]
    [InlineData("C1", 1)]
    [InlineData("c4", 4)]
    [InlineData("C7", 7)]
    [InlineData("D2", 4)]
    [InlineData("D6", 12)]
    [InlineData("T", 12)]
    [InlineData("O", 24)]
    [InlineData("I", 60)]
    [InlineData("I1", 60)]
    public void GroupsHaveTheirOrderAndAreClosedRotations(string name, int order)
    {
        var group = SymmetryGroup.Parse(name);
        Assert.Equal(order, group.Order);
        Assert.Equal(Matrix3.Identity, group.Elements[0]);
        foreach (var a in group.Elements)
        {
            Assert.Equal(1, a.Determinant, 9);
            Assert.True((a * a.Transpose()).DistanceFrobenius(Matrix3.Identity) < 1e-9);
            foreach (var b in group.Elements)
            {
                var product = a * b;
                Assert.Contains(group.Elements, m => m.DistanceFrobenius(product) < 1e-6);
            }
        }
    }

    [Fact]
    public void RelionAxes()
    {
        // Cn turns about z and Dn adds the 2-fold about x, as RELION's C4 and D2.
        var c4 = SymmetryGroup.Parse("C4");
        Assert.Contains(c4.Elements, m => m.DistanceFrobenius(new Matrix3(0, -1, 0, 1, 0, 0, 0, 0, 1)) < 1e-9);
        var d2 = SymmetryGroup.Parse("D2");
        Assert.Contains(d2.Elements, m => m.DistanceFrobenius(new Matrix3(1, 0, 0, 0, -1, 0, 0, 0, -1)) < 1e-9);
        Assert.Equal("I2", SymmetryGroup.Parse("I").Name);
    }

    [Theory]
    [InlineData("X3")]
    [InlineData("C0")]
    [InlineData("D")]
    public void UnknownGroupsAreRefusedNamingTheOption(string name)
    {
        var e = Assert.Throws<InvalidParameterException>(() => SymmetryGroup.Parse(name));
        Assert.Contains("--symmetry", e.Message);
    }

    [Fact]
    public void DistanceIsToTheNearestEquivalentPose()
    {
        var c4 = SymmetryGroup.Parse("C4");
        var a = EulerAngles.FromDegrees(10, 50, 70).ToMatrix();
        var quarter = new Matrix3(0, -1, 0, 1, 0, 0, 0, 0, 1);
        Assert.True(c4.Distance(a, a * quarter) < 1e-9);
        Assert.True(Rotations.Distance(a, a * quarter) > 1);
    }
}
