using System.Text.Json;
using CryoSharp.Cli;
using CryoSharp.IO;
using CryoSharp.IO.Star;
using CryoSharp.Numerics;
using CryoSharp.Tests.Support;

namespace CryoSharp.Tests.Cli;

public class SimulationCommandTests
{
    [Fact]
    public void SimulateWritesStackStarTruthAndReport()
    {
        using var temp = new TempDirectory();
        var (code, output, error) = Run("simulate", "--phantom", "blobs", "--box", "32", "--pixel-size", "4", "--count", "50", "--snr", "0.2",
            "--apply-ctf", "--shift-sigma", "2", "--views", "preferred", "--out", temp.Path, "--json");
        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.Equal(50, root.GetProperty("count").GetInt32());
        Assert.True(root.GetProperty("noiseSigma").GetDouble() > 0);
        var table = ParticleTable.Load(root.GetProperty("star").GetString()!);
        Assert.Equal(50, table.Count);
        Assert.True(table.Columns.HasFlag(ParticleColumns.RandomSubset | ParticleColumns.Defocus | ParticleColumns.Angles | ParticleColumns.Origins));
        Assert.Equal((4.0, 32), (table.OpticsGroups[0].PixelSizeA, table.OpticsGroups[0].ImageSize));
        using var stack = new MrcReader(root.GetProperty("particles").GetString()!);
        Assert.Equal(50, stack.SectionCount);
        Assert.Equal(32, MrcReader.ReadVolume(root.GetProperty("groundTruth").GetString()!).Nx);
        var report = File.ReadAllText(root.GetProperty("report").GetString()!);
        Assert.Equal(5, System.Text.RegularExpressions.Regex.Matches(report, "data:image/png;base64").Count);
    }

    [SkippableFact]
    public void ProjectReproducesRelionProject()
    {
        using var temp = new TempDirectory();
        var (code, output, error) = Run("project", "--volume", SharedData.Require("relion/ribosome_box64.mrc"), "--angles",
            SharedData.Require("relion/angles.star"), "--apply-ctf", "--out", temp.File("proj.mrcs"), "--json");
        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        var ours = MrcReader.ReadStack(json.RootElement.GetProperty("stack").GetString()!);
        var relion = MrcReader.ReadStack(SharedData.Require("relion/proj_ctf.mrcs"));
        for (int i = 0; i < 100; i++)
        {
            Assert.True(ImageComparison.Of(ours[i], relion[i]).Correlation > 0.99, $"image {i}");
        }

        var star = ParticleTable.Load(json.RootElement.GetProperty("star").GetString()!);
        // Outside the current folder the stack is named by its absolute path, which RELION finds from any folder.
        Assert.Equal(new ImageReference(100, Path.GetFullPath(temp.File("proj.mrcs"))), star.Particles[99].Image);
    }

    [SkippableFact]
    public void BadInputIsOneLineWithExitCodeTwo()
    {
        using var temp = new TempDirectory();
        var map = SharedData.Require("relion/ribosome_box64.mrc");
        CryoSharp.IO.MrcWriter.Write(temp.File("flat.mrc"), new CryoSharp.Imaging.Volume(16, 16, 8, 1.0));
        File.WriteAllText(temp.File("noangles.star"), "data_particles\nloop_\n_rlnImageName\n_rlnDefocusU\n1@a.mrcs 10000\n");
        File.WriteAllText(temp.File("badctf.star"), "data_particles\nloop_\n_rlnAngleRot\n_rlnAngleTilt\n_rlnAnglePsi\n_rlnDefocusU\n_rlnDefocusV\n_rlnDefocusAngle\n_rlnVoltage\n0 0 0 10000 10000 0 300\n0 0 0 -5 10000 0 300\n");
        var cases = new (string[] Args, string Expected)[]
        {
            (["project", "--volume", temp.File("flat.mrc"), "--angles", temp.File("noangles.star"), "--out", temp.File("o.mrcs")], "a cubic map"),
            (["project", "--volume", map, "--angles", temp.File("noangles.star"), "--out", temp.File("o.mrcs")], "has no _rlnAngleRot"),
            (["project", "--volume", map, "--angles", temp.File("badctf.star"), "--apply-ctf", "--out", temp.File("o.mrcs")], "line 11: particle 2 has an impossible CTF: defocus U (Å) = -5"),
            (["simulate", "--phantom", "blobs", "--snr", "0", "--out", temp.Path], "--snr = 0"),
            (["simulate", "--phantom", "blobs", "--snr", "-2", "--out", temp.Path], "--snr = -2"),
            (["simulate", "--volume", map, "--box", "128", "--out", temp.Path], "--box = 128: is larger than the volume"),
            (["simulate", "--out", temp.Path], "give exactly one of --volume, --phantom and --pdb"),
            (["simulate", "--phantom", "cube", "--out", temp.Path], "cube"),
            (["pdb2map", temp.File("missing.pdb"), "--out", temp.File("m.mrc")], "missing.pdb: no such file"),
        };
        foreach (var (args, expected) in cases)
        {
            var (code, _, error) = Run(args);
            Assert.True(code == 2, $"{string.Join(' ', args)} exited {code}: {error}");
            Assert.Contains(expected, error);
            Assert.Single(error.TrimEnd().Split('\n'), l => l.StartsWith("cryosharp: error", StringComparison.Ordinal));
            Assert.DoesNotContain("   at ", error);
        }
    }

    [SkippableFact]
    public void Pdb2MapHoldsTheModelsElectrons()
    {
        using var temp = new TempDirectory();
        var (code, output, error) = Run("pdb2map", SharedData.Require("pdb/1tii.pdb"), "--pixel-size", "2", "--resolution", "4", "--out", temp.File("m.mrc"), "--json");
        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        Assert.True(json.RootElement.GetProperty("electrons").GetDouble() > 30000);
        Assert.Equal(2.0, MrcReader.ReadVolume(temp.File("m.mrc")).PixelSizeA, 6);
    }

    private static (int Code, string Output, string Error) Run(params string[] args) => CliRunner.Run(args);
}
