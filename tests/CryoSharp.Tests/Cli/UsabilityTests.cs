using System.Text.Json;
using CryoSharp.Cli;
using CryoSharp.Imaging;
using CryoSharp.IO;
using CryoSharp.Numerics;
using CryoSharp.Tests.Support;

namespace CryoSharp.Tests.Cli;

public class UsabilityTests
{
    [SkippableFact]
    public void AMapWithoutAPixelSizeIsRefusedUntilOneIsGiven()
    {
        // The 70S map's header has no pixel size: taking it as 1 Å silently made CTF moiré of the particles.
        string map = SharedData.Require("ribosome70S_65.mrc");
        using var temp = new TempDirectory();
        var (code, _, error) = CliRunner.Run("simulate", "--volume", map, "--apply-ctf", "--box", "64", "--count", "4", "--out", temp.File("a"));
        Assert.Equal(2, code);
        Assert.Contains("ribosome70S_65.mrc: the header gives no pixel size; give it with --pixel-size", error);
        (code, _, error) = CliRunner.Run("simulate", "--volume", map, "--apply-ctf", "--pixel-size", "4.2", "--box", "64", "--count", "4", "--out", temp.File("b"));
        Assert.True(code == 0, error);
        (code, _, error) = CliRunner.Run("project", "--volume", map, "--angles", SharedData.Require("relion/angles.star"), "--out", temp.File("p.mrcs"));
        Assert.Equal(2, code);
        Assert.Contains("--pixel-size", error);
    }

    [Fact]
    public void FscRefusesMixedPixelSizesAndSaysWhenItNeverCrosses()
    {
        using var temp = new TempDirectory();
        var map = new GaussianBlobPhantom { Seeds = new SeedSequence(3) }.Create(24, 2.0);
        MrcWriter.Write(temp.File("a.mrc"), map);
        MrcWriter.Write(temp.File("b.mrc"), new Volume(24, 24, 24, 3.0, map.Data));
        var (code, _, error) = CliRunner.Run("fsc", temp.File("a.mrc"), temp.File("b.mrc"));
        Assert.Equal(2, code);
        Assert.Contains("b.mrc: has 3 Å pixels but", error);

        // A map against itself never falls below either threshold: the resolution is beyond Nyquist, not Nyquist.
        (code, var output, error) = CliRunner.Run("fsc", temp.File("a.mrc"), temp.File("a.mrc"));
        Assert.True(code == 0, error);
        Assert.Contains("FSC = 0.143 (between half maps): beyond Nyquist (4.00 Å)", output);
        Assert.Contains("FSC = 0.5 (against a reference map)", output);
        (_, output, _) = CliRunner.Run("fsc", temp.File("a.mrc"), temp.File("a.mrc"), "--json");
        using var json = JsonDocument.Parse(output);
        Assert.False(json.RootElement.GetProperty("crosses0143").GetBoolean());
    }

    [Fact]
    public void TinyDataSetsWarnThatTheirResolutionMeansLittle()
    {
        using var temp = new TempDirectory();
        var (code, _, error) = CliRunner.Run("simulate", "--phantom", "blobs", "--box", "16", "--count", "6", "--snr", "1", "--out", temp.File("sim"));
        Assert.True(code == 0, error);
        (code, var output, error) = CliRunner.Run("reconstruct", "--particles", temp.File("sim/particles.star"), "--out", temp.File("rec"), "--json");
        Assert.True(code == 0, error);
        Assert.Contains("cryosharp: warning: only", error);
        using var json = JsonDocument.Parse(output);
        Assert.Contains("gold-standard FSC is dominated by noise", json.RootElement.GetProperty("warnings")[0].GetString());
        Assert.Contains("warning", File.ReadAllText(temp.File("rec/report.html")));

        // Every particle in one half set cannot give a gold-standard FSC at all: refused, not an all-zero half map.
        var table = CryoSharp.IO.Star.ParticleTable.Load(temp.File("sim/particles.star"));
        table.Particles.ForEach(p => p.RandomSubset = 1);
        table.Save(temp.File("sim/one.star"));
        (code, _, error) = CliRunner.Run("reconstruct", "--particles", temp.File("sim/one.star"), "--out", temp.File("one"));
        Assert.Equal(2, code);
        Assert.Contains("half sets = 6 + 0 particles: a gold-standard reconstruction needs particles in both halves", error);
        Assert.False(Directory.Exists(temp.File("one")));
    }

    [Fact]
    public void RedirectedProgressIsPlainLines()
    {
        // Not on a terminal, long work prints plain lines ("Reconstructing: 3/10 (30%) after 1.2 s, about 2 s left").
        var error = new StringWriter();
        var console = new CliConsole(new StringWriter(), error, interactive: false);
        ProgressDisplay.Run(console, "Working", 10, progress =>
        {
            for (int i = 1; i <= 10; i++)
            {
                progress.Report(i);
            }
        }, firstLineAfterSeconds: 0);
        var lines = error.ToString().TrimEnd().Split('\n');
        Assert.Contains(lines, l => l.StartsWith("Working: 1/10 (10%) after", StringComparison.Ordinal));
        Assert.Equal("Working: 10/10 (100%)", lines[^1][..21]);
        Assert.InRange(lines.Length, 2, 11);
    }
}
