using CryoSharp.Imaging;
using CryoSharp.Tests.Support;

namespace CryoSharp.Tests.Imaging;

public class SolventMaskTests
{
    [Theory]
    [InlineData(7, 9, 11)]
    [InlineData(16, 16, 16)]
    public void DistanceTransformIsExact(int nx, int ny, int nz)
    {
        // Against brute force on a few scattered points, odd and even sizes.
        var set = new bool[nx * ny * nz];
        (int X, int Y, int Z)[] points = [(1, 2, 3), (nx - 1, 0, nz / 2), (nx / 2, ny - 1, 0)];
        foreach (var (x, y, z) in points)
        {
            set[(((z * ny) + y) * nx) + x] = true;
        }

        var d = DistanceTransform.Compute(set, nx, ny, nz);
        for (int z = 0; z < nz; z++)
        {
            for (int y = 0; y < ny; y++)
            {
                for (int x = 0; x < nx; x++)
                {
                    double expected = points.Min(p => Math.Sqrt(((x - p.X) * (x - p.X)) + ((y - p.Y) * (y - p.Y)) + ((z - p.Z) * (z - p.Z))));
                    Assert.Equal(expected, d[(((z * ny) + y) * nx) + x], 4);
                }
            }
        }
    }

    [Fact]
    public void ASphereIsExtendedAndSoftenedByTheGivenDistances()
    {
        // A ball of radius 6 voxels (2 Å pixels): extended by 4 Å and softened over 6 Å, the mask is 1 to radius 8
        // voxels, 0.5 at 9.5 and 0 from 11.
        int n = 40;
        var map = Volume.Cube(n, 2.0);
        for (int z = 0; z < n; z++)
        {
            for (int y = 0; y < n; y++)
            {
                for (int x = 0; x < n; x++)
                {
                    double r = Math.Sqrt(((x - 20) * (x - 20)) + ((y - 20) * (y - 20)) + ((z - 20) * (z - 20)));
                    map[x, y, z] = r <= 6 ? 1 : 0;
                }
            }
        }

        var mask = SolventMask.Create(map, 0.5, extendA: 4, softEdgeA: 6);
        Assert.Equal(1f, mask[20, 20, 20]);
        Assert.Equal(1f, mask[20 + 8, 20, 20]);
        Assert.Equal(0.5, mask[20 + 9, 20, 20] + ((mask[20 + 10, 20, 20] - mask[20 + 9, 20, 20]) / 2), 0.1);
        Assert.Equal(0f, mask[20 + 11, 20, 20]);
        Assert.All(mask.Data, v => Assert.InRange(v, 0f, 1f));
        Assert.Contains("no voxel reaches it", Assert.Throws<InvalidParameterException>(() => SolventMask.Create(map, 2, 0, 0)).Message);

        using var temp = new TempDirectory();
        CryoSharp.IO.MrcWriter.Write(temp.File("map.mrc"), map);
        var (code, output, error) = CliRunner.Run("mask", temp.File("map.mrc"), "--threshold", "0.5", "--extend", "4", "--soft-edge", "6", "--out", temp.File("mask.mrc"));
        Assert.True(code == 0, error);
        Assert.Contains("of the box inside", output);
        Assert.Equal(mask.Data, CryoSharp.IO.MrcReader.ReadVolume(temp.File("mask.mrc")).Data);
    }
}
