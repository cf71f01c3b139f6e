using System.Text.Json;
using CryoSharp.Cli;

namespace CryoSharp.Learning.Tests.Cli;

public sealed class PosesLearnedDistanceTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("cryosharp-poses-cli-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private static (int Code, string Output, string Error) Run(params string[] args)
    {
        Environment.SetEnvironmentVariable(LearningComponent.EnvironmentVariable, AppContext.BaseDirectory);
        var output = new StringWriter();
        var error = new StringWriter();
        int code = CryoSharpApp.Run(args, new CliConsole(output, error, interactive: false));
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public void ANetworkTrainedOnOtherMapsGivesTheDistancesOfPoses()
    {
        TorchFixture.Ready();
        string model = Path.Combine(folder, "net.pt");
        var (code, output, error) = Run("poses", "train-distance", "--phantom-seeds", "11,12", "--map-box", "32", "--pixel-size", "6", "--network-box", "16",
            "--count", "200", "--epochs", "2", "--channels", "4", "--embedding-dimension", "8", "--out", model, "--plot", Path.Combine(folder, "train.svg"), "--json", "--threads", "1");
        Assert.True(code == 0, error);
        using (var trained = JsonDocument.Parse(output))
        {
            Assert.Equal(2, trained.RootElement.GetProperty("curve").GetArrayLength());
            Assert.Equal(2, trained.RootElement.GetProperty("maps").GetArrayLength());
            Assert.True(trained.RootElement.GetProperty("parameters").GetInt64() > 0);
        }

        Assert.True(File.Exists(model + ".json") && File.Exists(Path.Combine(folder, "train.svg")));
        string sim = Path.Combine(folder, "sim");
        (code, _, error) = Run("simulate", "--phantom", "blobs", "--box", "32", "--pixel-size", "6", "--count", "100", "--snr", "inf", "--out", sim, "--threads", "1");
        Assert.True(code == 0, error);
        string poses = Path.Combine(folder, "poses");
        (code, output, error) = Run("poses", "--particles", Path.Combine(sim, "particles.star"), "--distance", "learned", "--model", model, "--pairs-per-particle", "10",
            "--epochs", "3", "--restarts", "1", "--out", poses, "--json", "--threads", "1");
        Assert.True(code == 0, error);
        using (var result = JsonDocument.Parse(output))
        {
            Assert.Equal("learned", result.RootElement.GetProperty("distance").GetString());
            Assert.InRange(result.RootElement.GetProperty("angleErrorMeanDeg").GetDouble(), 0, 180);
        }

        Assert.True(File.Exists(Path.Combine(poses, "report.html")));

        // --model without --distance learned, and a missing description, are one line each.
        (code, _, error) = Run("poses", "--particles", Path.Combine(sim, "particles.star"), "--model", model, "--out", Path.Combine(folder, "x"));
        Assert.Equal(2, code);
        Assert.Contains("--model", error);
        File.Delete(model + ".json");
        (code, _, error) = Run("poses", "--particles", Path.Combine(sim, "particles.star"), "--distance", "learned", "--model", model, "--out", Path.Combine(folder, "y"));
        Assert.Equal(2, code);
        Assert.Contains("net.pt.json", error);
    }
}
