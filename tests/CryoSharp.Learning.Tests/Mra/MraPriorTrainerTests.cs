using CryoSharp.Learning.Mra;
using CryoSharp.Moments;
using CryoSharp.Numerics;
using static TorchSharp.torch;

namespace CryoSharp.Learning.Tests.Mra;

public sealed class MraPriorTrainerTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("cryosharp-learning-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private MraPriorTrainingOptions Small(string name, int epochs = 12) => new()
    {
        Mixtures = 1,
        Length = 11,
        TrainCount = 600,
        Observations = 100_000,
        Sigma = 0.5,
        Epochs = epochs,
        BatchSize = 32,
        LearningRate = 3e-3,
        Channels = 8,
        Window = 3,
        Hidden = 64,
        TrunkLayers = 2,
        FreshInstances = false,
        Output = Path.Combine(folder, name),
        Seeds = new SeedSequence(11),
    };

    [Fact]
    public void TrainingLearnsTheInverseMapAndTheSavedModelGivesTheSameOutputs()
    {
        TorchFixture.Ready();
        var options = Small("model.pt");
        var result = MraPriorTrainer.Train(options);
        Assert.True(File.Exists(options.Output) && File.Exists(options.Output + ".json"), "weights and settings written");
        Assert.Empty(Directory.EnumerateFiles(folder, "*.tmp"));

        // An untrained encoder of the same shape on the same test set, for scale.
        var examples = MraPriorExamples.Create(600 + 200, 11, 1, 100_000, 0.5, options.Seeds.Spawn("instances"));
        using var x1 = TensorConversion.FromFloats(examples.FirstMoments, examples.Count, 11);
        using var x2 = TensorConversion.FromFloats(examples.SecondMoments, examples.Count, 11, 11);
        using var v = TensorConversion.FromFloats(examples.Signals, examples.Count, 11);
        using var r = TensorConversion.FromFloats(examples.Rhos, examples.Count, 11);
        TorchRuntime.Seed(new SeedSequence(99));
        using var fresh = new MraMomentEncoder(new MraEncoderShape(11, 8, 3, 64));
        var (freshSignal, freshRho) = MraPriorTrainer.Evaluate(fresh, x1, x2, v, r, 700, 100);
        Assert.True(result.TestSignalError < 0.6 * freshSignal, $"signal error {result.TestSignalError:0.000} trained, {freshSignal:0.000} untrained");
        Assert.True(result.TestRhoError < 0.6 * freshRho, $"ρ error {result.TestRhoError:0.000} trained, {freshRho:0.000} untrained");
        Assert.Equal(12, result.Curve.Count);
        Assert.True(result.Curve[^1].TrainLoss < result.Curve[0].TrainLoss, "the training loss falls");

        // The saved model reloads to the same outputs and the same test errors.
        var file = MraPriorModelFile.Read(options.Output);
        using var loaded = new MraMomentEncoder(MraEncoderShape.Of(file));
        loaded.load(options.Output);
        var (loadedSignal, loadedRho) = MraPriorTrainer.Evaluate(loaded, x1, x2, v, r, 700, 100);
        Assert.Equal(result.TestSignalError, loadedSignal, 1e-6);
        Assert.Equal(result.TestRhoError, loadedRho, 1e-6);
        Assert.Equal(result.TestSignalError, file.TestSignalError, 1e-9);
    }

    [Fact]
    public void TheSameSeedTrainsTheSameModel()
    {
        TorchFixture.Ready();
        var a = MraPriorTrainer.Train(Small("a.pt", epochs: 2));
        var b = MraPriorTrainer.Train(Small("b.pt", epochs: 2));
        Assert.Equal(a.TestSignalError, b.TestSignalError);
        Assert.Equal(a.TestRhoError, b.TestRhoError);
    }

    [Fact]
    public void FreshInstancesEveryEpochTrainADifferentModelReproduciblyAndSayItInTheFile()
    {
        // A new training set each epoch: not the fixed set's model, the same model again from the same seed, and the
        // file records how it was trained.
        TorchFixture.Ready();
        var fixedSet = MraPriorTrainer.Train(Small("fixed.pt", epochs: 2));
        var fresh = Small("fresh.pt", epochs: 2) with { FreshInstances = true };
        var a = MraPriorTrainer.Train(fresh);
        var b = MraPriorTrainer.Train(fresh with { Output = Path.Combine(folder, "fresh-again.pt") });
        Assert.NotEqual(fixedSet.TestSignalError, a.TestSignalError);
        Assert.Equal(a.TestSignalError, b.TestSignalError);
        Assert.Equal(a.TestRhoError, b.TestRhoError);
        Assert.True(MraPriorModelFile.Read(fresh.Output).FreshInstances);
        Assert.False(MraPriorModelFile.Read(Path.Combine(folder, "fixed.pt")).FreshInstances);
    }

    [Fact]
    public void OneGaussianCentredOnTheGridIsLearntBelowTheFloorOfOffGridCentres()
    {
        // Off the grid, the fraction of a sample by which the signal sits against ρ is invisible to the moments, so
        // the errors (up to whole-sample shifts) keep a floor that more training does not lower; on the grid the
        // same network, trained the same way, goes well under it. For bumps w = 1.5 samples wide and a uniformly
        // distributed unknown fraction, the floor is about 1/(w√24) ≈ 0.14.
        TorchFixture.Ready();
        var anywhere = MraPriorTrainer.Train(Small("anywhere.pt") with { TrainCount = 1000, Channels = 16, Hidden = 128, TrunkLayers = 4, MinimumWidth = 1.5, FreshInstances = true, Threads = 1 });
        var grid = MraPriorTrainer.Train(Small("grid.pt") with { TrainCount = 1000, Channels = 16, Hidden = 128, TrunkLayers = 4, MinimumWidth = 1.5, FreshInstances = true, Threads = 1, GridCentres = true });
        Assert.True(anywhere.TestRhoError > 0.07, $"ρ error {anywhere.TestRhoError:0.000} off the grid, under the floor");
        Assert.True(grid.TestRhoError < 0.3 * anywhere.TestRhoError, $"ρ error {grid.TestRhoError:0.000} on the grid, {anywhere.TestRhoError:0.000} off it");
        Assert.True(grid.TestSignalError < 0.6 * anywhere.TestSignalError, $"signal error {grid.TestSignalError:0.000} on the grid, {anywhere.TestSignalError:0.000} off it");
    }

    [Fact]
    public void AWiderBottleneckAndADeeperTrunkAreBuiltSavedAndReloaded()
    {
        TorchFixture.Ready();
        var options = Small("shape.pt", epochs: 2) with { BranchChannels = 5, TrunkLayers = 3, MinimumWidth = 1, GridCentres = true };
        var result = MraPriorTrainer.Train(options);
        var file = MraPriorModelFile.Read(options.Output);
        Assert.Equal(1, file.MinimumWidth);
        Assert.True(file.GridCentres);
        Assert.Equal(5, file.BranchChannels);
        Assert.Equal(3, file.TrunkLayers);

        // The options change the network: 2 branches × (5 more outputs of the last convolution) and one more trunk
        // convolution of c × c, against the paper's shape.
        using var paper = new MraMomentEncoder(new MraEncoderShape(11, 8, 3, 64));
        using var loaded = new MraMomentEncoder(MraEncoderShape.Of(file));
        long Count(MraMomentEncoder m) => m.parameters().Sum(p => p.numel());
        long extraBranch = 2 * 2 * ((8 * 3) + 1), extraTrunkInput = 2 * 2 * 8 * 3, extraLayer = (8 * 8 * 3) + 8;
        Assert.Equal(Count(paper) + extraBranch + extraTrunkInput + extraLayer, Count(loaded));
        loaded.load(options.Output);
        var examples = MraPriorExamples.Create(600 + 200, 11, 1, 100_000, 0.5, options.Seeds.Spawn("instances"), minimumWidth: 1, gridCentres: true);
        using var x1 = TensorConversion.FromFloats(examples.FirstMoments, examples.Count, 11);
        using var x2 = TensorConversion.FromFloats(examples.SecondMoments, examples.Count, 11, 11);
        using var v = TensorConversion.FromFloats(examples.Signals, examples.Count, 11);
        using var r = TensorConversion.FromFloats(examples.Rhos, examples.Count, 11);
        var (signal, rho) = MraPriorTrainer.Evaluate(loaded, x1, x2, v, r, 700, 100);
        Assert.Equal(result.TestSignalError, signal, 1e-6);
        Assert.Equal(result.TestRhoError, rho, 1e-6);

        var zero = Assert.Throws<InvalidParameterException>(() => MraPriorTrainer.Train(options with { TrunkLayers = 0 }));
        Assert.Contains("--trunk-layers", zero.Message);
        Assert.Throws<InvalidParameterException>(() => MraPriorTrainer.Train(options with { BranchChannels = 0 }));
        var wide = Assert.Throws<InvalidParameterException>(() => MraPriorTrainer.Train(options with { MinimumWidth = 3 }));
        Assert.Contains("--minimum-width", wide.Message);
    }

    [Fact]
    public void ASettingsFileFromBeforeTheShapeOptionsReadsAsThePapersShape()
    {
        string model = Path.Combine(folder, "old.pt");
        File.WriteAllBytes(model, [0]);
        File.WriteAllText(model + ".json", """
            { "format": "cryosharp-mra-prior-1", "length": 21, "channels": 32, "window": 5, "hidden": 256, "mixtures": 2,
              "observations": 1000000, "sigma": 1, "trainCount": 10000, "epochs": 60, "bestEpoch": 33,
              "testRhoError": 0.27, "testSignalError": 0.31 }
            """);
        var file = MraPriorModelFile.Read(model);
        Assert.Equal(3, file.BranchChannels);
        Assert.Equal(2, file.TrunkLayers);
        Assert.False(file.FreshInstances);
        Assert.Equal(0, file.MinimumWidth);
        Assert.False(file.GridCentres);
        Assert.Equal(new MraEncoderShape(21, 32, 5, 256), MraEncoderShape.Of(file));
    }

    [Fact]
    public void UnsupervisedRefinementLowersTheMomentMisfit()
    {
        TorchFixture.Ready();
        var options = Small("refine.pt", epochs: 4);
        MraPriorTrainer.Train(options);
        var signal = MraSignal.GaussianMixture(11, 1, new SeedSequence(21));
        var rho = ShiftDistribution.GaussianMixture(11, 1, new SeedSequence(22)).Probabilities;
        var (m1, m2) = MraMomentSampler.Sample(signal, new ShiftDistribution(rho), 100_000, 0.5, new SeedSequence(23));
        var solution = MraPriorRefinement.Solve(new MraNeuralPriorSolveOptions
        {
            Model = options.Output,
            FirstMoment = m1,
            SecondMoment = m2,
            Iterations = 150,
            LearningRate = 1e-3,
            TrueSignal = signal,
            TrueRho = rho,
            RecordEvery = 50,
        });
        Assert.Equal([0, 50, 100, 150], solution.Curve.Select(s => s.Iteration));
        Assert.True(solution.Curve[^1].Loss < 0.5 * solution.Curve[0].Loss, $"loss {solution.Curve[0].Loss:0.000} → {solution.Curve[^1].Loss:0.000}");
        Assert.All(solution.Curve, s => Assert.False(double.IsNaN(s.SignalError)));
        Assert.Equal(11, solution.Signal.Length);
        Assert.Equal(1, solution.Rho.Sum(), 1e-5);
        Assert.Throws<InvalidFileException>(() => MraPriorModelFile.Read(Path.Combine(folder, "missing.pt")));
    }
}
