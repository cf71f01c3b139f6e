using System.Text.Json;
using CryoSharp.Cli;
using CryoSharp.Numerics;
using CryoSharp.Tests.Support;

namespace CryoSharp.Tests.Cli;

public class CommandTests
{
    [Fact]
    public void DemoWritesMapPicturesAndReport()
    {
        using var temp = new TempDirectory();
        var (code, output, error) = Run("demo", "--out", temp.Path, "--box", "32", "--json", "--seed", "3", "--quick");
        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.Equal(32, root.GetProperty("box").GetInt32());
        Assert.Equal(0, root.GetProperty("roundTripMaxError").GetDouble());
        foreach (var key in new[] { "map", "report", "slices", "powerSpectrum" })
        {
            Assert.True(File.Exists(root.GetProperty(key).GetString()), key);
        }

        Assert.Contains("cryosharp demo --out", error); // resolved options are printed at start
        Assert.Contains("--box 32", error);
        var (infoCode, info, _) = Run("info", root.GetProperty("map").GetString()!, "--json");
        Assert.Equal(0, infoCode);
        using var facts = JsonDocument.Parse(info);
        Assert.Equal("volume", facts.RootElement.GetProperty("kind").GetString());
        Assert.Equal(32, facts.RootElement.GetProperty("nz").GetInt32());
        Assert.True(facts.RootElement.GetProperty("max").GetDouble() > 0);
    }

    [Fact]
    public void DemoFindsTheStructureFromParticlesOfUnknownPoseAndLinksEachStep()
    {
        using var temp = new TempDirectory();
        var error = new StringWriter();
        var console = new CliConsole(new StringWriter(), error, interactive: false);
        var result = CryoSharp.Cli.Commands.DemoCommand.Run(temp.Path, 32, 3.0, new SeedSequence(3), console, new ComputeContext { Threads = 2 }, pipeline: true,
            pipelineParticles: 1000);
        var p = result.Pipeline!;
        Assert.Equal(1000, p.Particles);
        foreach (var step in new[] { p.Class2DReport, p.AbInitioReport, p.Refine3DReport })
        {
            Assert.True(File.Exists(step), step);
        }

        string report = File.ReadAllText(result.Report);
        Assert.Contains("href=\"class2d/report.html\"", report);
        Assert.Contains("href=\"abinitio/report.html\"", report);
        Assert.Contains("href=\"refine3d/report.html\"", report);

        // With no pose known, the ab initio map and its refinement come near what the true poses of all 4,000 particles give.
        Assert.True(p.AbInitioVersusTruth05 < result.ResolutionVersusTruth05 + 8, $"ab initio {p.AbInitioVersusTruth05:0.0} Å, true poses {result.ResolutionVersusTruth05:0.0} Å");
        Assert.True(p.RefinedVersusTruth05 < result.ResolutionVersusTruth05 + 5, $"refined {p.RefinedVersusTruth05:0.0} Å, true poses {result.ResolutionVersusTruth05:0.0} Å");
        Assert.True(p.RefinedVersusTruth05 <= p.AbInitioVersusTruth05 + 0.5, $"refined {p.RefinedVersusTruth05:0.0} Å, ab initio {p.AbInitioVersusTruth05:0.0} Å");
    }

    [SkippableFact]
    public void InfoDescribesRelionStackAndStarFile()
    {
        var stack = SharedData.Require("relion/proj_ctf.mrcs");
        var (code, output, _) = Run("info", stack, "--json");
        Assert.Equal(0, code);
        using var mrc = JsonDocument.Parse(output);
        Assert.Equal("stack", mrc.RootElement.GetProperty("kind").GetString());
        Assert.Equal(100, mrc.RootElement.GetProperty("nz").GetInt32());
        Assert.Equal(3.0, mrc.RootElement.GetProperty("pixelSize").GetDouble(), 6);
        Assert.Equal("float32", mrc.RootElement.GetProperty("modeName").GetString());

        var (starCode, starOutput, _) = Run("info", SharedData.Require("relion/proj_ctf.star"));
        Assert.Equal(0, starCode);
        Assert.Contains("data_particles", starOutput);
        Assert.Contains("100 rows", starOutput);
        Assert.Contains("particles    100", starOutput);
        Assert.Contains("RELION 3.1", starOutput);
    }

    [Fact]
    public void UserErrorsAreOneLineWithExitCodeTwo()
    {
        using var temp = new TempDirectory();
        File.WriteAllBytes(temp.File("broken.mrc"), new byte[500]);
        File.WriteAllText(temp.File("broken.star"), "data_x\nloop_\n_rlnA\n_rlnB\n1 2 3\n");
        var cases = new (string[] Args, string Expected)[]
        {
            (["info", temp.File("broken.mrc")], "broken.mrc: truncated"),
            (["info", temp.File("broken.star")], "broken.star, line 5: row has 3 values"),
            (["info", temp.File("missing.mrc")], "missing.mrc: no such file"),
            (["info"], "Required argument 'FILE' missing"),
            (["demo", "--box", "2"], "--box = 2"),
            (["demo", "--pixel-size", "-1"], "--pixel-size = -1"),
            (["demo", "--threads", "0"], "--threads = 0"),
            (["nonsense"], "Unrecognized command or argument 'nonsense'"),
            (["demo", "--box", "abc"], "abc"),
        };
        foreach (var (args, expected) in cases)
        {
            var (code, output, error) = Run(args);
            Assert.True(code == 2, $"{string.Join(' ', args)} exited {code}: {error}");
            Assert.Contains(expected, error);
            // At most the line of resolved options (a command that started), then the error: one line.
            var lines = error.TrimEnd().Split('\n');
            Assert.InRange(lines.Length, 1, 2);
            Assert.DoesNotContain("   at ", error);
            Assert.StartsWith("cryosharp: error: ", lines[^1]);
            Assert.Contains(expected, lines[^1]);
            Assert.Equal("", output);
        }
    }

    [Fact]
    public void HelpOfEveryCommandStatesUnitsAndDefaults()
    {
        var (code, output, _) = Run("--help");
        Assert.Equal(0, code);
        Assert.Contains("info", output);
        Assert.Contains("demo", output);
        Assert.Contains("--threads", output);
        Assert.Contains("--seed", output);

        var (demoCode, demo, _) = Run("demo", "--help");
        Assert.Equal(0, demoCode);
        Assert.Contains("Pixel size in Å of the phantom [default: 3]", demo);
        Assert.Contains("[default: 64]", demo);

        var (infoCode, info, _) = Run("info", "--help");
        Assert.Equal(0, infoCode);
        Assert.Contains("pixel size in Å", info);
    }

    [Theory]
    [InlineData("simulate", "[default: uniform]")]
    [InlineData("ctf-correct", "[default: flip]")]
    [InlineData("mra sweep", "[default: bispectrum,em,oracle]")]
    [InlineData("mask", "[default: estimate]")]
    public void HelpNamesEachDefaultOnceAsTyped(string command, string expected)
    {
        var (code, output, _) = Run([.. command.Split(' '), "--help"]);
        Assert.Equal(0, code);
        Assert.Contains(expected, output);
        Assert.DoesNotMatch(@"\[default: [^\]]*\]\s*\[default:", output);
        Assert.DoesNotContain("[default: Uniform]", output);
        Assert.DoesNotContain("[default: Estimate]", output);
    }

    private static (int Code, string Output, string Error) Run(params string[] args) => CliRunner.Run(args);
}
