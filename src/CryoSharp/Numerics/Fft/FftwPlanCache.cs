using System.Collections.Concurrent;

namespace CryoSharp.Numerics.Fft;

/// <summary>
/// Makes each FFTW plan once per (transform, shape, batch size) and hands it to every thread. Planning is
/// serialised under one lock because FFTW's planner is not thread-safe; execution is not locked, because the
/// new-array execute functions are. Plans live as long as the process: there are few shapes in a run.
/// </summary>
internal sealed unsafe class FftwPlanCache
{
    /// <summary>Above this many samples per plan, FFTW_MEASURE would spend seconds planning; estimate instead.</summary>
    private const long MeasureLimit = 1L << 21;

    private readonly ConcurrentDictionary<FftPlanKey, nint> plans = new();
    private readonly Lock planningGate = new();

    /// <summary>The cache every transform in the process shares.</summary>
    public static FftwPlanCache Shared { get; } = new();

    /// <summary>Number of plans made so far (for tests of the caching itself).</summary>
    public int Count => plans.Count;

    /// <summary>
    /// Returns the plan for <paramref name="key"/>, making it on first use on the given buffers (the calling
    /// thread's scratch, so the plan's alignment is the alignment every execution will have).
    /// </summary>
    public nint Get(FftPlanKey key, void* input, void* output)
    {
        if (plans.TryGetValue(key, out var plan))
        {
            return plan;
        }

        lock (planningGate)
        {
            if (!plans.TryGetValue(key, out plan))
            {
                plan = Create(key, input, output);
                plans[key] = plan;
            }
        }

        return plan;
    }

    private static nint Create(FftPlanKey key, void* inBuffer, void* outBuffer)
    {
        FftwNative.EnsureLoaded();
        var shape = key.Shape;
        int[] dims = shape.SlowestFirst();
        int realDist = shape.Length;
        int halfDist = shape.HalfComplexLength;
        long samples = (long)shape.Length * key.BatchCount;
        uint rigor = key.Planning == FftPlanning.Measure && samples <= MeasureLimit ? FftwNative.Measure : FftwNative.Estimate;
        FftwNative.Threads.Value?.PlanWith(key.Threads);
        nint plan;
        fixed (int* n = dims)
        {
            plan = key.Kind switch
            {
                FftKind.RealToComplex => FftwNative.PlanManyR2C(dims.Length, n, key.BatchCount, (float*)inBuffer,
                    null, 1, realDist, (ComplexF*)outBuffer, null, 1, halfDist, rigor),
                FftKind.ComplexToReal => FftwNative.PlanManyC2R(dims.Length, n, key.BatchCount, (ComplexF*)inBuffer,
                    null, 1, halfDist, (float*)outBuffer, null, 1, realDist, rigor | FftwNative.DestroyInput),
                FftKind.ComplexForward => FftwNative.PlanManyC2C(dims.Length, n, key.BatchCount, (ComplexF*)inBuffer,
                    null, 1, realDist, (ComplexF*)outBuffer, null, 1, realDist, FftwNative.Forward, rigor),
                FftKind.ComplexInverse => FftwNative.PlanManyC2C(dims.Length, n, key.BatchCount, (ComplexF*)inBuffer,
                    null, 1, realDist, (ComplexF*)outBuffer, null, 1, realDist, FftwNative.Backward, rigor),
                FftKind.RealToComplexInPlace => PlanInPlace(dims, n, (float*)inBuffer, rigor),
                _ => throw new ArgumentOutOfRangeException(nameof(key)),
            };
        }

        if (plan == 0)
        {
            throw new CryoSharpException($"FFTW could not plan a {key.Kind} transform of shape {shape} × {key.BatchCount}.");
        }

        return plan;
    }

    /// <summary>An in-place r2c plan: rows of the real input padded to 2(n/2+1) floats, output over the same memory.</summary>
    private static nint PlanInPlace(int[] dims, int* n, float* buffer, uint rigor)
    {
        var inEmbed = (int[])dims.Clone();
        var outEmbed = (int[])dims.Clone();
        inEmbed[^1] = 2 * ((dims[^1] / 2) + 1);
        outEmbed[^1] = (dims[^1] / 2) + 1;
        fixed (int* ie = inEmbed)
        fixed (int* oe = outEmbed)
        {
            return FftwNative.PlanManyR2C(dims.Length, n, 1, buffer, ie, 1, 0, (ComplexF*)buffer, oe, 1, 0, rigor);
        }
    }
}
