using System.Text.Json;
using CryoSharp.Imaging;
using CryoSharp.IO;
using CryoSharp.IO.Star;
using CryoSharp.Particles;
using CryoSharp.Tests.Refinement;
using CryoSharp.Tests.Support;

namespace CryoSharp.Tests.Cli;

public class Refine3DCommandTests
{
    /// <summary>Writes 160 particles (a stack and its STAR file, no poses) and the true map; returns their paths.</summary>
    private static (string Star, string Map) WriteParticles(TempDirectory temp)
    {
        var map = Refine3DTestData.Map();
        var (particles, _) = Refine3DTestData.Particles(160, snr: 2, ctf: false, seed: 8, map);
        string star = temp.File("particles.star");
        ParticleSet.Save(particles, temp.File("particles.mrcs"), star, ParticleColumns.Image);
        MrcWriter.Write(temp.File("truth.mrc"), map);
        return (star, temp.File("truth.mrc"));
    }

    private static string[] Fast(string star, string map, string output) =>
        ["refine3d", "--particles", star, "--reference", map, "--initial-lowpass", "15", "--particle-diameter", "110", "--healpix-order", "1",
            "--local-from-order", "2", "--max-healpix-order", "2", "--offset-range", "2", "--offset-step", "1", "--max-iterations", "4", "--out", output, "--threads", "2"];

    [Fact]
    public void WritesMapsParticlesFscReportAndIterationsAndContinuesExactly()
    {
        using var temp = new TempDirectory();
        var (star, map) = WriteParticles(temp);
        var (code, output, error) = CliRunner.Run([.. Fast(star, map, temp.File("out")), "--json"]);
        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.InRange(root.GetProperty("resolution0143").GetDouble(), 8, 40);
        int iterations = root.GetProperty("iterations").GetArrayLength();
        Assert.InRange(iterations, 2, 5);
        Assert.True(root.GetProperty("iterations")[iterations - 1].GetProperty("final").GetBoolean());
        foreach (var name in new[] { "map.mrc", "half1.mrc", "half2.mrc", "particles.star", "fsc.csv", "report.html", "run.json", "iter000/model.json", "iter001/half1.mrc" })
        {
            Assert.True(File.Exists(temp.File("out/" + name)), name);
        }

        var table = ParticleTable.Load(temp.File("out/particles.star"));
        Assert.Equal(160, table.Count);
        Assert.All(table.Particles, p => Assert.InRange(p.RandomSubset, 1, 2));
        Assert.Contains(StarLabels.MaxValueProbDistribution.Name, table.ExtraColumns);
        Assert.Contains(StarLabels.NrOfSignificantSamples.Name, table.ExtraColumns);
        Assert.Equal(Refine3DTestData.Box, MrcReader.ReadVolume(temp.File("out/map.mrc")).Nx);

        // The same run killed after iteration 1, with iteration 2 half-written: continuing ends where the whole run ended.
        CopyFolder(temp.File("out"), temp.File("killed"), keepIterationsUpTo: 1);
        Directory.CreateDirectory(temp.File("killed/iter002"));
        File.WriteAllText(temp.File("killed/iter002/half1.mrc"), "partial");
        (code, _, error) = CliRunner.Run("refine3d", "--continue", temp.File("killed"));
        Assert.True(code == 0, error);
        Assert.Contains("after iteration 1", error);
        foreach (var name in new[] { "map.mrc", "half1.mrc", "half2.mrc", "fsc.csv" })
        {
            Assert.True(File.ReadAllBytes(temp.File("out/" + name)).SequenceEqual(File.ReadAllBytes(temp.File("killed/" + name))), name);
        }
    }

    [Fact]
    public void BadInputsAreOneLineNamingTheOption()
    {
        using var temp = new TempDirectory();
        var (star, map) = WriteParticles(temp);
        MrcWriter.Write(temp.File("small.mrc"), Volume.Cube(24, Refine3DTestData.PixelSizeA));
        var (code, _, error) = CliRunner.Run(Fast(star, temp.File("small.mrc"), temp.File("a")));
        Assert.Equal(2, code);
        Assert.Single(error.Trim().Split('\n'), line => line.StartsWith("cryosharp: error", StringComparison.Ordinal));
        Assert.Contains("--reference", error.Trim().Split('\n')[^1]);
        (code, _, error) = CliRunner.Run([.. Fast(star, map, temp.File("b")), "--particle-diameter", "400"]);
        Assert.Equal(2, code);
        Assert.Contains("--particle-diameter", error);
        (code, _, error) = CliRunner.Run([.. Fast(star, map, temp.File("c")), "--healpix-order", "7"]);
        Assert.Equal(2, code);
        Assert.Contains("--healpix-order", error);
        Assert.DoesNotContain("   at ", error);
        (code, _, error) = CliRunner.Run([.. Fast(star, map, temp.File("d")), "--out", star]);
        Assert.Equal(2, code);
        (code, _, error) = CliRunner.Run([.. Fast(star, map, temp.File("e")), "--search", "greedy"]);
        Assert.Equal(2, code);
        Assert.Contains("--search", error);
    }

