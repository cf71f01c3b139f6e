using CryoSharp.Geometry;
using CryoSharp.Imaging;
using CryoSharp.Learning.Poses;
using CryoSharp.Numerics;
using CryoSharp.Poses;
using CryoSharp.Simulation;

namespace CryoSharp.Learning.Tests.Poses;

public sealed class DistanceTrainerTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("cryosharp-siamese-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private static DistanceTrainingSet Set(long mapSeed, int count, int box, long projectionSeed = 100)
    {
        var map = new GaussianBlobPhantom { Seeds = new SeedSequence(mapSeed).Spawn("phantom") }.Create(box, 6);
        var simulator = new ParticleSimulator(map, new SimulationOptions { Count = count, Snr = double.PositiveInfinity, Ctf = false, Seeds = new SeedSequence(mapSeed + projectionSeed) });
        var source = simulator.CreateSource();
        var images = DistanceNetworkInput.Prepare(source, box);
        return new DistanceTrainingSet($"blobs:{mapSeed}", images, count, [.. source.Records.Select(r => UnitQuaternion.FromMatrix(r.Pose.Rotation))]);
    }

    [Fact]
    public void TheLearnedDistanceTracksTheRotationAngleOfNewProjections()
    {
        TorchFixture.Ready();
        const int Box = 16;
        string model = Path.Combine(folder, "net.pt");
        var result = DistanceTrainer.Train(new DistanceTrainingOptions
        {
            Sets = [Set(1, 2000, Box), Set(2, 400, Box)],
            Box = Box,
            Output = model,
            Epochs = 15,
            BatchSize = 32,
            Channels = 8,
            EmbeddingDimension = 8,
            Seeds = new SeedSequence(5),
        });
        Assert.Equal(15, result.Curve.Count);
        Assert.True(File.Exists(model) && File.Exists(model + ".json"));
        Assert.True(result.Curve[^1].TrainingLoss < result.Curve[0].TrainingLoss);
        var file = DistanceTrainer.Describe(model);
        Assert.Equal(Box, file.Box);
        Assert.Equal(8, file.EmbeddingDimension);
        Assert.Equal(["blobs:1", "blobs:2"], file.TrainedOn);

        // New projections (other orientations) of a training map: the mean |d_p − d_q| against that of the best
        // constant (the median true angle). Unseen maps are the command's experiment, too slow for a test.
        var unseen = Set(1, 300, Box, projectionSeed: 900);
        var embeddings = DistanceTrainer.Embed(model, unseen.Images, unseen.Count, 1);
        Assert.Equal(300 * 8, embeddings.Length);
        var distance = new EmbeddingPairDistance(embeddings, 8, file.Chordal);
        var pairs = PairSet.Sample(distance, PairSampling.Random, 10, new SeedSequence(6));
        var truth = PoseRecoveryScore.TrueDistances(unseen.Orientations, pairs);
        double learned = pairs.Distances.Zip(truth, (a, b) => Math.Abs(a - b)).Average();
        double median = truth.Order().ElementAt(truth.Length / 2);
        double constant = truth.Select(t => Math.Abs(t - median)).Average();
        Assert.True(learned < 0.8 * constant, $"learned {learned * 180 / Math.PI:0.0}° vs constant {constant * 180 / Math.PI:0.0}°");
    }

    [Fact]
    public void AModelWithoutItsDescriptionIsRefusedInOneLine()
    {
        string weights = Path.Combine(folder, "orphan.pt");
        File.WriteAllBytes(weights, [1, 2, 3]);
        var e = Assert.Throws<InvalidFileException>(() => DistanceTrainer.Describe(weights));
        Assert.Contains("orphan.pt.json", e.Message);
    }
}
