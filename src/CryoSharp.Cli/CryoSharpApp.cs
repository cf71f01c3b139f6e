using System.CommandLine;
using CryoSharp.Cli.Commands;
using CryoSharp.IO;
using CryoSharp.Numerics;

namespace CryoSharp.Cli;

/// <summary>
/// Builds the command tree and runs it. The one place that turns errors into exit codes: a
/// <see cref="CryoSharpException"/> (bad file, impossible parameter) or a usage error is one line on standard
/// error and exit code 2; anything else is a bug, reported with its stack trace and exit code 1.
/// </summary>
public static partial class CryoSharpApp
{
    /// <summary>Exit code of a successful run.</summary>
    public const int Success = 0;

    /// <summary>Exit code of an internal error (a bug).</summary>
    public const int InternalError = 1;

    /// <summary>Exit code of a user error: bad input, bad parameters, bad usage.</summary>
    public const int UserError = 2;

    /// <summary>The commands that share their work among MPI ranks; the others refuse to run under <c>mpirun -np N</c>, N &gt; 1.</summary>
    public static readonly IReadOnlySet<string> DistributedCommands = new HashSet<string>(StringComparer.Ordinal) { "reconstruct", "class2d", "refine3d", "class3d", "abinitio", "mra solve", "mtd solve" };

    /// <summary>Parses and runs <paramref name="args"/>.</summary>
    public static int Run(string[] args, CliConsole console)
    {
        ArgumentNullException.ThrowIfNull(console);
        var globals = new GlobalOptions();
        if (!Distributed.Communicator.LaunchedByMpirun)
        {
            return Run(args, console, globals);
        }

        // Under mpirun every rank runs the command; rank 0 alone speaks and writes, and an error on any rank ends them
        // all (a rank that left alone would leave the others waiting in a reduction for ever).
        var errors = console.Error;
        Distributed.Communicator communicator;
        try
        {
            communicator = Distributed.Communicator.Start();
        }
        catch (CryoSharpException e)
        {
            errors.WriteLine($"cryosharp: error: {OneLine(e.Message)}");
            return UserError;
        }

        using (communicator)
        {
            globals.Communicator = communicator;
            var rankErrors = new StringWriter();
            int code = Run(args, communicator.IsRoot ? console : new CliConsole(TextWriter.Null, rankErrors, false), globals);
            if (code != Success && communicator.IsDistributed)
            {
                if (!communicator.IsRoot)
                {
                    errors.Write($"[rank {communicator.Rank}] {rankErrors}");
                }

                errors.Flush();
                communicator.Abort(code);
            }

            return code;
        }
    }

    private static int Run(string[] args, CliConsole console, GlobalOptions globals)
    {
        var root = BuildRoot(globals, console);
        ArgumentNullException.ThrowIfNull(args);
        if (args.Length == 0)
        {
            // A bare "cryosharp" is a question: answer with the help, but it did not run a command.
            WriteHelp(root.Parse(["--help"]), console);
            return UserError;
        }

        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            // A mistyped option is taken for an argument, and the parser then blames the good argument after it:
            // name the word that looks like an option instead.
            var unknown = parse.Tokens.FirstOrDefault(t => t.Type == System.CommandLine.Parsing.TokenType.Argument && t.Value.StartsWith("--", StringComparison.Ordinal));
            if (unknown is not null)
            {
                console.Error.WriteLine($"cryosharp: error: unknown option '{unknown.Value}' (see '{CommandPath(parse)} --help')");
                return UserError;
            }

            // The most specific complaints (an unknown word, a bad value) first; all on one line.
            var messages = parse.Errors.Select(e => OneLine(e.Message).TrimEnd('.')).Distinct()
                .OrderBy(m => m.StartsWith("Required command", StringComparison.Ordinal) ? 1 : 0);
            console.Error.WriteLine($"cryosharp: error: {string.Join("; ", messages)} (see '{CommandPath(parse)} --help')");
            return UserError;
        }

        if (parse.Action is System.CommandLine.Help.HelpAction)
        {
            return WriteHelp(parse, console);
        }

