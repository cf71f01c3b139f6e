using System.Text.Json;
using CryoSharp.Tests.Support;

namespace CryoSharp.Tests.Cli;

public class PosesCommandTests
{
    [Fact]
    public void ExactDistancesRecoverASimulationsPosesAndImageDistancesRunThrough()
    {
        using var temp = new TempDirectory();
        string sim = temp.File("sim");
        var (code, _, error) = CliRunner.Run("simulate", "--phantom", "blobs", "--box", "24", "--pixel-size", "4", "--count", "300", "--snr", "inf", "--out", sim);
        Assert.True(code == 0, error);
        string star = Path.Combine(sim, "particles.star");

        string exact = temp.File("exact");
        (code, var output, error) = CliRunner.Run("poses", "--particles", star, "--distance", "exact", "--pairs", "random", "--pairs-per-particle", "40", "--epochs", "100", "--restarts", "2",
            "--out", exact, "--json");
        Assert.True(code == 0, error);
        using (var json = JsonDocument.Parse(output))
        {
            var root = json.RootElement;
            Assert.Equal(300, root.GetProperty("particles").GetInt32());
            Assert.Equal(12000, root.GetProperty("pairCount").GetInt32());
            Assert.InRange(root.GetProperty("angleErrorMeanDeg").GetDouble(), 0, 2);
            Assert.InRange(root.GetProperty("angleErrorMedianDeg").GetDouble(), 0, 2);

            // The frame found from the images alone leaves only the map's rotation, which is what the one-sided
            // error measures; the fitted orientations as they are do not.
            Assert.InRange(root.GetProperty("frameErrorMeanDeg").GetDouble(), 0, 3);
            Assert.True(root.GetProperty("oneSidedErrorMeanDeg").GetDouble() > 20, "the fit happened to land in the truth's frame");
            Assert.True(root.GetProperty("frameScore").GetDouble() > root.GetProperty("frameIdentityScore").GetDouble());
        }

        (code, output, error) = CliRunner.Run("score-poses", "--particles", Path.Combine(exact, "particles_frame.star"), "--truth", star, "--align", "--json");
        Assert.True(code == 0, error);
        using (var json = JsonDocument.Parse(output))
        {
            Assert.InRange(json.RootElement.GetProperty("meanDeg").GetDouble(), 0, 3);
        }

        foreach (var name in new[] { "particles.star", "particles_frame.star", "particles_aligned.star", "report.html" })
        {
            Assert.True(File.Exists(Path.Combine(exact, name)), name);
        }

        // The aligned angles are the truth's: scored by score-poses without any alignment.
        (code, output, error) = CliRunner.Run("score-poses", "--particles", Path.Combine(exact, "particles_aligned.star"), "--truth", star, "--json");
        Assert.True(code == 0, error);
        using (var json = JsonDocument.Parse(output))
        {
            Assert.InRange(json.RootElement.GetProperty("meanDeg").GetDouble(), 0, 2);
        }

        string euclidean = temp.File("euclidean");
        (code, output, error) = CliRunner.Run("poses", "--particles", star, "--distance", "euclidean", "--pairs", "knn", "--pairs-per-particle", "10", "--epochs", "5",
            "--restarts", "1", "--lowpass", "16", "--find-frame", "false", "--out", euclidean, "--json");
        Assert.True(code == 0, error);
        using (var json = JsonDocument.Parse(output))
        {
            Assert.Contains("quantile-calibrated", json.RootElement.GetProperty("distance").GetString());
            Assert.InRange(json.RootElement.GetProperty("distanceCorrelation").GetDouble(), 0.1, 1);
        }

        Assert.False(File.Exists(Path.Combine(euclidean, "particles_frame.star")));
        var report = File.ReadAllText(Path.Combine(euclidean, "report.html"));
        Assert.Contains("fitted pairs; correlation", report);
        Assert.Contains("True viewing directions", report);
    }

    [Fact]
    public void BadSettingsAndOverwritingTheInputAreRefusedInOneLine()
    {
        using var temp = new TempDirectory();
        string sim = temp.File("sim");
        var (code, _, error) = CliRunner.Run("simulate", "--phantom", "blobs", "--box", "16", "--pixel-size", "4", "--count", "20", "--snr", "inf", "--out", sim);
        Assert.True(code == 0, error);
        string star = Path.Combine(sim, "particles.star");
        (code, _, error) = CliRunner.Run("poses", "--particles", star, "--pairs-per-particle", "0", "--out", temp.File("out"));
        Assert.Equal(2, code);
        Assert.StartsWith("cryosharp: error: --pairs-per-particle", error.Trim().Split('\n')[^1]);
        (code, _, error) = CliRunner.Run("poses", "--particles", star, "--out", sim);
        Assert.Equal(2, code);
        Assert.Contains("particles.star", error);
    }
}
