using System.CommandLine;

namespace CryoSharp.Cli;

/// <summary>Options every command takes.</summary>
public sealed class GlobalOptions
{
    /// <summary>Threads for parallel work.</summary>
    public Option<int> Threads { get; } = new("--threads", "-j")
    {
        Description = "Threads to use for parallel work (default: all processors).",
        Recursive = true,
        DefaultValueFactory = _ => Environment.ProcessorCount,
    };

    /// <summary>Seed of every random generator a command uses.</summary>
    public Option<int> Seed { get; } = new("--seed")
    {
        Description = "Seed for every random generator, so that runs can be repeated exactly.",
        Recursive = true,
        DefaultValueFactory = _ => 1,
    };
}