        try
        {
            string name = CommandPath(parse)["cryosharp ".Length..];
            if (globals.Communicator.IsDistributed && parse.CommandResult.Command.Action is not null && !DistributedCommands.Contains(name))
            {
                throw new CryoSharpException($"{name} does not share its work among MPI processes yet (those that do: {string.Join(", ", DistributedCommands.Order(StringComparer.Ordinal))}): run it without mpirun");
            }

            // A command that will run (not --help) first says what it will run with.
            if (parse.Action is not null && parse.CommandResult.Command.Action is not null && parse.Action == parse.CommandResult.Command.Action)
            {
                console.Error.WriteLine(ResolvedOptions.Describe(parse));
            }

            return parse.Invoke(new InvocationConfiguration
            {
                Output = console.Out,
                Error = console.Error,
                EnableDefaultExceptionHandler = false,
            });
        }
        catch (CryoSharpException e)
        {
            console.Error.WriteLine($"cryosharp: error: {OneLine(e.Message)}");
            return UserError;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            string reason = e is UnauthorizedAccessException ? "permission denied" : FileSystemError.Unusual(e) ?? "";
            console.Error.WriteLine($"cryosharp: error: {(reason.Length > 0 ? $"{reason} ({OneLine(e.Message)})" : OneLine(e.Message))}");
            return UserError;
        }
        catch (Exception e)
        {
            console.Error.WriteLine($"cryosharp: internal error (please report it with the command you ran): {e}");
            return InternalError;
        }
    }

    /// <summary>
    /// Writes the help of <paramref name="parse"/>. A choice option's description names its default as people type
    /// it ("phase-flip"), and the parser adds the enum's own name ("PhaseFlip") after it; only the first is kept.
    /// </summary>
    private static int WriteHelp(ParseResult parse, CliConsole console)
    {
        using var help = new StringWriter();
        int code = parse.Invoke(new InvocationConfiguration { Output = help, Error = console.Error });
        console.Out.Write(SecondDefault().Replace(help.ToString(), "$1"));
        return code;
    }

    // The parser wraps long descriptions, so the second default may start on the next line, or break inside.
    [System.Text.RegularExpressions.GeneratedRegex(@"(\[default: [^\]]*\]) *(?:\r?\n *)?\[default:\s+[^\]]*\]")]
    private static partial System.Text.RegularExpressions.Regex SecondDefault();

    /// <summary>The root command with every subcommand.</summary>
    public static RootCommand BuildRoot(GlobalOptions globals, CliConsole console)
    {
        ArgumentNullException.ThrowIfNull(globals);
        var root = new RootCommand(
            "CryoSharp: single-particle cryo-EM from the command line. Lengths in Å, angles in degrees, voltages in kV, " +
            "Cs in mm; files follow RELION's conventions (MRC, STAR).");
        root.Options.Add(globals.Threads);
        root.Options.Add(globals.Seed);
        root.Options.Add(globals.FftPlanning);
        root.Subcommands.Add(InfoCommand.Create(console));
        root.Subcommands.Add(DemoCommand.Create(globals, console));
        root.Subcommands.Add(SimulateCommand.Create(globals, console));
        root.Subcommands.Add(ProjectCommand.Create(globals, console));
        root.Subcommands.Add(Pdb2MapCommand.Create(globals, console));
        root.Subcommands.Add(CompareCommand.Create(console));
        root.Subcommands.Add(ReconstructCommand.Create(globals, console));
        root.Subcommands.Add(FscCommand.Create(globals, console));
        root.Subcommands.Add(MaskCommand.Create(globals, console));
        root.Subcommands.Add(CtfCorrectCommand.Create(globals, console));
        root.Subcommands.Add(Class2DCommand.Create(globals, console));
        root.Subcommands.Add(ScoreClassesCommand.Create(globals, console));
        root.Subcommands.Add(Refine3DCommand.Create(globals, console));
        root.Subcommands.Add(Class3DCommand.Create(globals, console));
        root.Subcommands.Add(AbInitioCommand.Create(globals, console));
        root.Subcommands.Add(ClassAverageCommand.Create(globals, console));
        root.Subcommands.Add(ScorePosesCommand.Create(console));
        root.Subcommands.Add(AlignCommand.Create(globals, console));
        root.Subcommands.Add(SyncCommand.Create(globals, console));
        root.Subcommands.Add(MraCommand.Create(globals, console));
        root.Subcommands.Add(MomentsCommand.Create(globals, console));
        root.Subcommands.Add(Mom3dCommand.Create(globals, console));
        root.Subcommands.Add(PosesCommand.Create(globals, console));
        root.Subcommands.Add(MtdCommand.Create(globals, console));
        root.Subcommands.Add(MicrographCommand.Create(globals, console));
        root.Subcommands.Add(Mtd2dCommand.Create(globals, console));
        root.Subcommands.Add(Mtd3dCommand.Create(globals, console));
        return root;
    }

    private static string CommandPath(ParseResult parse)
    {
        var names = new List<string> { "cryosharp" };
        for (var c = parse.CommandResult; c is not null; c = c.Parent as System.CommandLine.Parsing.CommandResult)
        {
            if (c.Command is not RootCommand)
            {
                names.Insert(1, c.Command.Name);
            }
        }

        return string.Join(' ', names);
    }

    private static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();
}
