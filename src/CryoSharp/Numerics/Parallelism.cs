namespace CryoSharp.Numerics;

/// <summary>
/// How many threads CryoSharp's parallel loops use. Chosen once, visibly, by the program (<c>--threads</c>) and
/// read by every <c>Parallel.For</c> over particles; defaults to all processors.
/// </summary>
public static class Parallelism
{
    private static int maxThreads = Environment.ProcessorCount;

    /// <summary>The number of threads parallel loops may use (≥ 1).</summary>
    public static int MaxThreads
    {
        get => maxThreads;
        set => maxThreads = value >= 1
            ? value
            : throw new InvalidParameterException("--threads", value, "must be at least 1");
    }

    /// <summary>Options for <c>Parallel.For</c> honouring <see cref="MaxThreads"/>.</summary>
    public static ParallelOptions Options => new() { MaxDegreeOfParallelism = maxThreads };
}
