namespace CryoSharp.Numerics;

/// <summary>Minimum, maximum, mean and standard deviation of a set of samples, accumulated in double.</summary>
/// <param name="Min">Smallest sample.</param>
/// <param name="Max">Largest sample.</param>
/// <param name="Mean">Arithmetic mean.</param>
/// <param name="StdDev">Population standard deviation (divides by N), as MRC headers store it.</param>
/// <param name="Count">Number of samples.</param>
public readonly record struct SampleStatistics(double Min, double Max, double Mean, double StdDev, long Count)
{
    /// <summary>Statistics of the samples in <paramref name="values"/>.</summary>
    public static SampleStatistics Of(ReadOnlySpan<float> values)
    {
        var acc = new Accumulator();
        acc.Add(values);
        return acc.Result;
    }

    /// <summary>
    /// Accumulates statistics over data that arrives in pieces (a stack written in chunks). Uses a shifted
    /// sum of squares so that a large mean does not cancel the variance.
    /// </summary>
    public struct Accumulator
    {
        private double min, max, shift, sum, sumSq;
        private long count;

        /// <summary>Adds samples.</summary>
        public void Add(ReadOnlySpan<float> values)
        {
            if (values.IsEmpty)
            {
                return;
            }

            if (count == 0)
            {
                min = double.PositiveInfinity;
                max = double.NegativeInfinity;
                shift = values[0];
            }

            double s = 0, s2 = 0, lo = min, hi = max;
            foreach (float v in values)
            {
                double d = v - shift;
                s += d;
                s2 += d * d;
                if (v < lo)
                {
                    lo = v;
                }

                if (v > hi)
                {
                    hi = v;
                }
            }

            sum += s;
            sumSq += s2;
            min = lo;
            max = hi;
            count += values.Length;
        }

        /// <summary>The statistics of everything added so far (all zero when nothing was).</summary>
        public readonly SampleStatistics Result
        {
            get
            {
                if (count == 0)
                {
                    return default;
                }

                double mean = sum / count;
                double variance = Math.Max(0, (sumSq / count) - (mean * mean));
                return new SampleStatistics(min, max, shift + mean, Math.Sqrt(variance), count);
            }
        }
    }
}
