using System.Text.Json;
using CryoSharp.Classification;
using CryoSharp.IO.Star;
using CryoSharp.Particles;
using CryoSharp.Tests.Classification;
using CryoSharp.Tests.Support;

namespace CryoSharp.Tests.Cli;

public class Class2DCommandTests
{
    /// <summary>Writes 90 particles of three patterns (a stack and its STAR file) into the folder; returns the STAR path.</summary>
    private static string WritePatterns(TempDirectory temp, int count = 90)
    {
        var (source, _, _, _) = Class2DTestData.Patterns(count, classes: 3, snr: 1, seed: 3);
        string star = temp.File("particles.star");
        ParticleSet.Save(source, temp.File("particles.mrcs"), star, ParticleColumns.Image);
        return star;
    }

    private static string[] Fast(string star, string output, int iterations) =>
        ["class2d", "--particles", star, "--classes", "3", "--iterations", iterations.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--psi-step", "15", "--offset-range", "2", "--offset-step", "1", "--particle-diameter", "110", "--out", output, "--threads", "2"];

    [Fact]
    public void WritesClassesModelParticlesReportAndIterations()
    {
        using var temp = new TempDirectory();
        string star = WritePatterns(temp);
        var (code, output, error) = CliRunner.Run([.. Fast(star, temp.File("out"), 3), "--json"]);
        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        Assert.Equal(3, json.RootElement.GetProperty("classes").GetArrayLength());
        Assert.Equal(3, json.RootElement.GetProperty("iterations").GetArrayLength());
        Assert.Equal(90, json.RootElement.GetProperty("classes").EnumerateArray().Sum(c => c.GetProperty("particles").GetInt32()));
        foreach (var name in new[] { "classes.mrcs", "model.star", "particles.star", "report.html", "run.json", "iter000/model.star", "iter003/particles.star" })
        {
            Assert.True(File.Exists(temp.File("out/" + name)), name);
        }

        var table = ParticleTable.Load(temp.File("out/particles.star"));
        Assert.Equal(90, table.Count);
        Assert.All(table.Particles, p => Assert.InRange(p.ClassNumber, 1, 3));
        Assert.Contains(StarLabels.MaxValueProbDistribution.Name, table.ExtraColumns);
        Assert.Contains(StarLabels.NrOfSignificantSamples.Name, table.ExtraColumns);
        Assert.Contains(StarLabels.LogLikeliContribution.Name, table.ExtraColumns);
        var model = Class2DFiles.ReadModel(temp.File("out/model.star"), temp.File("out/classes.mrcs"));
        Assert.Equal(3, model.ClassCount);
        Assert.Equal(1.0, model.ClassPriors.Sum(), 9);
        Assert.Contains("iteration 3:", error);
    }

    [Fact]
    public void ContinuingAfterAKillGivesTheUninterruptedResult()
    {
        using var temp = new TempDirectory();
        string star = WritePatterns(temp);
        var (code, _, error) = CliRunner.Run(Fast(star, temp.File("whole"), 4));
        Assert.True(code == 0, error);

        // The same run stopped after iteration 2, with iteration 3 half-written when it was killed.
        (code, _, error) = CliRunner.Run(Fast(star, temp.File("killed"), 2));
        Assert.True(code == 0, error);
        Directory.CreateDirectory(temp.File("killed/iter003"));
        File.WriteAllText(temp.File("killed/iter003/classes.mrcs"), "partial");
        (code, _, error) = CliRunner.Run("class2d", "--continue", temp.File("killed"), "--iterations", "4");
        Assert.True(code == 0, error);
        Assert.Contains("after iteration 2", error);
        foreach (var name in new[] { "classes.mrcs", "particles.star", "iter004/classes.mrcs", "iter003/particles.star" })
        {
            Assert.True(File.ReadAllBytes(temp.File("whole/" + name)).SequenceEqual(File.ReadAllBytes(temp.File("killed/" + name))), name);
        }

        // The models differ only in the path of their class stack.
        var whole = Class2DFiles.ReadModel(temp.File("whole/model.star"), temp.File("whole/classes.mrcs"));
        var killed = Class2DFiles.ReadModel(temp.File("killed/model.star"), temp.File("killed/classes.mrcs"));
        Assert.Equal(whole.NoiseSpectra[1], killed.NoiseSpectra[1]);
        Assert.Equal(whole.SignalSpectra[2], killed.SignalSpectra[2]);
        Assert.Equal(whole.SigmaOffsetA, killed.SigmaOffsetA);
    }

    [Theory]
    [InlineData("--classes", "500", "--classes")]
    [InlineData("--particle-diameter", "400", "--particle-diameter")]
    [InlineData("--ctf", null, "--ctf needs")]
    public void BadInputIsOneLineNamingTheOption(string option, string? value, string expected)
    {
        using var temp = new TempDirectory();
        string star = WritePatterns(temp, count: 30);
        var args = Fast(star, temp.File("out"), 1).ToList();
        int at = args.IndexOf(option);
        if (at >= 0)
        {
            args[at + 1] = value!;
        }
        else
        {
            args.Add(option);
        }

        var (code, _, error) = CliRunner.Run([.. args]);
        Assert.Equal(2, code);
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith("cryosharp: ", StringComparison.Ordinal)).ToList();
        Assert.Single(lines);
        Assert.Contains(expected, lines[0]);
    }

    [Fact]
    public void AnEmptyStackIsRefused()
    {
        using var temp = new TempDirectory();
        string star = WritePatterns(temp, count: 3);
        var lines = File.ReadAllLines(star).Where(l => !l.Contains('@')).ToArray();
        File.WriteAllLines(star, lines);
        var (code, _, error) = CliRunner.Run(Fast(star, temp.File("out"), 1));
        Assert.Equal(2, code);
        Assert.Contains("particles.star", error);
        Assert.DoesNotContain("   at ", error);
    }
}
