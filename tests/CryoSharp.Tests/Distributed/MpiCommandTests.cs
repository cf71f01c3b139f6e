using CryoSharp.Tests.Support;

namespace CryoSharp.Tests.Distributed;

/// <summary>The program under Open MPI's mpirun, two ranks on loopback, against one process.</summary>
public class MpiCommandTests
{
    private static readonly string Cli = Path.Combine(AppContext.BaseDirectory, "CryoSharp.Cli.dll");

    private static string RequireMpirun()
    {
        string? mpirun = ExternalProgram.FindOnPath("mpirun");
        bool ci = Environment.GetEnvironmentVariable("CI") == "true";
        Assert.False(ci && mpirun is null, "CI must run the MPI tests: mpirun is not on PATH (apt-get install openmpi-bin)");
        Skip.If(mpirun is null, "Open MPI is not installed (apt-get install openmpi-bin): mpirun not on PATH");
        return mpirun!;
    }

    private static (int Code, string Output) TwoRanks(string folder, params string[] args) =>
        ExternalProgram.Execute(RequireMpirun(), folder, ["--allow-run-as-root", "--oversubscribe", "-np", "2", "dotnet", Cli, .. args]);

    /// <summary>A simulated set of box 24 in <c>sim/</c>.</summary>
    private static void Simulate(TempDirectory temp, int count, double snr, double shiftSigmaA)
    {
        var (code, _, error) = CliRunner.Run("simulate", "--phantom", "blobs", "--box", "24", "--pixel-size", "4", "--count", Invariant(count),
            "--snr", Invariant(snr), "--apply-ctf", "--shift-sigma", Invariant(shiftSigmaA), "--out", temp.File("sim"));
        Assert.True(code == 0, error);
    }

