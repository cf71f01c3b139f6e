using System.Diagnostics;
using CryoSharp.Tests.Support;

namespace CryoSharp.Tests.Cli;

public class RelionInteropTests
{
    [SkippableFact]
    public void RelionReadsOurStarFileFromTheProjectFolder()
    {
        // RELION resolves image paths from the folder it runs in (its project folder), so the STAR files we write name
        // their stacks relative to the folder cryosharp ran in: relion_reconstruct --i sim/particles.star works there.
        string? relion = FindOnPath("relion_reconstruct");
        Skip.If(relion is null, "RELION is not installed (apt-get install relion): relion_reconstruct not on PATH");
        using var temp = new TempDirectory();
        string cli = Path.Combine(AppContext.BaseDirectory, "CryoSharp.Cli.dll");
        var (code, output) = Execute("dotnet", temp.Path, cli, "simulate", "--phantom", "blobs", "--box", "24", "--pixel-size", "4",
            "--count", "60", "--snr", "inf", "--out", "sim");
        Assert.True(code == 0, output);
        Assert.Contains("000001@sim/particles.mrcs", File.ReadAllText(temp.File("sim/particles.star")));
        (code, output) = Execute(relion!, temp.Path, "--i", "sim/particles.star", "--o", "relion.mrc");
        Assert.True(code == 0, output);
        Assert.True(File.Exists(temp.File("relion.mrc")), output);
    }

    private static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, program)).FirstOrDefault(File.Exists);

    private static (int Code, string Output) Execute(string program, string folder, params string[] args)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(120_000))
        {
            process.Kill(entireProcessTree: true);
            return (-1, "timed out");
        }

        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}
