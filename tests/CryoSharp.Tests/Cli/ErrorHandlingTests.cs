using System.Diagnostics;
using CryoSharp.Tests.Support;

namespace CryoSharp.Tests.Cli;

public class ErrorHandlingTests
{
    [SkippableFact]
    public void PipesAndFoldersAreRefusedInsteadOfWaitedOn()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "named pipes are made with mkfifo on Linux");
        using var temp = new TempDirectory();
        using (var mkfifo = Process.Start("mkfifo", temp.File("pipe")))
        {
            mkfifo.WaitForExit();
        }

        foreach (var path in new[] { temp.File("pipe"), temp.Path })
        {
            var run = Task.Run(() => CliRunner.Run("info", path));
            Assert.True(run.Wait(TimeSpan.FromSeconds(30)), $"info {path} did not return");
            var (code, _, error) = run.Result;
            Assert.Equal(2, code);
            Assert.Matches("is (not a regular file|a folder)", error);
        }
    }

    [Fact]
    public void InfoWarnsOfWhatRelionWillNotRead()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.File("windows.star"), "data_\r\nloop_\r\n_rlnImageName\r\n1@a.mrcs\r\n");
        var (code, output, error) = CliRunner.Run("info", temp.File("windows.star"));
        Assert.True(code == 0, error);
        Assert.Contains("WARNING      the file has Windows line endings (CRLF), which RELION does not read", output);
        Assert.Contains("a data_ block has no name", output);
        (code, output, _) = CliRunner.Run("info", SharedData.Require("relion/proj_ctf.star"));
        Assert.Equal(0, code);
        Assert.DoesNotContain("WARNING", output);
    }
}
