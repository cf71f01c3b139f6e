using Spectre.Console;

namespace CryoSharp.Cli;

/// <summary>
/// Where a command writes: results to <see cref="Out"/>, messages and progress to <see cref="Error"/>. Tests
/// pass string writers; the program passes the process's streams.
/// </summary>
public sealed class CliConsole
{
    /// <summary>Creates a console over two writers; progress bars are shown only when <paramref name="interactive"/>.</summary>
    public CliConsole(TextWriter output, TextWriter error, bool interactive)
    {
        Out = output;
        Error = error;
        Interactive = interactive;
        ErrorConsole = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(error),
            Ansi = interactive ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = interactive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = interactive ? InteractionSupport.Detect : InteractionSupport.No,
        });
    }

    /// <summary>The process's standard output and error; interactive when standard error is a terminal.</summary>
    public static CliConsole System
    {
        get
        {
            if (Distributed.Communicator.LaunchedByMpirun)
            {
                // mpirun gives each rank a pseudo-terminal for standard output even when its own output goes to a
                // pipe, and .NET's console would set that terminal up by writing an escape sequence into it (ahead
                // of --json output, for one). A terminal type without such sequences keeps the output plain.
                Environment.SetEnvironmentVariable("TERM", "dumb");
            }

            return new(Console.Out, Console.Error, !Console.IsErrorRedirected);
        }
    }

    /// <summary>Results (text or JSON).</summary>
    public TextWriter Out { get; }

    /// <summary>Messages, warnings and errors.</summary>
    public TextWriter Error { get; }

    /// <summary>True when a person is watching standard error (progress bars are worth drawing).</summary>
    public bool Interactive { get; }

    /// <summary>Spectre console on standard error, for progress bars.</summary>
    public IAnsiConsole ErrorConsole { get; }
}
