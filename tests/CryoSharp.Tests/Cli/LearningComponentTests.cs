using CryoSharp.Tests.Support;

namespace CryoSharp.Tests.Cli;

[Collection(nameof(LearningComponentTests))]
public class LearningComponentTests
{
    [Fact]
    public void WithoutTheLearningComponentTheLearningCommandsSaySoInOneLine()
    {
        using var temp = new TempDirectory();
        string? before = Environment.GetEnvironmentVariable("CRYOSHARP_LEARNING");
        try
        {
            Environment.SetEnvironmentVariable("CRYOSHARP_LEARNING", temp.File("empty"));
            var (code, output, error) = CliRunner.Run("mra", "train-prior", "--mixtures", "1", "--out", temp.File("model.pt"));
            Assert.Equal(2, code);
            Assert.Equal("", output);
            var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith("cryosharp: error", StringComparison.Ordinal)).ToArray();
            Assert.Single(lines);
            Assert.Contains("learning component", lines[0]);
            Assert.DoesNotContain("   at ", error);
            Assert.False(File.Exists(temp.File("model.pt")));
        }
        finally
        {
            Environment.SetEnvironmentVariable("CRYOSHARP_LEARNING", before);
        }
    }

    [Fact]
    public void TheRestOfTheProgramNeverLoadsTorch()
    {
        var (code, _, _) = CliRunner.Run("mra", "solve", "--method", "moments", "--length", "11", "--count", "2000", "--shifts", "aperiodic");
        Assert.Equal(0, code);
        Assert.DoesNotContain(AppDomain.CurrentDomain.GetAssemblies(), a => a.GetName().Name == "TorchSharp");
        Assert.False(File.Exists(Path.Combine(AppContext.BaseDirectory, "TorchSharp.dll")), "the CLI's build output ships no TorchSharp");
    }
}
