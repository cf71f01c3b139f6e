using System.Text.Json;
using CryoSharp.IO;
using CryoSharp.IO.Star;
using CryoSharp.Tests.Support;

namespace CryoSharp.Tests.Cli;

public class ClassAverageCommandTests
{
    [Fact]
    public void WritesNeighboursAveragesAndAReportAndScoresTheMethodsAgainstTrueAngles()
    {
        using var temp = new TempDirectory();
        var (code, _, error) = CliRunner.Run("simulate", "--phantom", "blobs", "--box", "32", "--pixel-size", "4", "--count", "400", "--snr", "1",
            "--apply-ctf", "--out", temp.File("sim"));
        Assert.True(code == 0, error);
        (code, var output, error) = CliRunner.Run("class-average", "--particles", temp.File("sim/particles.star"), "--out", temp.File("out"), "--ctf",
            "--neighbors", "10", "--kmax", "3", "--averages", "8", "--truth", temp.File("sim/ground_truth.mrc"), "--json", "-j", "2");
        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.Equal(8, root.GetProperty("averageCount").GetInt32());
        var accuracy = root.GetProperty("accuracy").EnumerateArray().ToDictionary(a => a.GetProperty("method").GetString()!, a => a.GetProperty("fractionWithin10Deg").GetDouble());
        Assert.Equal(["rid", "vdm", "mfvdm"], accuracy.Keys);

        // 400 views of a smooth phantom at 4 Å/px: random neighbours would be within 10° 0.8 % of the time; measured
        // 22 / 15 / 18 % (medians 18 / 29 / 24°). The Wiener-corrected averages match the truth's projections (0.97).
        Assert.All(accuracy, a => Assert.True(a.Value > 0.1, $"{a.Key}: {a.Value:0.00} within 10°"));
        Assert.All(root.GetProperty("accuracy").EnumerateArray(), a => Assert.True(a.GetProperty("medianAngleDeg").GetDouble() < 40, a.ToString()));
        Assert.True(root.GetProperty("meanCorrelationWithTruth").GetDouble() > 0.9, output);
        foreach (var phase in new[] { "steerable PCA", "rotational alignment", "vector diffusion maps", "averages" })
        {
            Assert.True(root.GetProperty("seconds").TryGetProperty(phase, out _), phase);
        }

        var lines = File.ReadAllLines(temp.File("out/neighbors.csv"));
        Assert.Equal("image,neighbor,rank,angleDeg,reflected", lines[0]);
        Assert.Equal(1 + (400 * 10), lines.Length);
        var first = lines[1].Split(',');
        Assert.Equal("1", first[0]);
        Assert.Equal("1", first[2]);
        Assert.Contains(first[4], new[] { "0", "1" });

        // The averages are a particle set that abinitio can take.
        var table = ParticleTable.Load(temp.File("out/class_averages.star"));
        Assert.Equal(8, table.Count);
        Assert.Equal(8, MrcReader.ReadStack(temp.File("out/class_averages.mrcs")).Count);
        Assert.Contains("MFVDM", File.ReadAllText(temp.File("out/report.html")), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void RefusesImpossibleSettingsInOneLine()
    {
        using var temp = new TempDirectory();
        var (code, _, error) = CliRunner.Run("simulate", "--phantom", "blobs", "--box", "16", "--count", "20", "--out", temp.File("sim"));
        Assert.True(code == 0, error);
        (code, _, error) = CliRunner.Run("class-average", "--particles", temp.File("sim/particles.star"), "--out", temp.File("out"), "--neighbors", "0");
        Assert.Equal(2, code);
        Assert.Contains("--neighbors", error);
        (code, _, error) = CliRunner.Run("class-average", "--particles", temp.File("sim/particles.star"), "--out", temp.File("out"), "--ctf");
        Assert.Equal(2, code);
        Assert.Contains("--ctf", error);
        Assert.False(Directory.Exists(temp.File("out")) && Directory.EnumerateFiles(temp.File("out")).Any(), "nothing written");
    }
}
