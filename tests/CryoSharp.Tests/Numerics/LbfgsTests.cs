using CryoSharp.Numerics.Optimization;

namespace CryoSharp.Tests.Numerics;

public class LbfgsTests
{
    [Theory]
    [InlineData(2)]
    [InlineData(10)]
    public void MinimisesTheRosenbrockFunction(int n)
    {
        // Σ 100(x_{i+1} − x_i²)² + (1 − x_i)², minimum 0 at (1, …, 1), a curved valley that defeats plain descent.
        static double Rosenbrock(ReadOnlySpan<double> x, Span<double> g)
        {
            g.Clear();
            double f = 0;
            for (int i = 0; i + 1 < x.Length; i++)
            {
                double a = x[i + 1] - (x[i] * x[i]), b = 1 - x[i];
                f += (100 * a * a) + (b * b);
                g[i] += (-400 * a * x[i]) - (2 * b);
                g[i + 1] += 200 * a;
            }

            return f;
        }

        var start = Enumerable.Range(0, n).Select(i => i % 2 == 0 ? -1.2 : 1.0).ToArray();
        var result = Lbfgs.Minimize(Rosenbrock, start, new LbfgsOptions { GradientTolerance = 1e-10 });
        Assert.True(result.Value < 1e-12, $"f = {result.Value} after {result.Iterations} iterations ({result.StopReason})");
        Assert.All(result.Minimizer, v => Assert.Equal(1, v, 1e-5));
    }

    [Fact]
    public void SolvesAQuadraticInAtMostItsDimensionOfSteps()
    {
        // f = ½xᵀAx − bᵀx with A = diag(1..8): exact line searches would take 8 steps; L-BFGS with memory 10 is close.
        static double Quadratic(ReadOnlySpan<double> x, Span<double> g)
        {
            double f = 0;
            for (int i = 0; i < x.Length; i++)
            {
                double a = i + 1;
                f += (0.5 * a * x[i] * x[i]) - x[i];
                g[i] = (a * x[i]) - 1;
            }

            return f;
        }

        var result = Lbfgs.Minimize(Quadratic, new double[8]);
        for (int i = 0; i < 8; i++)
        {
            Assert.Equal(1.0 / (i + 1), result.Minimizer[i], 1e-7);
        }

        Assert.True(result.Iterations <= 30, $"{result.Iterations} iterations");
    }
}
