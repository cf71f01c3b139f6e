using CryoSharp.Numerics;

namespace CryoSharp.Moments;

/// <summary>
/// The method of moments for MRA with a neural-network prior (Khoo, Paul and Sharon 2023): an encoder from the first
/// two moments to the signal and the shift distribution, trained on synthetic instances and then refined, unsupervised,
/// on new moments. Implemented by CryoSharp.Learning (TorchSharp), which the core library and the CLI only load
/// when asked for, so that nothing else needs libtorch.
/// </summary>
public interface IMraNeuralPrior
{
    /// <summary>Trains an encoder on synthetic instances and writes it to <see cref="MraPriorTrainingOptions.Output"/>.</summary>
    MraPriorTrainingResult Train(MraPriorTrainingOptions options, IProgress<MraPriorEpoch>? progress = null);

    /// <summary>Refines an encoder (the saved one, or a fresh one of its architecture) on one instance's moments.</summary>
    MraNeuralPriorSolution Solve(MraNeuralPriorSolveOptions options, IProgress<MraPriorStep>? progress = null);
}

/// <summary>Settings of <see cref="IMraNeuralPrior.Train"/>.</summary>
public sealed record MraPriorTrainingOptions
{
    /// <summary>Gaussians in the mixtures of both the signal and the shift distribution (1, 2 or 3).</summary>
    public int Mixtures { get; init; } = 2;

    /// <summary>L, the signal length.</summary>
    public int Length { get; init; } = 21;

    /// <summary>Training instances; validation and test sets hold a tenth of this each (at least 100).</summary>
    public int TrainCount { get; init; } = 10_000;

    /// <summary>N, observations behind each instance's moments.</summary>
    public long Observations { get; init; } = 1_000_000;

    /// <summary>σ, the noise standard deviation of the observations.</summary>
    public double Sigma { get; init; } = 1;

    /// <summary>Passes over the training set (with fresh instances, training sets seen).</summary>
    public int Epochs { get; init; } = 150;

    /// <summary>
    /// Draws a new training set (as many instances, from the same distribution) for every epoch instead of passing
    /// over one fixed set; the validation and test sets stay fixed. Instances are cheap (about 1.5 s per 10,000), and
    /// a fixed set of 10,000 is what limits the errors: the network overfits it after about 30 epochs.
    /// </summary>
    public bool FreshInstances { get; init; } = true;

    /// <summary>Instances per Adam step.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Adam's initial learning rate; divided by 10 after half and again after three quarters of the epochs.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Channels of the convolutions (32 gave errors a fifth higher at K = 2, 128 hardly lower and 3× slower).</summary>
    public int Channels { get; init; } = 64;

    /// <summary>Window (odd) of the periodic convolutions.</summary>
    public int Window { get; init; } = 5;

    /// <summary>Width of the fully connected layers.</summary>
    public int Hidden { get; init; } = 512;

    /// <summary>
    /// Smallest width (standard deviation, in samples) of the Gaussian bumps of the instances' signals and shift
    /// distributions; 0 keeps the widths L/40…L/10 (signal) and 0.03…0.12·L (ρ), which at L = 21 reach half a sample.
    /// </summary>
    public double MinimumWidth { get; init; }

    /// <summary>
    /// Centre every bump on a sample. Off the grid, shifting a bump of the signal by a fraction of a sample and ρ's
    /// by the opposite fraction leaves the moments unchanged to about exp(−2π²w²) for bumps w samples wide, so that
    /// fraction cannot be learnt and sets a floor under the errors, which compare up to whole-sample shifts only.
    /// </summary>
    public bool GridCentres { get; init; }

    /// <summary>Channels each branch ends in before the two are stacked (the paper: 3, so 6 stacked).</summary>
    public int BranchChannels { get; init; } = 3;

    /// <summary>Convolutions after the stacking (the paper's figure reads as 2; 4 was a little better).</summary>
    public int TrunkLayers { get; init; } = 4;

    /// <summary>Where the model is written (weights; its settings beside it as PATH.json).</summary>
    public required string Output { get; init; }

    /// <summary>Seeds of the instances, the split, the initial weights and the minibatches.</summary>
    public SeedSequence Seeds { get; init; } = new(1);

