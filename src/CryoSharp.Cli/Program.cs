namespace CryoSharp.Cli;

/// <summary>The <c>cryosharp</c> program.</summary>
public static class Program
{
    /// <summary>Runs a command; exit code 0 on success, 2 for a user error, 1 for an internal one.</summary>
    public static int Main(string[] args) => CryoSharpApp.Run(args, CliConsole.System);
}
