using System.Text.Json;
using CryoSharp.IO;
using CryoSharp.Tests.Support;

namespace CryoSharp.Tests.Cli;

public class ReconstructionCommandTests
{
    [Fact]
    public void SimulateReconstructFscAndCtfCorrectChainTogether()
    {
        using var temp = new TempDirectory();
        var (code, _, error) = CliRunner.Run("simulate", "--phantom", "blobs", "--box", "32", "--pixel-size", "4", "--count", "600", "--snr", "1",
            "--apply-ctf", "--out", temp.File("sim"));
        Assert.True(code == 0, error);

        (code, var output, error) = CliRunner.Run("reconstruct", "--particles", temp.File("sim/particles.star"), "--ctf", "--out", temp.File("rec"), "--json");
        Assert.True(code == 0, error);
        using var rec = JsonDocument.Parse(output);
        double resolution = rec.RootElement.GetProperty("resolution0143").GetDouble();
        Assert.InRange(resolution, 8, 40);
        foreach (var key in new[] { "map", "half1", "half2", "fscCsv", "fscPlot", "report" })
        {
            Assert.True(File.Exists(rec.RootElement.GetProperty(key).GetString()), key);
        }

        Assert.StartsWith("shell,frequency_per_A,resolution_A,fsc", File.ReadAllText(temp.File("rec/fsc.csv")));

        (code, output, error) = CliRunner.Run("fsc", temp.File("rec/half1.mrc"), temp.File("rec/half2.mrc"), "--json", "--plot", temp.File("fsc.svg"));
        Assert.True(code == 0, error);
        using var fsc = JsonDocument.Parse(output);
        Assert.Equal(resolution, fsc.RootElement.GetProperty("resolution0143").GetDouble(), 6);
        Assert.True(fsc.RootElement.GetProperty("resolution05").GetDouble() >= resolution);
        var curve = fsc.RootElement.GetProperty("curve");
        Assert.Equal(17, curve.GetArrayLength());
        Assert.Equal(4.0 / (32 * 4), curve[4].GetProperty("frequency").GetDouble(), 12); // shell s is s/(n·pixel) 1/Å
        Assert.True(File.Exists(temp.File("fsc.svg")));

        (code, output, error) = CliRunner.Run("ctf-correct", "--particles", temp.File("sim/particles.star"), "--mode", "wiener", "--out", temp.File("corr"), "--json");
        Assert.True(code == 0, error);
        using var corrected = JsonDocument.Parse(output);
        Assert.Equal(600, corrected.RootElement.GetProperty("particles").GetInt32());
        using var stack = new MrcReader(temp.File("corr/corrected.mrcs"));
        Assert.Equal(600, stack.SectionCount);
        // Wiener-filtered images have no CTF left to correct: their STAR file has no CTF columns, and correcting
        // them again is refused.
        Assert.DoesNotContain("_rlnDefocusU", File.ReadAllText(temp.File("corr/corrected.star")));
        (code, _, error) = CliRunner.Run("ctf-correct", "--particles", temp.File("corr/corrected.star"), "--mode", "flip", "--out", temp.File("again"));
        Assert.Equal(2, code);
        Assert.Contains("ctf-correct needs", error);

        // Phase-flipped images say so, and reconstruct --ctf applies |CTF| to them, not the CTF a second time: the
        // resolution is that of the original particles.
        (code, _, error) = CliRunner.Run("ctf-correct", "--particles", temp.File("sim/particles.star"), "--mode", "flip", "--out", temp.File("flip"));
        Assert.True(code == 0, error);
        Assert.Contains("_rlnCtfDataArePhaseFlipped", File.ReadAllText(temp.File("flip/corrected.star")));
        (code, output, error) = CliRunner.Run("reconstruct", "--particles", temp.File("flip/corrected.star"), "--ctf", "--out", temp.File("recflip"), "--json");
        Assert.True(code == 0, error);
        using var flipped = JsonDocument.Parse(output);
        Assert.Equal(resolution, flipped.RootElement.GetProperty("resolution0143").GetDouble(), 0.05 * resolution);
    }

    [Fact]
    public void BadReconstructionInputIsOneLine()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.File("noangles.star"), "data_particles\nloop_\n_rlnImageName\n1@a.mrcs\n");
        File.WriteAllText(temp.File("nostack.star"), "data_particles\nloop_\n_rlnImageName\n_rlnAngleRot\n_rlnAngleTilt\n_rlnAnglePsi\n1@nowhere.mrcs 0 0 0\n");
        var cases = new (string[] Args, string Expected)[]
        {
            (["reconstruct", "--particles", temp.File("noangles.star"), "--out", temp.File("o")], "needs _rlnImageName and _rlnAngleRot"),
            (["reconstruct", "--particles", temp.File("nostack.star"), "--out", temp.File("o")], "line 7: image stack nowhere.mrcs not found"),
            (["reconstruct", "--particles", temp.File("nostack.star"), "--regularisation", "-1", "--out", temp.File("o")], "--regularisation = -1"),
            (["reconstruct", "--particles", temp.File("nostack.star"), "--regularisation", "lots", "--out", temp.File("o")], "--regularisation = lots"),
            (["fsc", temp.File("a.mrc"), temp.File("b.mrc")], "a.mrc: no such file"),
            (["ctf-correct", "--particles", temp.File("noangles.star"), "--out", temp.File("o")], "ctf-correct needs"),
        };
        foreach (var (args, expected) in cases)
        {
            var (code, _, error) = CliRunner.Run(args);
            Assert.True(code == 2, $"{string.Join(' ', args)} exited {code}: {error}");
            Assert.Contains(expected, error);
            Assert.DoesNotContain("   at ", error);
        }
    }

    [Fact]
    public void SymmetryIsImposedOnTheHalvesAndUnknownGroupsAreRefused()
    {
        using var temp = new TempDirectory();
        var (code, _, error) = CliRunner.Run("simulate", "--phantom", "blobs", "--box", "32", "--pixel-size", "4", "--count", "200", "--snr", "1", "--out", temp.File("sim"));
        Assert.True(code == 0, error);
        (code, _, error) = CliRunner.Run("reconstruct", "--particles", temp.File("sim/particles.star"), "--sym", "C4", "--out", temp.File("c4"));
        Assert.True(code == 0, error);

        // A C4 map is unchanged by a quarter turn about z: (x, y) → (n − y, x) about the centre n/2.
        var map = MrcReader.ReadVolume(temp.File("c4/half1.mrc"));
        int n = map.Nx;
        double dot = 0, norm = 0;
        for (int z = 2; z < n - 2; z++)
        {
            for (int y = 2; y < n - 2; y++)
            {
                for (int x = 2; x < n - 2; x++)
                {
                    double a = map[x, y, z], b = map[n - y, x, z];
                    dot += a * b;
                    norm += a * a;
                }
            }
        }

        Assert.True(dot / norm > 0.99, $"half map against its quarter turn: {dot / norm:0.0000}");
        (code, _, error) = CliRunner.Run("reconstruct", "--particles", temp.File("sim/particles.star"), "--sym", "Q7", "--out", temp.File("bad"));
        Assert.Equal(2, code);
        Assert.Contains("--symmetry", error);
    }
}
