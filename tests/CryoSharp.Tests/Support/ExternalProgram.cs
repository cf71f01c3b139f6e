using System.Diagnostics;

namespace CryoSharp.Tests.Support;

/// <summary>Other programs the tests run (RELION, mpirun, the cryosharp program itself as a separate process).</summary>
public static class ExternalProgram
{
    /// <summary>The path of <paramref name="program"/> on PATH, or null.</summary>
    public static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, program)).FirstOrDefault(File.Exists);

    /// <summary>Runs a program in <paramref name="folder"/>; its exit code and its standard output and error together (−1 after 2 minutes).</summary>
    public static (int Code, string Output) Execute(string program, string folder, params string[] args)
    {
        var (code, output, error) = ExecuteSeparately(program, folder, args);
        return (code, output + error);
    }

    /// <summary>Runs <paramref name="program"/> in <paramref name="folder"/> (two minutes at most); its exit code, standard output and standard error.</summary>
    public static (int Code, string Output, string Error) ExecuteSeparately(string program, string folder, params string[] args)
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
            return (-1, "", "timed out");
        }

        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
