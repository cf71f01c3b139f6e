using System.Runtime.InteropServices;
using CryoSharp.Numerics;
using TorchSharp;

namespace CryoSharp.Learning;

/// <summary>
/// The one place libtorch is set up: OpenMP told to sleep rather than spin between parallel regions
/// (OMP_WAIT_POLICY=PASSIVE: on 2 shared cores two spinning OpenMP threads made a small CNN 30× slower), set in the
/// native environment before libtorch loads (a managed Environment.SetEnvironmentVariable never reaches getenv), torch's
/// threads, and seeds taken from our seed sequence.
/// </summary>
public static partial class TorchRuntime
{
    private static readonly Lock Gate = new();
    private static bool ready;

    /// <summary>Prepares libtorch with <paramref name="threads"/> intra-op threads (call before any other torch use).</summary>
    public static void Initialise(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        lock (Gate)
        {
            if (!ready)
            {
                if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("OMP_WAIT_POLICY")))
                {
                    _ = SetEnvironment("OMP_WAIT_POLICY", "PASSIVE", 0);
                }

                ready = true;
            }

            torch.set_num_threads(threads);
        }
    }

    /// <summary>Seeds torch's generator (weights, dropout) from <paramref name="seeds"/>.</summary>
    public static void Seed(SeedSequence seeds)
    {
        ArgumentNullException.ThrowIfNull(seeds);
        torch.random.manual_seed((long)(seeds.Seed64 & long.MaxValue));
    }

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnvironment(string name, string value, int overwrite);
}
