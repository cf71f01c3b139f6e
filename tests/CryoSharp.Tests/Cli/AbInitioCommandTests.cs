using System.Text.Json;
using CryoSharp.IO;
using CryoSharp.IO.Star;
using CryoSharp.Particles;
using CryoSharp.Tests.Refinement;
using CryoSharp.Tests.Support;

namespace CryoSharp.Tests.Cli;

public class AbInitioCommandTests
{
    private static string WriteParticles(TempDirectory temp)
    {
        var (particles, _) = Refine3DTestData.Particles(120, snr: 1, ctf: false, seed: 9);
        string star = temp.File("particles.star");
        ParticleSet.Save(particles, temp.File("particles.mrcs"), star, ParticleColumns.Image);
        return star;
    }

    private static string[] Fast(string star, string output) =>
        ["abinitio", "--particles", star, "--out", output, "--particle-diameter", "110", "--iterations", "6", "--initial-minibatch", "30", "--final-minibatch", "40",
            "--checkpoint-every", "3", "--offset-range", "2", "--threads", "2"];

    [Fact]
    public void WritesMapParticlesReportAndCheckpointsAndContinuesExactly()
    {
        using var temp = new TempDirectory();
        string star = WriteParticles(temp);
        var (code, output, error) = CliRunner.Run([.. Fast(star, temp.File("out")), "--json"]);
        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        Assert.Equal(6, json.RootElement.GetProperty("iterations").GetArrayLength());
        Assert.Equal(20, json.RootElement.GetProperty("workingBox").GetInt32());
        foreach (var name in new[] { "map.mrc", "particles.star", "report.html", "run.json", "iter003/model.json", "iter006/class001.mrc" })
        {
            Assert.True(File.Exists(temp.File("out/" + name)), name);
        }

        Assert.Equal(Refine3DTestData.Box, MrcReader.ReadVolume(temp.File("out/map.mrc")).Nx);
        var table = ParticleTable.Load(temp.File("out/particles.star"));
        Assert.Equal(120, table.Count);
        Assert.Contains(StarLabels.MaxValueProbDistribution.Name, table.ExtraColumns);

        // Killed after the checkpoint at iteration 3: continuing ends with the same map.
        Directory.CreateDirectory(temp.File("killed"));
        File.Copy(temp.File("out/run.json"), temp.File("killed/run.json"));
        Directory.CreateDirectory(temp.File("killed/iter003"));
        foreach (var file in Directory.GetFiles(temp.File("out/iter003")))
        {
            File.Copy(file, temp.File("killed/iter003/" + Path.GetFileName(file)));
        }

        (code, _, error) = CliRunner.Run("abinitio", "--continue", temp.File("killed"));
        Assert.True(code == 0, error);
        Assert.Contains("after iteration 3", error);
        Assert.True(File.ReadAllBytes(temp.File("out/map.mrc")).SequenceEqual(File.ReadAllBytes(temp.File("killed/map.mrc"))));
    }

    [Fact]
    public void BadInputsAreOneLineNamingTheOption()
    {
        using var temp = new TempDirectory();
        string star = WriteParticles(temp);
        foreach (var (extra, option) in new[]
        {
            (new[] { "--final-resolution", "50" }, "--final-resolution"),
            (new[] { "--particle-diameter", "400" }, "--particle-diameter"),
            (new[] { "--symmetry", "Q7" }, "--symmetry"),
            (new[] { "--initial-minibatch", "500", "--final-minibatch", "600" }, "--initial-minibatch"),
        })
        {
            var (code, _, error) = CliRunner.Run([.. Fast(star, temp.File("x")), .. extra]);
            Assert.Equal(2, code);
            Assert.Single(error.Trim().Split('\n'), line => line.StartsWith("cryosharp: error", StringComparison.Ordinal));
            Assert.Contains(option, error);
        }

        var (c, _, e) = CliRunner.Run(["abinitio", "--particles", star, "--out", temp.File("particles.star")]);
        Assert.Equal(2, c);
        Assert.Contains("--out", e);
    }
}
