using CryoSharp.Geometry;

namespace CryoSharp.Poses;

/// <summary>
/// A Siamese network that learns a distance between projections: a CNN encoder f shared by both images, trained so
/// that ‖f(pᵢ) − f(pⱼ)‖ is the rotation angle between their orientations (radians), or its chord. Implemented in CryoSharp.Learning
/// (TorchSharp), which the program loads only when this is asked for.
/// </summary>
public interface IDistanceLearner
{
    /// <summary>Trains an encoder on projections with known orientations and writes it (weights and a JSON description).</summary>
    DistanceTrainingResult Train(DistanceTrainingOptions options, IProgress<DistanceTrainingEpoch>? progress = null);

    /// <summary>The description of a saved encoder.</summary>
    DistanceModelFile Describe(string modelPath);

    /// <summary>
    /// Embeddings of <paramref name="count"/> images prepared by <see cref="DistanceNetworkInput.Prepare"/> at the model's box:
    /// count × <see cref="DistanceModelFile.EmbeddingDimension"/> floats.
    /// </summary>
    float[] Embed(string modelPath, float[] images, int count, int threads);
}

/// <summary>Projections of one map with their true orientations: one training set.</summary>
/// <param name="Name">Where they come from (for reports).</param>
/// <param name="Images">Prepared images (<see cref="DistanceNetworkInput.Prepare"/>), box² floats each.</param>
/// <param name="Count">Images.</param>
/// <param name="Orientations">The true orientation of each.</param>
public sealed record DistanceTrainingSet(string Name, float[] Images, int Count, IReadOnlyList<UnitQuaternion> Orientations);

/// <summary>How to train the distance network.</summary>
public sealed record DistanceTrainingOptions
{
    /// <summary>Training sets, one per map; pairs are always drawn within one set (one map).</summary>
    public required IReadOnlyList<DistanceTrainingSet> Sets { get; init; }

    /// <summary>Image side in pixels (every set's).</summary>
    public required int Box { get; init; }

    /// <summary>Pixel size in Å the images were prepared at (recorded in the model, for the record).</summary>
    public double PixelSizeA { get; init; }

    /// <summary>Where to write the weights (and, beside them, <c>.json</c>).</summary>
    public required string Output { get; init; }

    /// <summary>Passes over the training images.</summary>
    public int Epochs { get; init; } = 20;

    /// <summary>Images per step, all from one set; every pair among them is a training pair.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Adam's step size (divided by 10 at half and at three quarters of the epochs).</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Channels of the first convolution (doubled at each of the next two).</summary>
    public int Channels { get; init; } = 16;

    /// <summary>Dimension of the embedding.</summary>
    public int EmbeddingDimension { get; init; } = 32;

    /// <summary>
    /// Fit the embedding distance to the chord 2√2·sin(d_q/2) — the Frobenius distance between rotation matrices, which a
    /// 9-dimensional embedding can match exactly — instead of to the angle itself, which no Euclidean embedding can.
    /// </summary>
    public bool Chordal { get; init; }

    /// <summary>Fraction of each set held out for validation.</summary>
    public double ValidationFraction { get; init; } = 0.1;

    /// <summary>Seeds of the weights and the batches.</summary>
    public required Numerics.SeedSequence Seeds { get; init; }

    /// <summary>Torch threads.</summary>
    public int Threads { get; init; } = 1;
}

/// <summary>One epoch of training.</summary>
/// <param name="Epoch">Its number (from 1).</param>
/// <param name="Epochs">Of how many.</param>
/// <param name="TrainingLoss">Mean (d_p − d_q)² over the epoch's training pairs (rad²).</param>
/// <param name="ValidationLoss">The same over held-out pairs.</param>
/// <param name="ValidationErrorDeg">Mean |d_p − d_q| over held-out pairs (°).</param>
/// <param name="Seconds">Training time so far.</param>
public sealed record DistanceTrainingEpoch(int Epoch, int Epochs, double TrainingLoss, double ValidationLoss, double ValidationErrorDeg, double Seconds);

/// <summary>What training produced.</summary>
/// <param name="Curve">Every epoch.</param>
/// <param name="BestEpoch">The epoch kept (lowest validation loss).</param>
/// <param name="ValidationErrorDeg">Its validation error (°).</param>
/// <param name="Parameters">Trainable parameters of the encoder.</param>
/// <param name="Seconds">Training time.</param>
/// <param name="Output">The weights file.</param>
public sealed record DistanceTrainingResult(IReadOnlyList<DistanceTrainingEpoch> Curve, int BestEpoch, double ValidationErrorDeg, long Parameters, double Seconds, string Output);

/// <summary>The JSON description saved beside a distance network's weights.</summary>
/// <param name="Format">Always <see cref="FormatName"/>.</param>
/// <param name="Box">Image side the network takes (pixels).</param>
/// <param name="PixelSizeA">Pixel size of its training images (Å).</param>
/// <param name="Channels">Channels of the first convolution.</param>
/// <param name="EmbeddingDimension">Dimension of the embedding.</param>
/// <param name="TrainedOn">The training sets' names.</param>
/// <param name="BestEpoch">The epoch kept.</param>
/// <param name="ValidationErrorDeg">Its validation error (°).</param>
/// <param name="Chordal">Whether the embedding distance is the chord 2√2·sin(θ/2) of the angle θ rather than θ.</param>
public sealed record DistanceModelFile(string Format, int Box, double PixelSizeA, int Channels, int EmbeddingDimension, IReadOnlyList<string> TrainedOn, int BestEpoch,
    double ValidationErrorDeg, bool Chordal = false)
{
    /// <summary>The format's name.</summary>
    public const string FormatName = "cryosharp-siamese-distance-1";
}