    /// <summary>Threads: torch's intra-op threads, and those that make the instances.</summary>
    public int Threads { get; init; } = 1;
}

/// <summary>One epoch of training.</summary>
/// <param name="Epoch">From 1.</param>
/// <param name="Epochs">In all.</param>
/// <param name="TrainLoss">Mean training loss (relative squared errors of ρ and the signal, at the best common shift).</param>
/// <param name="ValidationRhoError">Mean relative L2 error of ρ on the validation set.</param>
/// <param name="ValidationSignalError">Mean relative L2 error of the signal on the validation set, up to the cyclic shift.</param>
/// <param name="Seconds">Since training began.</param>
public sealed record MraPriorEpoch(int Epoch, int Epochs, double TrainLoss, double ValidationRhoError, double ValidationSignalError, double Seconds);

/// <summary>What training gave.</summary>
/// <param name="TestRhoError">Mean relative L2 error of ρ on the held-back test set (the best validation epoch's weights).</param>
/// <param name="TestSignalError">Mean relative L2 error of the signal on the test set, up to the cyclic shift.</param>
/// <param name="BestEpoch">The epoch whose weights were kept.</param>
/// <param name="Curve">Every epoch.</param>
/// <param name="DataSeconds">Making the instances.</param>
/// <param name="TrainSeconds">Training.</param>
/// <param name="Model">The weights' file.</param>
public sealed record MraPriorTrainingResult(double TestRhoError, double TestSignalError, int BestEpoch, IReadOnlyList<MraPriorEpoch> Curve,
    double DataSeconds, double TrainSeconds, string Model);

/// <summary>Settings of <see cref="IMraNeuralPrior.Solve"/>.</summary>
public sealed record MraNeuralPriorSolveOptions
{
    /// <summary>The trained model (its settings give the architecture).</summary>
    public required string Model { get; init; }

    /// <summary>Start from the trained weights (true) or from fresh seeded ones of the same architecture.</summary>
    public bool Pretrained { get; init; } = true;

    /// <summary>M̂¹, length L.</summary>
    public required double[] FirstMoment { get; init; }

    /// <summary>M̂², L × L row-major, debiased.</summary>
    public required double[] SecondMoment { get; init; }

    /// <summary>Adam steps on the moment loss.</summary>
    public int Iterations { get; init; } = 3000;

    /// <summary>λ of ‖M̂¹ − M¹‖ + λ‖M̂² − M²‖.</summary>
    public double Lambda { get; init; } = 1;

    /// <summary>Adam's learning rate.</summary>
    public double LearningRate { get; init; } = 1e-4;

    /// <summary>The truth, when known, to score each recorded step.</summary>
    public double[]? TrueSignal { get; init; }

    /// <summary>The true ρ, when known.</summary>
    public double[]? TrueRho { get; init; }

    /// <summary>Record the loss (and errors) every this many steps.</summary>
    public int RecordEvery { get; init; } = 10;

    /// <summary>Seeds of fresh weights.</summary>
    public SeedSequence Seeds { get; init; } = new(1);

    /// <summary>Threads.</summary>
    public int Threads { get; init; } = 1;
}

/// <summary>One recorded step of the unsupervised refinement.</summary>
/// <param name="Iteration">Steps done (0: the encoder's output before any).</param>
/// <param name="Loss">‖M̂¹ − M¹‖ + λ‖M̂² − M²‖.</param>
/// <param name="SignalError">Relative error of the signal up to the cyclic shift (NaN without a truth).</param>
/// <param name="RhoError">Relative error of ρ at that shift (NaN without a truth).</param>
public sealed record MraPriorStep(int Iteration, double Loss, double SignalError, double RhoError);

/// <summary>The refined estimate.</summary>
/// <param name="Signal">x̂.</param>
/// <param name="Rho">ρ̂.</param>
/// <param name="Curve">The recorded steps.</param>
/// <param name="Seconds">Wall time.</param>
public sealed record MraNeuralPriorSolution(double[] Signal, double[] Rho, IReadOnlyList<MraPriorStep> Curve, double Seconds);
