using CryoSharp.Tests.Support;

namespace CryoSharp.Tests.Cli;

public class RelionInteropTests
{
    [SkippableFact]
    public void RelionReadsOurStarFileFromTheProjectFolder()
    {
        // RELION resolves image paths from the folder it runs in (its project folder), so the STAR files we write name
        // their stacks relative to the folder cryosharp ran in: relion_reconstruct --i sim/particles.star works there.
        string? relion = ExternalProgram.FindOnPath("relion_reconstruct");
        Skip.If(relion is null, "RELION is not installed (apt-get install relion): relion_reconstruct not on PATH");
        using var temp = new TempDirectory();
        string cli = Path.Combine(AppContext.BaseDirectory, "CryoSharp.Cli.dll");
        var (code, output) = ExternalProgram.Execute("dotnet", temp.Path, cli, "simulate", "--phantom", "blobs", "--box", "24", "--pixel-size", "4",
            "--count", "60", "--snr", "inf", "--out", "sim");
        Assert.True(code == 0, output);
        Assert.Contains("000001@sim/particles.mrcs", File.ReadAllText(temp.File("sim/particles.star")));
        (code, output) = ExternalProgram.Execute(relion!, temp.Path, "--i", "sim/particles.star", "--o", "relion.mrc");
        Assert.True(code == 0, output);
        Assert.True(File.Exists(temp.File("relion.mrc")), output);
    }

    [SkippableFact]
    public void RelionReadsOurClass2DParticlesAndClasses()
    {
        string? handler = ExternalProgram.FindOnPath("relion_star_handler");
        string? images = ExternalProgram.FindOnPath("relion_image_handler");
        Skip.If(handler is null || images is null, "RELION is not installed (apt-get install relion): relion_star_handler not on PATH");
        using var temp = new TempDirectory();
        var (source, _, _, _) = Classification.Class2DTestData.Patterns(60, classes: 3, snr: 1, seed: 5);
        CryoSharp.Particles.ParticleSet.Save(source, temp.File("particles.mrcs"), temp.File("particles.star"), CryoSharp.IO.Star.ParticleColumns.Image);
        var (code, _, error) = CliRunner.Run("class2d", "--particles", temp.File("particles.star"), "--classes", "3", "--iterations", "2", "--psi-step", "20",
            "--offset-range", "2", "--offset-step", "1", "--out", temp.File("out"));
        Assert.True(code == 0, error);
        (code, var output) = ExternalProgram.Execute(handler!, temp.Path, "--i", "out/particles.star", "--o", "selected.star", "--select", "rlnClassNumber", "--minval", "1", "--maxval", "3");
        Assert.True(code == 0, output);
        Assert.Equal(60, File.ReadAllLines(temp.File("selected.star")).Count(l => l.Contains("@", StringComparison.Ordinal)));
        (code, output) = ExternalProgram.Execute(images!, temp.Path, "--i", "out/classes.mrcs", "--stats");
        Assert.True(code == 0, output);
        Assert.Equal(3, output.Split('\n').Count(l => l.Contains("classes.mrcs", StringComparison.Ordinal) && l.Contains(':', StringComparison.Ordinal)));
    }

    [SkippableFact]
    public void WeReadRelionsClass2DResult()
    {
        string data = SharedData.Require("real/relion-betagal-64px/Class2D/job010/run_it025_data.star");
        string classes = SharedData.Require("real/relion-betagal-64px/Class2D/job010/run_it025_classes.mrcs");
        var assignments = CryoSharp.Classification.Class2DFiles.ReadAssignments(data, 2374, 3.54);
        Assert.All(assignments.Class, c => Assert.InRange(c, 1, 50));
        Assert.InRange(assignments.Class.Distinct().Count(), 40, 50);
        Assert.All(assignments.MaxProbability, p => Assert.InRange(p, 0, 1));
        var stack = CryoSharp.IO.MrcReader.ReadStack(classes);
        Assert.Equal(50, stack.Count);
        Assert.Equal(64, stack.ImageShape.Nx);

        // The class sizes in the STAR file agree with the model's class distribution.
        var model = CryoSharp.IO.Star.StarDocument.Load(data.Replace("_data.star", "_model.star", StringComparison.Ordinal)).Find("model_classes")!.Loop!;
        int column = model.IndexOf("rlnClassDistribution");
        for (int c = 0; c < 50; c++)
        {
            double fraction = assignments.Class.Count(x => x == c + 1) / 2374.0;
            Assert.Equal(double.Parse(model.GetString(c, column), System.Globalization.CultureInfo.InvariantCulture), fraction, 0.05);
        }
    }
}
