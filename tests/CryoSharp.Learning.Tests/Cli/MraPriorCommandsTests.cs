using System.Text.Json;
using CryoSharp.Cli;

namespace CryoSharp.Learning.Tests.Cli;

public sealed class MraPriorCommandsTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("cryosharp-prior-cli-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private static (int Code, string Output, string Error) Run(params string[] args)
    {
        // The component is this test's own build output (CryoSharp.Learning.dll and TorchSharp beside it).
        Environment.SetEnvironmentVariable(LearningComponent.EnvironmentVariable, AppContext.BaseDirectory);
        var output = new StringWriter();
        var error = new StringWriter();
        int code = CryoSharpApp.Run(args, new CliConsole(output, error, interactive: false));
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public void TrainSolveAndCompareRunThroughTheLoadedComponent()
    {
        TorchFixture.Ready();
        string model = Path.Combine(folder, "model.pt");
        var (code, output, error) = Run("mra", "train-prior", "--mixtures", "1", "--length", "11", "--train", "300", "--epochs", "3", "--channels", "8",
            "--hidden", "32", "--window", "3", "--count", "1e5", "--sigma", "0.5", "--out", model, "--plot", Path.Combine(folder, "train.svg"), "--json", "--threads", "1");
        Assert.True(code == 0, error);
        using (var trained = JsonDocument.Parse(output))
        {
            Assert.InRange(trained.RootElement.GetProperty("testRhoError").GetDouble(), 0, 2);
            Assert.Equal(3, trained.RootElement.GetProperty("curve").GetArrayLength());
        }

        Assert.True(File.Exists(model + ".json") && File.Exists(Path.Combine(folder, "train.svg")));

        (code, output, error) = Run("mra", "solve", "--method", "nn-prior", "--model", model, "--length", "11", "--signal", "mixture", "--shifts", "aperiodic",
            "--count", "20000", "--sigma", "0.5", "--unsupervised-iterations", "20", "--json", "--threads", "1");
        Assert.True(code == 0, error);
        using (var solved = JsonDocument.Parse(output))
        {
            Assert.Equal("nn-prior", solved.RootElement.GetProperty("method").GetString());
            Assert.True(solved.RootElement.GetProperty("relativeError").GetDouble() >= 0);
            Assert.Equal(3, solved.RootElement.GetProperty("unsupervisedCurve").GetArrayLength()); // iterations 0, 10, 20
        }

        (code, output, error) = Run("mra", "compare-prior", "--model", model, "--instances", "2", "--unsupervised-iterations", "10", "--record-every", "5",
            "--count", "1e5", "--sigma", "0.5", "--restarts", "2", "--plot", Path.Combine(folder, "compare.svg"), "--json", "--threads", "1");
        Assert.True(code == 0, error);
        using (var compared = JsonDocument.Parse(output))
        {
            var curves = compared.RootElement.GetProperty("curves");
            Assert.Equal(2, curves.GetArrayLength());
            Assert.Equal(3, curves[0].GetProperty("iterations").GetArrayLength());
            Assert.True(compared.RootElement.GetProperty("momentsSignalError").GetDouble() >= 0);
        }

        (code, _, error) = Run("mra", "solve", "--method", "nn-prior", "--length", "11", "--count", "1000");
        Assert.Equal(2, code);
        Assert.Contains("--model", error);
        (code, _, error) = Run("mra", "solve", "--method", "nn-prior", "--model", model, "--length", "13", "--count", "1000");
        Assert.Equal(2, code);
        Assert.Contains("L = 11", error);
    }
}
