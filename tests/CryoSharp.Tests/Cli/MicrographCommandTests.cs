using System.Text.Json;
using CryoSharp.Tests.Support;

namespace CryoSharp.Tests.Cli;

public class MicrographCommandTests
{
    [Fact]
    public void SimulateThenSolveRecoversTheTargetAndContinues()
    {
        using var temp = new TempDirectory();
        string data = temp.File("data"), run = temp.File("em");
        var (code, output, error) = CliRunner.Run("micrograph", "simulate", "--size", "540", "--target-size", "9", "--density", "0.1", "--snr", "10",
            "--out", data, "--json");
        Assert.True(code == 0, error);
        using (var simulated = JsonDocument.Parse(output))
        {
            Assert.InRange(simulated.RootElement.GetProperty("gamma").GetDouble(), 0.099, 0.101);
        }

        foreach (var name in new[] { "micrograph.mrc", "truth.star", "truth.json", "target.mrc", "report.html" })
        {
            Assert.True(File.Exists(Path.Combine(data, name)), name);
        }

        Assert.Contains("_rlnCoordinateX", File.ReadAllText(Path.Combine(data, "truth.star")));

        // σ and L come from truth.json beside the micrograph.
        (code, output, error) = CliRunner.Run("mtd2d", "solve", "--micrograph", Path.Combine(data, "micrograph.mrc"), "--truth", Path.Combine(data, "target.mrc"),
            "--rotations", "12", "--max-iterations", "4", "--em-start", "random", "--out", run, "--json");
        Assert.True(code == 0, error);
        double first;
        using (var solved = JsonDocument.Parse(output))
        {
            first = solved.RootElement.GetProperty("relativeError").GetDouble();
            Assert.Equal(4, solved.RootElement.GetProperty("iterations").GetInt32());
        }

        Assert.True(File.Exists(Path.Combine(run, "iter004", "state.json")));
        (code, output, error) = CliRunner.Run("mtd2d", "solve", "--continue", run, "--max-iterations", "25", "--json");
        Assert.True(code == 0, error);
        using var continued = JsonDocument.Parse(output);
        var root = continued.RootElement;
        Assert.Equal(4, root.GetProperty("continuedFrom").GetInt32());
        double last = root.GetProperty("relativeError").GetDouble();
        Assert.True(last < 0.1 && last <= first, $"error {first:0.000} after 4 iterations, {last:0.000} after {root.GetProperty("iterations").GetInt32()}");
        Assert.InRange(root.GetProperty("gamma").GetDouble(), 0.09, 0.11);
        Assert.Contains("Log-likelihood per patch", File.ReadAllText(Path.Combine(run, "report.html")));
    }

    [Fact]
    public void TheAutocorrelationFitEstimatesNoiseAndDensityAndStartsEm()
    {
        using var temp = new TempDirectory();
        string data = temp.File("data"), fit = temp.File("ac"), em = temp.File("em");
        var (code, _, error) = CliRunner.Run("micrograph", "simulate", "--size", "900", "--target-size", "7", "--density", "0.1", "--snr", "5", "--out", data);
        Assert.True(code == 0, error);
        string micrograph = temp.File(Path.Combine("data", "micrograph.mrc"));
        string truthJson = File.ReadAllText(temp.File(Path.Combine("data", "truth.json")));
        double sigma = JsonDocument.Parse(truthJson).RootElement.GetProperty("sigma").GetDouble();

        // With --sigma 0 given wrongly the fit would be biased, so σ is left to the fit: truth.json is moved away.
        File.Move(temp.File(Path.Combine("data", "truth.json")), temp.File("truth.json"));
        (code, var output, error) = CliRunner.Run("mtd2d", "solve", "--micrograph", micrograph, "--target-size", "7", "--method", "autocorrelation", "--restarts", "2",
            "--truth", temp.File(Path.Combine("data", "target.mrc")), "--out", fit, "--json");
        Assert.True(code == 0, error);
        using (var solved = JsonDocument.Parse(output))
        {
            var a = solved.RootElement.GetProperty("autocorrelation");
            Assert.InRange(a.GetProperty("sigma").GetDouble() / sigma, 0.98, 1.02);
            Assert.InRange(a.GetProperty("gamma").GetDouble(), 0.085, 0.115);
            Assert.InRange(a.GetProperty("relativeError").GetDouble(), 0, 0.6);
            Assert.Equal(2, a.GetProperty("startObjectives").GetArrayLength());
        }

        foreach (var name in new[] { "estimate.mrc", "report.html", "run.json", Path.Combine("autocorrelation", "state.json"), Path.Combine("autocorrelation", "estimate.mrc") })
        {
            Assert.True(File.Exists(Path.Combine(fit, name)), name);
        }

        (code, _, error) = CliRunner.Run("mtd2d", "solve", "--continue", fit);
        Assert.Equal(2, code);
        Assert.Contains("no iterations", error);

        // EM from the fit takes σ and γ from it, and improves on it.
        File.Move(temp.File("truth.json"), temp.File(Path.Combine("data", "truth.json")));
        (code, output, error) = CliRunner.Run("mtd2d", "solve", "--micrograph", micrograph, "--restarts", "2", "--rotations", "12", "--max-iterations", "15",
            "--truth", temp.File(Path.Combine("data", "target.mrc")), "--out", em, "--json");
        Assert.True(code == 0, error);
        using var refined = JsonDocument.Parse(output);
        var root = refined.RootElement;
        Assert.Equal("autocorrelation", root.GetProperty("emStart").GetString());
        double start = root.GetProperty("autocorrelation").GetProperty("relativeError").GetDouble();
        double end = root.GetProperty("relativeError").GetDouble();
        Assert.True(end < start && end < 0.1, $"EM {end:0.000} from the fit's {start:0.000}");
        Assert.Contains("autocorrelation", File.ReadAllText(Path.Combine(em, "report.html")));
    }

    [Fact]
    public void BadInputIsOneLineNamingTheOption()
    {
        using var temp = new TempDirectory();
        string micrograph = temp.File("m.mrc");
        var (code, _, error) = CliRunner.Run("micrograph", "simulate", "--size", "64", "--target-size", "9", "--density", "0.1", "--out", temp.File("d"));
        Assert.True(code == 0, error);
        File.Copy(temp.File(Path.Combine("d", "micrograph.mrc")), micrograph);
        foreach (var (args, expected) in new (string[], string)[]
        {
            (["micrograph", "simulate", "--density", "0.3", "--size", "200", "--out", temp.File("x")], "--density = 0.3"),
            (["micrograph", "simulate", "--snr", "-1", "--out", temp.File("x")], "--snr = -1"),
            (["micrograph", "simulate", "--image", temp.File("missing.mrc"), "--out", temp.File("x")], "missing.mrc"),
            (["mtd2d", "solve", "--micrograph", micrograph, "--out", temp.File("y")], "--target-size"),
            (["mtd2d", "solve", "--micrograph", micrograph, "--target-size", "9", "--em-start", "random", "--out", temp.File("y")], "--sigma"),
            (["mtd2d", "solve", "--micrograph", micrograph, "--target-size", "9", "--restarts", "0", "--out", temp.File("y")], "--restarts"),
            (["mtd2d", "solve", "--continue", temp.File("nothing")], "run.json"),
        })
        {
            (code, _, error) = CliRunner.Run(args);
            Assert.Equal(2, code);
            Assert.Contains(expected, error);
            Assert.DoesNotContain("   at ", error);
        }
    }
}
