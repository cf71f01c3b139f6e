using System.Text.Json;
using CryoSharp.Tests.Support;

namespace CryoSharp.Tests.Cli;

public class OrbitCommandTests
{
    [Fact]
    public void MraSimulateThenSolveFromFiles()
    {
        using var temp = new TempDirectory();
        var (code, _, error) = CliRunner.Run("mra", "simulate", "-n", "3000", "--shifts", "aperiodic", "--length", "15", "--out", temp.Path);
        Assert.True(code == 0, error);
        Assert.True(File.Exists(temp.File("observations.mrcs")));
        (code, var output, error) = CliRunner.Run("mra", "solve", "--method", "oracle", "--data", temp.Path, "--plot", temp.File("oracle.svg"), "--json");
        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.InRange(root.GetProperty("relativeError").GetDouble(), 0, 0.1);
        Assert.InRange(root.GetProperty("rhoError").GetDouble(), 0, 0.2);
        Assert.Equal(3000, root.GetProperty("count").GetInt64());
        Assert.True(root.GetProperty("seconds").TryGetProperty("fit", out _));
        Assert.Contains("estimate (aligned)", File.ReadAllText(temp.File("oracle.svg")));
    }

    [Fact]
    public void MraSweepGivesOnePointPerMethodAndCount()
    {
        using var temp = new TempDirectory();
        var (code, output, error) = CliRunner.Run("mra", "sweep", "--methods", "bispectrum,oracle", "--counts", "1e3,1e4", "--repetitions", "2",
            "--plot", temp.File("sweep.svg"), "--json");
        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        var results = json.RootElement.GetProperty("results");
        Assert.Equal(4, results.GetArrayLength());

        // More data, smaller error; the oracle is the best possible.
        Assert.True(results[1].GetProperty("errorMean").GetDouble() < results[0].GetProperty("errorMean").GetDouble());
        Assert.True(results[3].GetProperty("errorMean").GetDouble() < results[1].GetProperty("errorMean").GetDouble());
        Assert.Contains("bispectrum", File.ReadAllText(temp.File("sweep.svg")));
    }

    [Fact]
    public void MtdSimulateThenSolveFromFilesMatchesTheStreamedMeasurement()
    {
        using var temp = new TempDirectory();
        var (code, _, error) = CliRunner.Run("mtd", "simulate", "--measurement-length", "1e6", "--sigma", "1", "--length", "9", "--out", temp.Path);
        Assert.True(code == 0, error);
        (code, var fromFile, error) = CliRunner.Run("mtd", "solve", "--data", temp.Path, "--restarts", "20", "--json");
        Assert.True(code == 0, error);
        (code, var streamed, error) = CliRunner.Run("mtd", "solve", "--measurement-length", "1e6", "--sigma", "1", "--length", "9", "--restarts", "20", "--json");
        Assert.True(code == 0, error);
        using var a = JsonDocument.Parse(fromFile);
        using var b = JsonDocument.Parse(streamed);
        Assert.Equal(a.RootElement.GetProperty("relativeError").GetDouble(), b.RootElement.GetProperty("relativeError").GetDouble());
        Assert.InRange(a.RootElement.GetProperty("relativeError").GetDouble(), 0, 0.2);
        Assert.InRange(a.RootElement.GetProperty("gammaError").GetDouble(), 0, 0.1);
        Assert.True(a.RootElement.GetProperty("samplesPerSecond").GetDouble() > 0);
    }

    [Fact]
    public void MtdSweepReportsSignalAndDensityErrors()
    {
        var (code, output, error) = CliRunner.Run("mtd", "sweep", "--methods", "autocorrelation,em", "--measurement-lengths", "2e5", "--sigma", "0.5",
            "--length", "7", "--repetitions", "1", "--restarts", "10", "--max-iterations", "100", "--json");
        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        var results = json.RootElement.GetProperty("results");
        Assert.Equal(2, results.GetArrayLength());
        foreach (var point in results.EnumerateArray())
        {
            Assert.InRange(point.GetProperty("errorMean").GetDouble(), 0, 0.3);
            Assert.InRange(point.GetProperty("gammaErrorMean").GetDouble(), 0, 0.2);
        }
    }

    [Fact]
    public void BadInputIsOneLine()
    {
        using var temp = new TempDirectory();
        foreach (var (args, expected) in new (string[], string)[]
        {
            (["mra", "solve", "--sigma", "-1"], "--sigma = -1"),
            (["mra", "solve", "--length", "2"], "signal length = 2"),
            (["mra", "sweep", "--counts", "1e3,x"], "--counts = 1e3,x"),
            (["mra", "sweep", "--methods", "magic"], "--methods = magic"),
            (["mra", "solve", "--data", temp.Path], "truth.json: not found"),
            (["mtd", "solve", "--gamma", "0.9"], "--gamma = 0.9"),
            (["mtd", "solve", "--method", "em", "--estimate-sigma"], "σ = unknown"),
            (["mtd", "solve", "--measurement-length", "10"], "--measurement-length = 10"),
        })
        {
            var (code, _, error) = CliRunner.Run(args);
            Assert.Equal(2, code);
            Assert.Contains(expected, error);
            Assert.DoesNotContain("   at ", error);
        }
    }
}
