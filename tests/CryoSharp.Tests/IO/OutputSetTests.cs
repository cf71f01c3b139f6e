using System.Diagnostics;
using System.Security.Cryptography;
using CryoSharp.IO;
using CryoSharp.Tests.Support;

namespace CryoSharp.Tests.IO;

public class OutputSetTests
{
    [Fact]
    public void FilesAppearOnlyWhenCommittedAndASecondRunIsRefused()
    {
        using var temp = new TempDirectory();
        string folder = temp.File("out");
        File.WriteAllText(temp.File("keep.txt"), "an input beside the outputs");
        using (var set = OutputSet.Begin(folder))
        {
            File.WriteAllText(set.Stage("a.txt"), "new a");
            File.WriteAllText(set.Stage("b.txt"), "new b");
            Assert.False(File.Exists(Path.Combine(folder, "a.txt")));
            var second = Assert.Throws<InvalidParameterException>(() => OutputSet.Begin(folder));
            Assert.Contains("another cryosharp run", second.Message);
            Assert.Contains($"(process {Environment.ProcessId}, started ", second.Message);
            Assert.Contains($"kill {Environment.ProcessId}", second.Message);
            set.Commit();
        }

        Assert.Equal("new a", File.ReadAllText(Path.Combine(folder, "a.txt")));
        Assert.Equal("new b", File.ReadAllText(Path.Combine(folder, "b.txt")));
        Assert.Empty(Directory.GetDirectories(folder));

        // A run that fails before committing leaves the old set as it was, and no staging folder.
        using (var failed = OutputSet.Begin(folder))
        {
            File.WriteAllText(failed.Stage("a.txt"), "half-written a");
        }

        Assert.Equal("new a", File.ReadAllText(Path.Combine(folder, "a.txt")));
        Assert.Empty(Directory.GetDirectories(folder));
    }

    [Fact]
    public void TheNextRunFinishesACommitThatWasKilledHalfway()
    {
        using var temp = new TempDirectory();
        string folder = temp.File("out");
        Directory.CreateDirectory(Path.Combine(folder, ".cryosharp-staging-1-x"));
        Directory.CreateDirectory(Path.Combine(folder, ".cryosharp-staging-2-y"));
        File.WriteAllText(Path.Combine(folder, "a.txt"), "new a (already moved)");
        File.WriteAllText(Path.Combine(folder, "b.txt"), "old b");
        File.WriteAllText(Path.Combine(folder, ".cryosharp-staging-1-x", "b.txt"), "new b");
        File.WriteAllText(Path.Combine(folder, ".cryosharp-staging-2-y", "junk.tmp"), "a killed run's temporary file");
        File.WriteAllText(Path.Combine(folder, ".cryosharp.journal"), ".cryosharp-staging-1-x/a.txt\n.cryosharp-staging-1-x/b.txt\n");
        using (OutputSet.Begin(folder))
        {
            Assert.Equal("new b", File.ReadAllText(Path.Combine(folder, "b.txt")));
            Assert.False(File.Exists(Path.Combine(folder, ".cryosharp.journal")));
            Assert.Single(Directory.GetDirectories(folder)); // only this run's staging folder
        }
    }

    [Fact]
    public void AKilledSimulationLeavesTheOldSetOrTheNewOne()
    {
        using var temp = new TempDirectory();
        string cli = Path.Combine(AppContext.BaseDirectory, "CryoSharp.Cli.dll");
        string[] Simulate(string folder, int seed) => ["exec", cli, "simulate", "--phantom", "blobs", "--box", "32", "--count", "3000", "--snr", "1",
            "--seed", seed.ToString(System.Globalization.CultureInfo.InvariantCulture), "--out", folder];
        Assert.Equal(0, Execute(temp.Path, Simulate("old", 1), killAfterMs: null));
        Assert.Equal(0, Execute(temp.Path, Simulate("new", 2), killAfterMs: null));
        var oldSet = Hashes(temp.File("old"));
        var newSet = Hashes(temp.File("new"));
        Assert.NotEqual(oldSet, newSet);

        foreach (int ms in new[] { 300, 700, 1100, 1500, 2000, 3000 })
        {
            string target = temp.File($"target{ms}");
            CopyFolder(temp.File("old"), target);
            Execute(temp.Path, Simulate($"target{ms}", 2), killAfterMs: ms);
            if (File.Exists(Path.Combine(target, ".cryosharp.journal")))
            {
                // Killed during the renames: the next run into the folder finishes them first.
                OutputSet.Begin(target).Dispose();
            }

            var found = Hashes(target);
            Assert.True(found.SequenceEqual(oldSet) || found.SequenceEqual(newSet), $"killed after {ms} ms: a mixed set");
        }
    }

    [SkippableFact]
    public void AKilledReconstructionLeavesTheOldMapsOrTheNewOnes()
    {
        using var temp = new TempDirectory();
        string cli = Path.Combine(AppContext.BaseDirectory, "CryoSharp.Cli.dll");
        string star = SharedData.Require("relion/proj_ctf.star");
        string[] Reconstruct(string folder, string regularisation) =>
            ["exec", cli, "reconstruct", "--particles", star, "--ctf", "--regularisation", regularisation, "--out", folder];
        string[] names = ["map.mrc", "half1.mrc", "half2.mrc", "fsc.csv", "fsc.svg"];
        Assert.Equal(0, Execute(temp.Path, Reconstruct("old", "0"), killAfterMs: null));
        Assert.Equal(0, Execute(temp.Path, Reconstruct("new", "auto"), killAfterMs: null));
        var oldSet = Hashes(temp.File("old"), names);
        var newSet = Hashes(temp.File("new"), names);
        Assert.NotEqual(oldSet, newSet);
        foreach (int ms in new[] { 400, 800, 1200, 1600, 2400 })
        {
            string target = temp.File($"target{ms}");
            CopyFolder(temp.File("old"), target);
            Execute(temp.Path, Reconstruct($"target{ms}", "auto"), killAfterMs: ms);
            if (File.Exists(Path.Combine(target, ".cryosharp.journal")))
            {
                OutputSet.Begin(target).Dispose();
            }

            var found = Hashes(target, names);
            Assert.True(found.SequenceEqual(oldSet) || found.SequenceEqual(newSet), $"killed after {ms} ms: a mixed set");
        }
    }

    private static string[] Hashes(string folder, string[] names) =>
        [.. names.Select(n => Path.Combine(folder, n)).Select(f => File.Exists(f) ? Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f))) : "missing")];

    private static int Execute(string folder, string[] args, int? killAfterMs)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        if (killAfterMs is int ms && !process.WaitForExit(ms))
        {
            process.Kill(entireProcessTree: true);
        }

        process.WaitForExit();
        return process.ExitCode;
    }

    /// <summary>The data files of a simulation (the report carries the time it was made, so it is left out).</summary>
    /// <remarks>The STAR file names its stack with its folder, which is taken out before hashing.</remarks>
    private static string[] Hashes(string folder) =>
        [.. new[] { "particles.mrcs", "particles.star", "ground_truth.mrc" }
            .Select(n => Path.Combine(folder, n))
            .Select(f => !File.Exists(f) ? "missing"
                : f.EndsWith(".star", StringComparison.Ordinal)
                    ? Convert.ToHexString(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(System.Text.RegularExpressions.Regex.Replace(File.ReadAllText(f), @"@\S*particles\.mrcs", "@particles.mrcs"))))
                    : Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f))))];

    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
    }
}
