using System.Text.Json;
using CryoSharp.Tests.Support;

namespace CryoSharp.Tests.Cli;

public class MethodOfMomentsCommandTests
{
    [Fact]
    public void MomentsOfASimulationThenAFitGiveTheMapTheReportAndTheNumbers()
    {
        using var temp = new TempDirectory();
        string moments = temp.File("m.bin");
        var (code, output, error) = CliRunner.Run("moments", "--phantom", "blobs", "--box", "24", "--count", "3000", "--views", "vmf", "--sigma", "0.2",
            "--max-resolution", "12", "--out", moments, "--json");
        Assert.True(code == 0, error);
        using (var json = JsonDocument.Parse(output))
        {
            var root = json.RootElement;
            Assert.Equal(3000, root.GetProperty("images").GetInt64());
            Assert.Equal(4, root.GetProperty("radiusPx").GetInt32()); // 24 px × 2 Å / 12 Å
            Assert.Equal(0.2, root.GetProperty("noiseSigma").GetDouble(), 12);
            Assert.False(root.GetProperty("ctf").GetBoolean());
        }

        Assert.True(File.Exists(temp.File("m_truth.mrc")));
        string fit = temp.File("fit");
        (code, output, error) = CliRunner.Run("mom3d", "--moments", moments, "--quadrature", "20x6", "--restarts", "2", "--max-iterations", "40", "--out", fit, "--json");
        Assert.True(code == 0, error);
        using (var json = JsonDocument.Parse(output))
        {
            var root = json.RootElement;
            Assert.Equal(2, root.GetProperty("starts").GetArrayLength());
            Assert.True(root.GetProperty("loss").GetDouble() > 0);
            Assert.InRange(root.GetProperty("momentErrors").GetProperty("first").GetDouble(), 0, 1);
            Assert.True(root.GetProperty("resolution05").GetDouble() > 0);
            Assert.True(root.GetProperty("truthLoss").GetDouble() > 0);
            Assert.InRange(root.GetProperty("viewError").GetDouble(), 0, 1);
        }

        foreach (var name in new[] { "map.mrc", "views.svg", "report.html", "result.json" })
        {
            Assert.True(File.Exists(Path.Combine(fit, name)), name);
        }

        Assert.Contains("truth (circles)", File.ReadAllText(Path.Combine(fit, "views.svg")));
        Assert.Contains("FSC", File.ReadAllText(Path.Combine(fit, "report.html")));
    }

    [SkippableFact]
    public void MomentsOfRelionParticlesArePhaseFlipped()
    {
        using var temp = new TempDirectory();
        var (code, output, error) = CliRunner.Run("moments", "--particles", SharedData.Require("relion/proj_ctf.star"), "--out", temp.File("m.bin"), "--json");
        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        Assert.True(json.RootElement.GetProperty("ctf").GetBoolean());
        Assert.True(json.RootElement.GetProperty("noiseEstimated").GetBoolean());
    }

    [Fact]
    public void BadInputGetsOneLineAndExitTwo()
    {
        using var temp = new TempDirectory();
        var (code, _, error) = CliRunner.Run("moments", "--out", temp.File("m.bin"));
        Assert.Equal(2, code);
        Assert.Contains("--particles", error);
        (code, _, error) = CliRunner.Run("mom3d", "--moments", temp.File("missing.bin"), "--out", temp.File("fit"));
        Assert.Equal(2, code);
        Assert.Contains("missing.bin", error);
        File.WriteAllText(temp.File("bad.bin"), "not moments");
        (code, _, error) = CliRunner.Run("mom3d", "--moments", temp.File("bad.bin"), "--out", temp.File("fit"));
        Assert.Equal(2, code);
        Assert.Contains("not a moments file", error);
        (code, _, error) = CliRunner.Run("moments", "--phantom", "blobs", "--box", "24", "--count", "10", "--max-resolution", "100", "--out", temp.File("m.bin"));
        Assert.Equal(2, code);
        Assert.Contains("--max-resolution", error);
        Assert.DoesNotContain("   at ", error);
    }
}
