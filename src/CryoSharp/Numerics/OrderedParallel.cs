namespace CryoSharp.Numerics;

/// <summary>
/// A parallel loop whose per-index results are merged in index order: indices run in waves of a fixed size, each
/// wave in parallel (with one reusable workspace per worker), and the wave's results are merged in order before the
/// next starts. Sums built this way are identical for any thread count, and memory stays at one wave of results.
/// </summary>
internal static class OrderedParallel
{
    private const int Wave = 32;

    /// <summary>
    /// Computes <paramref name="body"/>(index, workspace) for index = 0..<paramref name="count"/> − 1 and passes
    /// each result to <paramref name="merge"/> in index order.
    /// </summary>
    public static void For<TWorkspace, TResult>(int count, ComputeContext context, Func<TWorkspace> workspace, Func<int, TWorkspace, TResult> body, Action<TResult> merge) =>
        For(count, context, [], workspace, body, merge);

    /// <summary>
    /// As <see cref="For{TWorkspace, TResult}(int, ComputeContext, Func{TWorkspace}, Func{int, TWorkspace, TResult}, Action{TResult})"/>,
    /// taking workspaces from and returning them to <paramref name="pool"/>, so that repeated passes (one per EM
    /// iteration) reuse the same buffers instead of allocating them again.
    /// </summary>
    public static void For<TWorkspace, TResult>(int count, ComputeContext context, System.Collections.Concurrent.ConcurrentBag<TWorkspace> pool,
        Func<TWorkspace> workspace, Func<int, TWorkspace, TResult> body, Action<TResult> merge)
    {
        var results = new TResult[Math.Min(Wave, Math.Max(count, 1))];
        for (int first = 0; first < count; first += Wave)
        {
            int n = Math.Min(Wave, count - first);

            // Workspaces go back to the pool after each wave, so large buffers are allocated once per worker.
            Parallel.For(0, n, context.ParallelOptions, () => pool.TryTake(out var w) ? w : workspace(), (i, _, w) =>
            {
                results[i] = body(first + i, w);
                return w;
            }, pool.Add);
            for (int i = 0; i < n; i++)
            {
                merge(results[i]);
            }
        }
    }
}
