using CryoSharp.Imaging;
using CryoSharp.IO;
using CryoSharp.Numerics;
using CryoSharp.Tests.Support;

namespace CryoSharp.Tests.Cli;

public class OutputSafetyTests
{
    [SkippableFact]
    public void NoCommandWritesOverItsInput()
    {
        using var temp = new TempDirectory();
        var map = new GaussianBlobPhantom { Seeds = new SeedSequence(2) }.Create(16, 4.0);
        MrcWriter.Write(temp.File("map.mrc"), map);
        var (code, _, error) = CliRunner.Run("simulate", "--volume", temp.File("map.mrc"), "--count", "20", "--snr", "1", "--out", temp.File("sim"));
        Assert.True(code == 0, error);
        File.Copy(temp.File("sim/ground_truth.mrc"), temp.File("truth.mrc"));
        File.Copy(temp.File("map.mrc"), temp.File("sim/map.mrc"));
        File.CreateSymbolicLink(temp.File("link.mrc"), temp.File("map.mrc"));
        string angles = SharedData.Require("relion/angles.star");
        var before = Snapshot(temp.Path);
        var cases = new (string[] Args, string Expected)[]
        {
            (["project", "--volume", temp.File("map.mrc"), "--angles", angles, "--out", temp.File("map.mrc")], "--out = "),
            (["project", "--volume", temp.File("map.mrc"), "--angles", temp.File("sim/particles.star"), "--out", temp.File("sim/particles.mrcs")], "would overwrite the input"),
            (["project", "--volume", temp.File("link.mrc"), "--angles", angles, "--out", temp.File("map.mrc")], "would overwrite the input"),
            (["fsc", temp.File("map.mrc"), temp.File("truth.mrc"), "--plot", temp.File("truth.mrc")], "--plot = "),
            (["pdb2map", temp.File("map.mrc"), "--out", temp.File("map.mrc")], "--out = "),
            (["simulate", "--volume", temp.File("sim/ground_truth.mrc"), "--count", "5", "--out", temp.File("sim")], "would overwrite the input"),
            (["reconstruct", "--particles", temp.File("sim/particles.star"), "--mask", temp.File("sim/map.mrc"), "--out", temp.File("sim")], "would overwrite the input sim/map.mrc".Replace("sim/", temp.File("sim") + "/")),
            (["ctf-correct", "--particles", temp.File("sim/particles.star"), "--out", temp.File("sim")], ""),
        };
        foreach (var (args, expected) in cases)
        {
            (code, _, error) = CliRunner.Run(args);
            Assert.True(code == 2, $"{string.Join(' ', args)} exited {code}: {error}");
            Assert.Contains(expected, error);
            Assert.Equal(before, Snapshot(temp.Path));
        }
    }

    private static Dictionary<string, string> Snapshot(string folder) =>
        Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .ToDictionary(f => f, f => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(f))));
}
