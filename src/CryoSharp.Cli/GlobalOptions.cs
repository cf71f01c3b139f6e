using System.CommandLine;
using CryoSharp.Cli.Options;
using CryoSharp.Numerics;
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
    public Option<long> Seed { get; } = new("--seed")
    {
        Description = "Seed for every random generator, so that runs can be repeated exactly.",
        Recursive = true,
        DefaultValueFactory = _ => 1,
    };

    /// <summary>
    /// The processes of this run: one (no MPI) unless the program was started by <c>mpirun</c>, in which case
    /// <see cref="CryoSharpApp"/> joins them before the command runs.
    /// </summary>
    public Distributed.Communicator Communicator { get; set; } = Distributed.Communicator.Single;

    /// <summary>How FFTW plans are chosen.</summary>
    public Option<FftPlanning> FftPlanning { get; } = CreateFftPlanning();

    /// <summary>The root of every random draw of a parsed command line (<c>--seed</c>).</summary>
    public SeedSequence Seeds(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        return new SeedSequence(parse.GetValue(Seed));
    }

    /// <summary>
    /// The compute context of a parsed command line: --threads (1 to the machine's processors; more would only add
    /// memory and contention) and --fft-planning.
    /// </summary>
    public ComputeContext Context(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        int threads = parse.GetValue(Threads);
        if (threads < 1 || threads > Environment.ProcessorCount)
        {
            throw new InvalidParameterException("--threads", threads, $"must be between 1 and {Environment.ProcessorCount} (the processors of this machine)");
        }

        return new ComputeContext { Threads = threads, FftPlanning = parse.GetValue(FftPlanning), Communicator = Communicator };
    }

    private static Option<FftPlanning> CreateFftPlanning()
    {
        var option = ChoiceOption.Create("--fft-planning",
            "How FFTW chooses its algorithms: estimate gives identical results on every run; measure times " +
            "candidates on first use and may be faster, but results can differ in the last bits between runs.",
            [("estimate", Numerics.Fft.FftPlanning.Estimate), ("measure", Numerics.Fft.FftPlanning.Measure)],
            Numerics.Fft.FftPlanning.Estimate);
        option.Recursive = true;
        return option;
    }
}
