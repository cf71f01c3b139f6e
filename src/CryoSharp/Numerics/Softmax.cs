namespace CryoSharp.Numerics;

/// <summary>The softmax map from logits to a probability vector, shifted by the largest logit so that it cannot overflow.</summary>
public static class Softmax
{
    /// <summary>Writes exp(αᵢ − max α) / Σⱼ exp(αⱼ − max α) into <paramref name="probabilities"/>.</summary>
    public static void Apply(ReadOnlySpan<double> logits, Span<double> probabilities)
    {
        double max = double.NegativeInfinity;
        foreach (double a in logits)
        {
            max = Math.Max(max, a);
        }

        double sum = 0;
        for (int s = 0; s < logits.Length; s++)
        {
            probabilities[s] = Math.Exp(logits[s] - max);
            sum += probabilities[s];
        }

        for (int s = 0; s < logits.Length; s++)
        {
            probabilities[s] /= sum;
        }
    }
}
