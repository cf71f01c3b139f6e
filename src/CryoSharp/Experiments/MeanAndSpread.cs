namespace CryoSharp.Experiments;

/// <summary>The mean of repeated measurements and their sample standard deviation (n − 1 in the denominator).</summary>
/// <param name="Mean">The mean.</param>
/// <param name="Std">The sample standard deviation (0 for one value).</param>
public readonly record struct MeanAndSpread(double Mean, double Std)
{
    /// <summary>The mean and spread of <paramref name="values"/>.</summary>
    public static MeanAndSpread Of(IReadOnlyCollection<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0)
        {
            throw new ArgumentException("No values.", nameof(values));
        }

        double mean = values.Average();
        double sum = 0;
        foreach (double v in values)
        {
            sum += (v - mean) * (v - mean);
        }

        return new MeanAndSpread(mean, Math.Sqrt(sum / Math.Max(1, values.Count - 1)));
    }
}
