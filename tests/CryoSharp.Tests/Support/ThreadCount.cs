using CryoSharp.Numerics;

namespace CryoSharp.Tests.Support;

/// <summary>Runs code with <see cref="Parallelism.MaxThreads"/> set, restoring it afterwards.</summary>
public static class ThreadCount
{
    /// <summary>The result of <paramref name="work"/> computed with <paramref name="threads"/> threads.</summary>
    public static T With<T>(int threads, Func<T> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        int before = Parallelism.MaxThreads;
        Parallelism.MaxThreads = threads;
        try
        {
            return work();
        }
        finally
        {
            Parallelism.MaxThreads = before;
        }
    }
}
