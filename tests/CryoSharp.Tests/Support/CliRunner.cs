using CryoSharp.Cli;

namespace CryoSharp.Tests.Support;

/// <summary>Runs the cryosharp program in-process with captured output, as a person would from a shell.</summary>
public static class CliRunner
{
    /// <summary>The exit code, standard output and standard error of one command line.</summary>
    public static (int Code, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = CryoSharpApp.Run(args, new CliConsole(output, error, interactive: false));
        return (code, output.ToString(), error.ToString());
    }
}
