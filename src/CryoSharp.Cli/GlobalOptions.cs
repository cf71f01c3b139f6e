using System.CommandLine;
using CryoSharp.Numerics.Fft;

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

    /// <summary>How FFTW plans are chosen.</summary>
    public Option<FftPlanning> FftPlanning { get; } = new("--fft-planning")
    {
        Description = "How FFTW chooses its algorithms: 'estimate' gives identical results on every run; 'measure' times " +
            "candidates on first use and may be faster, but results can differ in the last bits between runs.",
        Recursive = true,
        DefaultValueFactory = _ => Numerics.Fft.FftPlanning.Estimate,
    };
}