    private static string Invariant(double value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Runs <paramref name="command"/> in this process into <c>one/</c> and on two ranks into <c>two/</c>; the ranks' output.</summary>
    private static string InOneProcessAndOnTwoRanks(TempDirectory temp, string[] command)
    {
        var (code, _, error) = CliRunner.Run([.. command, "--out", temp.File("one")]);
        Assert.True(code == 0, error);
        var (mpiCode, output) = TwoRanks(temp.Path, [.. command, "--out", temp.File("two")]);
        Assert.True(mpiCode == 0, output);
        return output;
    }

    /// <summary>max |a − b| over max |a|.</summary>
    private static double RelativeDifference(float[] a, float[] b)
    {
        double scale = a.Max(Math.Abs), worst = 0;
        for (int i = 0; i < a.Length; i++)
        {
            worst = Math.Max(worst, Math.Abs(a[i] - b[i]) / scale);
        }

        return worst;
    }

    [SkippableFact]
    public void TwoRanksReconstructTheMapsOneProcessDoes()
    {
        RequireMpirun();
        using var temp = new TempDirectory();
        Simulate(temp, count: 300, snr: 0.5, shiftSigmaA: 3);
        string output = InOneProcessAndOnTwoRanks(temp, ["reconstruct", "--particles", temp.File("sim/particles.star"), "--ctf", "-j", "1"]);

        // Each rank sums its half of the particles in double; the two sums are added once. The maps (single precision)
        // agree to the last bits at worst.
        foreach (var name in new[] { "map.mrc", "half1.mrc", "half2.mrc" })
        {
            double worst = RelativeDifference(CryoSharp.IO.MrcReader.ReadVolume(temp.File($"one/{name}")).Data,
                CryoSharp.IO.MrcReader.ReadVolume(temp.File($"two/{name}")).Data);
            Assert.True(worst <= 1e-6, $"{name}: max |Δ| / max |map| = {worst:G3}");
        }

        Assert.Equal(File.ReadAllText(temp.File("one/fsc.csv")), File.ReadAllText(temp.File("two/fsc.csv")));

        // Rank 0 alone wrote: one set of outputs, one line of results.
        Assert.Single(output.Split('\n'), line => line.Contains("gold-standard resolution", StringComparison.Ordinal));
    }

    [SkippableFact]
    public void TwoRanksClassifyAsOneProcessDoes()
    {
        RequireMpirun();
        using var temp = new TempDirectory();
        Simulate(temp, count: 200, snr: 0.2, shiftSigmaA: 3);
        InOneProcessAndOnTwoRanks(temp, ["class2d", "--particles", temp.File("sim/particles.star"), "--classes", "3", "--iterations", "3", "--psi-step", "15",
            "--offset-range", "3", "--offset-step", "1", "--ctf", "-j", "1"]);

        // The assignments are gathered exactly; the class sums differ only in the order the ranks' parts are added.
        var one = CryoSharp.IO.Star.ParticleTable.Load(temp.File("one/particles.star"));
        var two = CryoSharp.IO.Star.ParticleTable.Load(temp.File("two/particles.star"));
        Assert.Equal(one.Particles.Select(p => (p.ClassNumber, p.AnglePsiDeg, p.OriginXA, p.OriginYA)), two.Particles.Select(p => (p.ClassNumber, p.AnglePsiDeg, p.OriginXA, p.OriginYA)));
        var a = CryoSharp.IO.MrcReader.ReadStack(temp.File("one/classes.mrcs"));
        var b = CryoSharp.IO.MrcReader.ReadStack(temp.File("two/classes.mrcs"));
        for (int c = 0; c < a.Count; c++)
        {
            double worst = RelativeDifference(a[c].ToArray(), b[c].ToArray());
            Assert.True(worst <= 1e-5, $"class {c + 1}: max |Δ| / max |class| = {worst:G3}");
        }

        Assert.True(Directory.Exists(temp.File("two/iter003")), "rank 0 writes the iteration folders");
    }

    [SkippableFact]
    public void TwoRanksRefineAsOneProcessDoes()
    {
        RequireMpirun();
        using var temp = new TempDirectory();
        Simulate(temp, count: 200, snr: 0.5, shiftSigmaA: 2);
        InOneProcessAndOnTwoRanks(temp, ["refine3d", "--particles", temp.File("sim/particles.star"), "--reference", temp.File("sim/ground_truth.mrc"),
            "--initial-lowpass", "15", "--ctf", "--healpix-order", "1", "--offset-range", "2", "--offset-step", "1", "--max-iterations", "1", "-j", "1"]);

        // Poses are gathered exactly; the maps differ only in the order the ranks' sums are added (a last-bit change
        // that could, rarely, tip a pose between two equally good grid points).
        var one = CryoSharp.IO.Star.ParticleTable.Load(temp.File("one/particles.star"));
        var two = CryoSharp.IO.Star.ParticleTable.Load(temp.File("two/particles.star"));
        int same = one.Particles.Zip(two.Particles).Count(p => (p.First.AngleRotDeg, p.First.AngleTiltDeg, p.First.AnglePsiDeg, p.First.OriginXA, p.First.RandomSubset)
            == (p.Second.AngleRotDeg, p.Second.AngleTiltDeg, p.Second.AnglePsiDeg, p.Second.OriginXA, p.Second.RandomSubset));
        Assert.True(same >= 198, $"{same} of 200 poses agree");
        double worst = RelativeDifference(CryoSharp.IO.MrcReader.ReadVolume(temp.File("one/map.mrc")).Data,
            CryoSharp.IO.MrcReader.ReadVolume(temp.File("two/map.mrc")).Data);
        Assert.True(worst <= 1e-4, $"max |Δ| / max |map| = {worst:G3}");
    }

    [SkippableFact]
    public void TwoRanksGrowTheAbInitioMapOneProcessDoes()
    {
        RequireMpirun();
        using var temp = new TempDirectory();
        Simulate(temp, count: 200, snr: 0.5, shiftSigmaA: 2);
        InOneProcessAndOnTwoRanks(temp, ["abinitio", "--particles", temp.File("sim/particles.star"), "--iterations", "6", "--initial-minibatch", "40",
            "--final-minibatch", "60", "--checkpoint-every", "3", "--offset-range", "2", "-j", "1"]);

        // Each minibatch's E-step is split between the ranks. After three steps the maps differ in the last bits; SGD
        // carries such differences on, as it does between two thread counts in one process (there too about 1 pose in
        // 200 tips to a neighbouring grid point by the end).
        double early = RelativeDifference(CryoSharp.IO.MrcReader.ReadVolume(temp.File("one/iter003/class001.mrc")).Data,
            CryoSharp.IO.MrcReader.ReadVolume(temp.File("two/iter003/class001.mrc")).Data);
        Assert.True(early <= 1e-5, $"iteration 3: max |Δ| / max |map| = {early:G3}");
        double last = RelativeDifference(CryoSharp.IO.MrcReader.ReadVolume(temp.File("one/map.mrc")).Data,
            CryoSharp.IO.MrcReader.ReadVolume(temp.File("two/map.mrc")).Data);
        Assert.True(last <= 1e-2, $"final map: max |Δ| / max |map| = {last:G3}");
        var one = CryoSharp.IO.Star.ParticleTable.Load(temp.File("one/particles.star"));
        var two = CryoSharp.IO.Star.ParticleTable.Load(temp.File("two/particles.star"));
        int same = one.Particles.Zip(two.Particles).Count(p => (p.First.AngleRotDeg, p.First.AngleTiltDeg, p.First.AnglePsiDeg, p.First.RandomSubset)
            == (p.Second.AngleRotDeg, p.Second.AngleTiltDeg, p.Second.AnglePsiDeg, p.Second.RandomSubset));
        Assert.True(same >= 195, $"{same} of 200 poses agree");
    }

    [SkippableTheory]
    [InlineData("mtd", "autocorrelation", "--measurement-length", "4e6")]
    [InlineData("mtd", "em", "--measurement-length", "2e6")]
    [InlineData("mra", "moments", "--count", "40000")]
    [InlineData("mra", "em", "--count", "40000")]
    public void TwoRanksGiveTheEstimateOneProcessGivesBitForBit(string problem, string method, string sizeOption, string size)
    {
        string mpirun = RequireMpirun();
        using var temp = new TempDirectory();
        string[] command = [problem, "solve", "--method", method, sizeOption, size, "--max-iterations", "8", "--restarts", "4", "--json", "-j", "1"];
        var (code, output, error) = CliRunner.Run(command);
        Assert.True(code == 0, error);
        var (mpiCode, mpiOutput, mpiError) = ExternalProgram.ExecuteSeparately(mpirun, temp.Path,
            ["--allow-run-as-root", "--oversubscribe", "-np", "2", "dotnet", Cli, .. command]);
        Assert.True(mpiCode == 0, mpiError);

        // The chunks fall into fixed blocks whose sums are added in block order on every rank: the same tree of
        // additions as in one process. Standard output is the JSON alone (no terminal set-up sequence from mpirun's
        // pseudo-terminal).
        Assert.StartsWith("{", mpiOutput, StringComparison.Ordinal);
        using var one = System.Text.Json.JsonDocument.Parse(output);
        using var two = System.Text.Json.JsonDocument.Parse(mpiOutput);
        foreach (var key in new[] { "estimate", "relativeError", "iterations" })
        {
            Assert.Equal(one.RootElement.GetProperty(key).GetRawText(), two.RootElement.GetProperty(key).GetRawText());
        }
    }

    [SkippableFact]
    public void CommandsThatDoNotShareTheirWorkRefuseToRunUnderMpi()
    {
        RequireMpirun();
        using var temp = new TempDirectory();
        var (code, output) = TwoRanks(temp.Path, "simulate", "--phantom", "blobs", "--box", "16", "--count", "5", "--out", temp.File("s"));
        Assert.NotEqual(0, code);
        Assert.Contains("simulate does not share its work among MPI processes yet (those that do: abinitio, class2d, class3d, mra solve, mtd solve, reconstruct, refine3d): run it without mpirun", output);
        Assert.False(Directory.Exists(temp.File("s")), "nothing may be written");
        (code, output) = TwoRanks(temp.Path, "mra", "sweep", "--counts", "1e3");
        Assert.NotEqual(0, code);
        Assert.Contains("mra sweep does not share its work among MPI processes yet", output);
    }
}
