using BenchmarkDotNet.Running;

namespace CryoSharp.Bench;

/// <summary>
/// Micro-benchmarks of CryoSharp's heavy operations. Run all with
/// <c>dotnet run -c Release --project bench/CryoSharp.Bench -- --filter '*'</c>, or one class with
/// <c>--filter '*StackFft*'</c>; add <c>--job short</c> for a quick run.
/// </summary>
public static class Program
{
    /// <summary>Entry point: BenchmarkDotNet's switcher over every benchmark class.</summary>
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
