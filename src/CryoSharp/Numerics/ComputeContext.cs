using CryoSharp.Numerics.Fft;

namespace CryoSharp.Numerics;

/// <summary>
/// The resources a computation may use — how many threads, how FFTW plans its transforms (and later a device) —
/// passed explicitly to every algorithm that runs in parallel, instead of process-wide settings. Immutable, so one
/// context can be shared by any number of concurrent computations; a test that needs another thread count makes
/// its own.
/// </summary>
public sealed record ComputeContext
{
    private readonly int threads = Environment.ProcessorCount;

    /// <summary>All processors, deterministic FFT plans.</summary>
    public static ComputeContext Default { get; } = new();

    /// <summary>One thread, deterministic FFT plans.</summary>
    public static ComputeContext SingleThreaded { get; } = new() { Threads = 1 };

    /// <summary>
    /// Threads parallel loops may use (≥ 1). More than the machine's processors is allowed here (tests check that
    /// results do not depend on the thread count); the program refuses it.
    /// </summary>
    public int Threads
    {
        get => threads;
        init => threads = value >= 1
            ? value
            : throw new InvalidParameterException("--threads", value, "must be at least 1");
    }

    /// <summary>
    /// How FFTW chooses algorithms for shapes not planned yet. <see cref="FftPlanning.Estimate"/> (the default) gives
    /// identical results on every run.
    /// </summary>
    public FftPlanning FftPlanning { get; init; } = FftPlanning.Estimate;

    /// <summary>
    /// The processes sharing the work (MPI): particle- and chunk-parallel passes give each rank a fixed share, and the
    /// sums are added over the ranks, so that every rank then holds the same result. One process by default; a
    /// computation that only rank 0 runs must use a context with <see cref="Distributed.Communicator.Single"/>.
    /// </summary>
    public Distributed.Communicator Communicator { get; init; } = Distributed.Communicator.Single;

    /// <summary>Options for <c>Parallel.For</c> honouring <see cref="Threads"/>.</summary>
    public ParallelOptions ParallelOptions => new() { MaxDegreeOfParallelism = threads };

    /// <summary>This context for work one process does alone (no MPI sharing).</summary>
    public ComputeContext Alone => Communicator.IsDistributed ? this with { Communicator = Distributed.Communicator.Single } : this;

    /// <summary>This context with another thread count.</summary>
    public ComputeContext WithThreads(int count) => this with { Threads = count };
}
