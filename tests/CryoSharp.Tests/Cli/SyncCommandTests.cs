using System.Text.Json;
using CryoSharp.Tests.Support;

namespace CryoSharp.Tests.Cli;

public class SyncCommandTests
{
    [Fact]
    public void PhaseSweepReportsEveryPointAndPlots()
    {
        using var temp = new TempDirectory();
        var (code, output, error) = CliRunner.Run("sync", "phase", "--count", "200", "--levels", "1.5:2:0.5", "--kmax", "1,10", "--repetitions", "2",
            "--plot", temp.File("corr.svg"), "--json");
        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        var results = json.RootElement.GetProperty("results");
        Assert.Equal(4, results.GetArrayLength());
        var first = results[0];
        Assert.Equal(1, first.GetProperty("kmax").GetInt32());
        Assert.Equal(1.5, first.GetProperty("noise").GetDouble());
        foreach (var key in new[] { "corrMean", "corrStd", "seconds" })
        {
            Assert.True(first.TryGetProperty(key, out _), key);
        }

        // k_max = 10 beats k_max = 1 at both noise levels.
        Assert.True(results[2].GetProperty("corrMean").GetDouble() > results[0].GetProperty("corrMean").GetDouble());
        Assert.True(results[3].GetProperty("corrMean").GetDouble() > results[1].GetProperty("corrMean").GetDouble());
        Assert.Contains("k_max = 10", File.ReadAllText(temp.File("corr.svg")));
    }

    [Fact]
    public void So3SweepReportsCorrelationAndAngularError()
    {
        using var temp = new TempDirectory();
        var (code, output, error) = CliRunner.Run("sync", "so3", "--count", "60", "--levels", "2,4", "--lmax", "1,2", "--repetitions", "1",
            "--edge-probability", "0.8", "--plot", temp.File("so3.svg"), "--json");
        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        Assert.Equal("so3", json.RootElement.GetProperty("group").GetString());
        var results = json.RootElement.GetProperty("results");
        Assert.Equal(4, results.GetArrayLength());
        foreach (var point in results.EnumerateArray())
        {
            Assert.InRange(point.GetProperty("corrMean").GetDouble(), 0, 1);
            Assert.True(point.GetProperty("errorMeanDeg").GetDouble() >= 0);
        }

        // More signal, smaller error.
        Assert.True(results[1].GetProperty("errorMeanDeg").GetDouble() < results[0].GetProperty("errorMeanDeg").GetDouble());
        Assert.Contains("ℓ_max = 2", File.ReadAllText(temp.File("so3.svg")));
    }

    [Fact]
    public void BadSweepParametersAreOneLine()
    {
        foreach (var (args, expected) in new (string[], string)[]
        {
            (["sync", "phase", "--levels", "3:1:0.5"], "--levels = 3:1:0.5"),
            (["sync", "phase", "--levels", "a,b"], "--levels = a,b"),
            (["sync", "phase", "--kmax", "0"], "--kmax = 0"),
            (["sync", "phase", "--count", "1"], "--count = 1"),
            (["sync", "phase", "--edge-probability", "0"], "--edge-probability = 0"),
            (["sync", "so3", "--lmax", "9"], "--lmax = 9"),
            (["sync", "so3", "--count", "5000"], "--count = 5000"),
        })
        {
            var (code, _, error) = CliRunner.Run(args);
            Assert.Equal(2, code);
            Assert.Contains(expected, error);
        }
    }
}
