using CryoSharp.Learning.Poses;
using CryoSharp.Poses;

namespace CryoSharp.Learning;

/// <summary>The <see cref="IDistanceLearner"/> the CLI loads from this assembly (by this type's name).</summary>
public sealed class DistanceLearnerEngine : IDistanceLearner
{
    /// <inheritdoc/>
    public DistanceTrainingResult Train(DistanceTrainingOptions options, IProgress<DistanceTrainingEpoch>? progress = null) => DistanceTrainer.Train(options, progress);

    /// <inheritdoc/>
    public DistanceModelFile Describe(string modelPath) => DistanceTrainer.Describe(modelPath);

    /// <inheritdoc/>
    public float[] Embed(string modelPath, float[] images, int count, int threads) => DistanceTrainer.Embed(modelPath, images, count, threads);
}
