using CryoSharp.Learning;

namespace CryoSharp.Learning.Tests;

/// <summary>One torch thread for every learning test (2 shared cores; OpenMP passive).</summary>
internal static class TorchFixture
{
    public static void Ready() => TorchRuntime.Initialise(1);
}
