using System.Text.Json;
using CryoSharp.Tests.Support;

namespace CryoSharp.Tests.Cli;

public class SyncCommandTests
{
    [Fact]
    public void PhaseSweepReportsEveryPointAndPlots()
    {
        using var temp = new TempDirectory();
        var (code, output, error) = CliRunner.Run("sync", "phase", "--n", "200", "--noise", "1.5:2:0.5", "--kmax", "1,10", "--trials", "2",
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
    public void BadSweepParametersAreOneLine()
    {
        foreach (var (args, expected) in new (string[], string)[]
        {
            (["sync", "phase", "--noise", "3:1:0.5"], "--noise = 3:1:0.5"),
            (["sync", "phase", "--noise", "a,b"], "--noise = a,b"),
            (["sync", "phase", "--kmax", "0"], "--kmax = 0"),
            (["sync", "phase", "--n", "1"], "--n = 1"),
        })
        {
            var (code, _, error) = CliRunner.Run(args);
            Assert.Equal(2, code);
            Assert.Contains(expected, error);
        }
    }
}
