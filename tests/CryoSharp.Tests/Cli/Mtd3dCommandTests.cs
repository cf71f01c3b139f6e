using System.Text.Json;
using CryoSharp.Tests.Support;

namespace CryoSharp.Tests.Cli;

public class Mtd3dCommandTests
{
    [Fact]
    public void SimulateThenSolveReportsTheFscAndContinuesWithAFinerSearch()
    {
        using var temp = new TempDirectory();
        string data = temp.File("data"), run = temp.File("em");
        var (code, output, error) = CliRunner.Run("micrograph", "simulate", "--phantom", "volume-blobs", "--size", "480", "--target-size", "9", "--density", "0.15",
            "--snr", "20", "--out", data, "--json");
        Assert.True(code == 0, error);

        // σ and L come from truth.json beside the micrograph.
        (code, output, error) = CliRunner.Run("mtd3d", "solve", "--micrograph", Path.Combine(data, "micrograph.mrc"), "--truth", Path.Combine(data, "target.mrc"),
            "--degree", "4", "--orientation-order", "0", "--blocks", "2", "--max-iterations", "4", "--out", run, "--json");
        Assert.True(code == 0, error);
        double first;
        using (var solved = JsonDocument.Parse(output))
        {
            var r = solved.RootElement;
            Assert.Equal(4, r.GetProperty("iterations").GetInt32());
            Assert.Equal(72, r.GetProperty("orientations").GetInt32());
            first = r.GetProperty("resolution05").GetDouble();

            // 9 voxels of 2 Å: Nyquist is 4 Å, the box 18 Å; a volume that had learnt nothing would not reach 12 Å.
            Assert.InRange(first, 4, 12);
            Assert.InRange(r.GetProperty("gamma").GetDouble(), 0.05, 0.3);
        }

        foreach (var name in new[] { "estimate.mrc", "report.html", "run.json", Path.Combine("iter004", "state.json"), Path.Combine("iter004", "estimate.mrc") })
        {
            Assert.True(File.Exists(Path.Combine(run, name)), name);
        }

        Assert.Contains("FSC against the truth", File.ReadAllText(Path.Combine(run, "report.html")));
        (code, output, error) = CliRunner.Run("mtd3d", "solve", "--continue", run, "--orientation-order", "1", "--blocks", "1", "--max-iterations", "5", "--json");
        Assert.True(code == 0, error);
        using (var continued = JsonDocument.Parse(output))
        {
            var r = continued.RootElement;
            Assert.Equal(5, r.GetProperty("iterations").GetInt32());
            Assert.Equal(4, r.GetProperty("continuedFrom").GetInt32());
            Assert.Equal(576, r.GetProperty("orientations").GetInt32());
        }

        Assert.Contains("\"orientationOrder\": 1", File.ReadAllText(Path.Combine(run, "run.json")));
    }

    [Fact]
    public void BadInputIsOneLineNamingTheOption()
    {
        using var temp = new TempDirectory();
        string data = temp.File("data");
        var (code, _, error) = CliRunner.Run("micrograph", "simulate", "--phantom", "volume-blobs", "--size", "90", "--target-size", "9", "--density", "0.1",
            "--out", data);
        Assert.True(code == 0, error);
        string micrograph = Path.Combine(data, "micrograph.mrc");
        string bare = temp.File("bare.mrc");
        File.Copy(micrograph, bare);
        foreach (var (args, needle) in new (string[], string)[]
        {
            (["mtd3d", "solve", "--micrograph", bare, "--out", temp.File("y")], "--volume-size"),
            (["mtd3d", "solve", "--micrograph", bare, "--volume-size", "9", "--out", temp.File("y")], "--sigma"),
            (["mtd3d", "solve", "--micrograph", micrograph, "--blocks", "0", "--out", temp.File("y")], "--blocks"),
            (["mtd3d", "solve", "--micrograph", micrograph, "--orientation-order", "5", "--out", temp.File("y")], "--orientation-order"),
            (["mtd3d", "solve", "--micrograph", micrograph, "--start-band-limit", "0.8", "--out", temp.File("y")], "--start-band-limit"),
            (["mtd3d", "solve", "--micrograph", micrograph, "--truth", micrograph, "--out", temp.File("y")], "micrograph.mrc"),
            (["mtd3d", "solve", "--continue", temp.File("nothing")], "run.json"),
        })
        {
            (code, var output, error) = CliRunner.Run(args);
            Assert.True(code == 2, $"{string.Join(' ', args)}: exit {code}, {output}{error}");
            Assert.Contains(needle, error);
            Assert.DoesNotContain("   at ", error);
            Assert.Single(error.Split('\n'), line => line.StartsWith("cryosharp: error", StringComparison.Ordinal));
            Assert.False(Directory.Exists(temp.File("y")), "a refused run leaves no output folder");
        }
    }
}
