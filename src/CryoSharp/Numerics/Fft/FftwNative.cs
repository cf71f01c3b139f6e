using System.Reflection;
using System.Runtime.InteropServices;

namespace CryoSharp.Numerics.Fft;

/// <summary>
/// The FFTW3 single-precision entry points CryoSharp uses. This is the only place that calls into FFTW; every
/// caller goes through <see cref="FftwPlanCache"/>. Planning functions are not thread-safe (callers hold the
/// cache's lock); the new-array execute functions are.
/// </summary>
internal static unsafe partial class FftwNative
{
    /// <summary>The logical library name; the resolver below maps it to the real file per platform.</summary>
    private const string Library = "fftw3f";

    internal const uint Measure = 0;
    internal const uint DestroyInput = 1u << 0;
    internal const uint Estimate = 1u << 6;
    internal const int Forward = -1;
    internal const int Backward = 1;

    private static readonly string[] Candidates =
        ["libfftw3f.so.3", "libfftw3f.so", "libfftw3f.3.dylib", "libfftw3f.dylib", "libfftw3f-3.dll", "fftw3f.dll"];

    private static readonly Lazy<nint> Handle = new(LoadLibrary);

    static FftwNative()
    {
        NativeLibrary.SetDllImportResolver(typeof(FftwNative).Assembly, Resolve);
    }

    /// <summary>Loads FFTW now, turning a missing library into one clear error.</summary>
    internal static void EnsureLoaded() => _ = Handle.Value;

    private static nint Resolve(string name, Assembly assembly, DllImportSearchPath? path) =>
        name == Library ? Handle.Value : 0;

    private static nint LoadLibrary()
    {
        foreach (var candidate in Candidates)
        {
            if (NativeLibrary.TryLoad(candidate, out var handle))
            {
                return handle;
            }
        }

        throw new NativeDependencyException(
            "FFTW3 single precision (libfftw3f.so.3) could not be loaded: install it with " +
            "'sudo apt-get install -y libfftw3-single3' (Debian/Ubuntu), or run ./cryosharp or ./test, which install it.");
    }

    /// <summary>
    /// FFTW's threaded planner (libfftw3f_threads, part of the same Debian package), or null when it is absent:
    /// then large transforms simply run on one thread.
    /// </summary>
    internal static readonly Lazy<ThreadedPlanning?> Threads = new(ThreadedPlanning.TryLoad);

    [LibraryImport(Library, EntryPoint = "fftwf_plan_many_dft_r2c")]
    internal static partial nint PlanManyR2C(int rank, int* n, int howMany, float* input, int* inEmbed, int inStride,
        int inDist, ComplexF* output, int* outEmbed, int outStride, int outDist, uint flags);

    [LibraryImport(Library, EntryPoint = "fftwf_plan_many_dft_c2r")]
    internal static partial nint PlanManyC2R(int rank, int* n, int howMany, ComplexF* input, int* inEmbed, int inStride,
        int inDist, float* output, int* outEmbed, int outStride, int outDist, uint flags);

    [LibraryImport(Library, EntryPoint = "fftwf_plan_many_dft")]
    internal static partial nint PlanManyC2C(int rank, int* n, int howMany, ComplexF* input, int* inEmbed, int inStride,
        int inDist, ComplexF* output, int* outEmbed, int outStride, int outDist, int sign, uint flags);

    [LibraryImport(Library, EntryPoint = "fftwf_execute_dft_r2c")]
    internal static partial void ExecuteR2C(nint plan, float* input, ComplexF* output);

    [LibraryImport(Library, EntryPoint = "fftwf_execute_dft_c2r")]
    internal static partial void ExecuteC2R(nint plan, ComplexF* input, float* output);

    [LibraryImport(Library, EntryPoint = "fftwf_execute_dft")]
    internal static partial void ExecuteC2C(nint plan, ComplexF* input, ComplexF* output);

    [LibraryImport(Library, EntryPoint = "fftwf_destroy_plan")]
    internal static partial void DestroyPlan(nint plan);

    [LibraryImport(Library, EntryPoint = "fftwf_malloc")]
    internal static partial void* Malloc(nuint bytes);

    [LibraryImport(Library, EntryPoint = "fftwf_free")]
    internal static partial void Free(void* pointer);

    /// <summary>The two entry points of libfftw3f_threads, bound by hand because the library is optional.</summary>
    internal sealed class ThreadedPlanning
    {
        private readonly delegate* unmanaged<int, void> planWithThreads;

        private ThreadedPlanning(delegate* unmanaged<int, void> planWithThreads)
        {
            this.planWithThreads = planWithThreads;
        }

        /// <summary>Tells the planner how many threads the next plans may use (call under the planning lock).</summary>
        public void PlanWith(int threads) => planWithThreads(threads);

        public static ThreadedPlanning? TryLoad()
        {
            EnsureLoaded();
            foreach (var name in new[] { "libfftw3f_threads.so.3", "libfftw3f_threads.so", "libfftw3f_threads.3.dylib" })
            {
                if (NativeLibrary.TryLoad(name, out var handle) &&
                    NativeLibrary.TryGetExport(handle, "fftwf_init_threads", out var init) &&
                    NativeLibrary.TryGetExport(handle, "fftwf_plan_with_nthreads", out var with) &&
                    ((delegate* unmanaged<int>)init)() != 0)
                {
                    return new ThreadedPlanning((delegate* unmanaged<int, void>)with);
                }
            }

            return null;
        }
    }
}