    [Fact]
    public void BranchAndBoundWritesTheExhaustiveMapAndSaysHowManyPosesItScored()
    {
        using var temp = new TempDirectory();
        var (star, map) = WriteParticles(temp);
        var (code, _, error) = CliRunner.Run(Fast(star, map, temp.File("exhaustive")));
        Assert.True(code == 0, error);
        (code, var output, error) = CliRunner.Run([.. Fast(star, map, temp.File("bounded")), "--search", "branch-and-bound", "--json"]);
        Assert.True(code == 0, error);
        foreach (var name in new[] { "map.mrc", "half1.mrc", "half2.mrc", "particles.star" })
        {
            Assert.True(File.ReadAllBytes(temp.File("exhaustive/" + name)).SequenceEqual(File.ReadAllBytes(temp.File("bounded/" + name))), name);
        }

        using var json = JsonDocument.Parse(output);
        var fractions = json.RootElement.GetProperty("iterations").EnumerateArray().Select(i => i.GetProperty("evaluatedFraction").GetDouble()).ToList();
        Assert.All(fractions, f => Assert.InRange(f, 1e-6, 1));
        Assert.Contains(fractions, f => f < 0.5);
        Assert.Contains("\"search\": \"branch-and-bound\"", File.ReadAllText(temp.File("bounded/run.json")));
        Assert.Contains("scored in full", File.ReadAllText(temp.File("bounded/report.html")));
    }

    [Fact]
    public void Class3dWritesEveryClassAndTheirParticles()
    {
        using var temp = new TempDirectory();
        var (star, map) = WriteParticles(temp);
        var (code, output, error) = CliRunner.Run("class3d", "--particles", star, "--reference", map, "--classes", "2", "--iterations", "3", "--initial-lowpass", "15",
            "--particle-diameter", "110", "--healpix-order", "1", "--offset-range", "2", "--offset-step", "1", "--out", temp.File("c3"), "--threads", "1", "--json");
        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        var classes = json.RootElement.GetProperty("classes");
        Assert.Equal(2, classes.GetArrayLength());
        Assert.Equal(160, classes.EnumerateArray().Sum(c => c.GetProperty("particles").GetInt32()));
        foreach (var name in new[] { "class001.mrc", "class002.mrc", "class001_half1.mrc", "class002_half2.mrc", "particles.star", "report.html", "iter003/class002.mrc" })
        {
            Assert.True(File.Exists(temp.File("c3/" + name)), name);
        }

        var table = ParticleTable.Load(temp.File("c3/particles.star"));
        Assert.All(table.Particles, p => Assert.InRange(p.ClassNumber, 1, 2));
        (code, _, error) = CliRunner.Run("class3d", "--particles", star, "--reference", map, "--classes", "1", "--out", temp.File("bad"));
        Assert.Equal(2, code);
        Assert.Contains("--classes", error);
    }

    [Fact]
    public void AlignFindsTheTransformBetweenTwoMaps()
    {
        using var temp = new TempDirectory();
        var reference = Refine3DTestData.Map();
        var r0 = CryoSharp.Geometry.EulerAngles.FromDegrees(20, 60, 150).ToMatrix();
        var moved = CryoSharp.Refinement.MapAlignment.Apply(reference, new CryoSharp.Refinement.MapAlignmentResult(r0, true, new CryoSharp.Geometry.Vector3d(3, 0, -6), 1));
        MrcWriter.Write(temp.File("b.mrc"), reference);
        MrcWriter.Write(temp.File("a.mrc"), moved);
        var (code, output, error) = CliRunner.Run("align", temp.File("a.mrc"), temp.File("b.mrc"), "--out", temp.File("a_aligned.mrc"), "--search-resolution", "15", "--json");
        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        Assert.True(json.RootElement.GetProperty("reflected").GetBoolean());
        Assert.True(json.RootElement.GetProperty("fsc05").GetDouble() < 9);
        Assert.Equal(3, json.RootElement.GetProperty("shiftA").GetArrayLength());
        Assert.True(File.Exists(temp.File("a_aligned.mrc")));
        (code, _, error) = CliRunner.Run("align", temp.File("a.mrc"), temp.File("b.mrc"), "--out", temp.File("a.mrc"));
        Assert.Equal(2, code);
        Assert.Contains("--out", error);
    }

    private static void CopyFolder(string from, string to, int keepIterationsUpTo)
    {
        Directory.CreateDirectory(to);
        File.Copy(Path.Combine(from, "run.json"), Path.Combine(to, "run.json"));
        foreach (var folder in Directory.GetDirectories(from, "iter*"))
        {
            int iteration = int.Parse(Path.GetFileName(folder)[4..], System.Globalization.CultureInfo.InvariantCulture);
            if (iteration > keepIterationsUpTo)
            {
                continue;
            }

            string target = Path.Combine(to, Path.GetFileName(folder));
            Directory.CreateDirectory(target);
            foreach (var file in Directory.GetFiles(folder))
            {
                File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
            }
        }
    }
}
