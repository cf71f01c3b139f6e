using CryoSharp.Learning.Mra;
using CryoSharp.Moments;

namespace CryoSharp.Learning;

/// <summary>The <see cref="IMraNeuralPrior"/> the CLI loads from this assembly (by this type's name).</summary>
public sealed class MraNeuralPriorEngine : IMraNeuralPrior
{
    /// <inheritdoc/>
    public MraPriorTrainingResult Train(MraPriorTrainingOptions options, IProgress<MraPriorEpoch>? progress = null) => MraPriorTrainer.Train(options, progress);

    /// <inheritdoc/>
    public MraNeuralPriorSolution Solve(MraNeuralPriorSolveOptions options, IProgress<MraPriorStep>? progress = null) =>
        MraPriorRefinement.Solve(options, progress);
}
