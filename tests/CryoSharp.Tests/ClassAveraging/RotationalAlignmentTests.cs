using CryoSharp.ClassAveraging;
using CryoSharp.Numerics;

namespace CryoSharp.Tests.ClassAveraging;

public class RotationalAlignmentTests
{
    private static (int[] Frequencies, ComplexF[] C) Coefficients(int seed)
    {
        var frequencies = new List<int>();
        for (int k = 0; k <= 12; k++)
        {
            frequencies.AddRange(Enumerable.Repeat(k, Math.Max(1, 6 - (k / 3))));
        }

        var random = new SeedSequence(seed).CreateStream();
        var c = frequencies.Select(k => new ComplexF((float)random.NextGaussian(), k == 0 ? 0 : (float)random.NextGaussian())).ToArray();
        return ([.. frequencies], c);
    }

    /// <summary>cⱼ such that cᵢ = R_α F cⱼ: rotate cᵢ by −α, then reflect if asked.</summary>
    private static ComplexF[] Turned(int[] frequencies, ComplexF[] ci, double alpha, bool reflect)
    {
        var cj = new ComplexF[ci.Length];
        for (int o = 0; o < ci.Length; o++)
        {
            var (s, c) = Math.SinCos(frequencies[o] * alpha);
            var v = ci[o] * new ComplexF((float)c, (float)s);
            cj[o] = reflect ? v.Conjugate : v;
        }

        return cj;
    }

    [Theory]
    [InlineData(0.3, false)]
    [InlineData(-2.9, false)]
    [InlineData(1.234, true)]
    [InlineData(3.1, true)]
    public void FindsTheRotationAndTheReflectionExactly(double alpha, bool reflect)
    {
        var (frequencies, ci) = Coefficients(1);
        var cj = Turned(frequencies, ci, alpha, reflect);
        var aligner = new RotationalAlignment(frequencies);
        double ni = aligner.SquaredNorm(ci), nj = aligner.SquaredNorm(cj);
        var one = aligner.Align(ci, cj, ni, nj, new double[aligner.ScratchLength]);
        Assert.Equal(reflect, one.Reflected);
        Assert.Equal(0, Math.IEEERemainder(one.AngleRad - alpha, 2 * Math.PI), 1e-5);
        double direct = 0;
        for (int o = 0; o < ci.Length; o++)
        {
            var v = reflect ? cj[o].Conjugate : cj[o];
            var (s, c) = Math.SinCos(-frequencies[o] * one.AngleRad);
            double rr = (v.Re * c) - (v.Im * s), ri = (v.Re * s) + (v.Im * c);
            direct += (frequencies[o] == 0 ? 1 : 2) * (((ci[o].Re - rr) * (ci[o].Re - rr)) + ((ci[o].Im - ri) * (ci[o].Im - ri)));
        }

        Assert.True(one.SquaredDistance < 1e-10 * ni, $"d² = {one.SquaredDistance}");
        Assert.True(Math.Abs(one.SquaredDistance - direct) < 1e-10 * ni, $"d² = {one.SquaredDistance}, directly {direct}");

        // The batched FFT path gives the same answer, beside a distractor.
        var (_, other) = Coefficients(2);
        var all = ci.Concat(cj).Concat(other).ToArray();
        var norms = new[] { ni, nj, aligner.SquaredNorm(other) };
        var results = new PairAlignment[2];
        aligner.AlignMany(all, ci.Length, 0, [1, 2], norms, results, new AlignmentWorkspace());
        Assert.Equal(reflect, results[0].Reflected);
        Assert.Equal(0, Math.IEEERemainder(results[0].AngleRad - alpha, 2 * Math.PI), 1e-5);
        Assert.True(results[1].SquaredDistance > 100 * results[0].SquaredDistance + 1e-3);
    }

    [Fact]
    public void TheDistanceIsTheSmallestOverEveryAngle()
    {
        var (frequencies, ci) = Coefficients(3);
        var (_, cj) = Coefficients(4);
        var aligner = new RotationalAlignment(frequencies);
        var best = aligner.Align(ci, cj, aligner.SquaredNorm(ci), aligner.SquaredNorm(cj), new double[aligner.ScratchLength]);
        foreach (bool reflect in new[] { false, true })
        {
            for (int a = 0; a < 3600; a++)
            {
                // ‖cᵢ − R_α F cⱼ‖² directly.
                double alpha = 2 * Math.PI * a / 3600, d = 0;
                for (int o = 0; o < ci.Length; o++)
                {
                    var v = reflect ? cj[o].Conjugate : cj[o];
                    var (s, c) = Math.SinCos(-frequencies[o] * alpha);
                    var r = v * new ComplexF((float)c, (float)s);
                    d += (frequencies[o] == 0 ? 1 : 2) * (ci[o] - r).MagnitudeSquared;
                }

                Assert.True(d >= best.SquaredDistance - 1e-4, $"α = {alpha}, reflect = {reflect}: {d} < {best.SquaredDistance}");
            }
        }
    }
}
