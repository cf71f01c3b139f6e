using CryoSharp.Classification;
using CryoSharp.Geometry;
using CryoSharp.Imaging;
using CryoSharp.IO.Star;
using CryoSharp.Numerics;
using CryoSharp.Particles;
using CryoSharp.Reconstruction;
using CryoSharp.Refinement;
using CryoSharp.Tests.Support;
using Xunit.Abstractions;

namespace CryoSharp.Tests.Refinement;

public class Refinement3DTests(ITestOutputHelper output)
{
    private static Refine3DOptions Fast(SearchAlgorithm algorithm = SearchAlgorithm.MaximumLikelihood) => new()
    {
        ParticleDiameterA = 110,
        InitialLowpassA = 15,
        HealpixOrder = 2,
        LocalFromOrder = 3,
        MaxHealpixOrder = 3,
        OffsetRangePx = 2,
        OffsetStepPx = 1,
        MaxIterations = 8,
        Algorithm = algorithm,
        Context = new ComputeContext { Threads = 2 },
    };

    private static (Refine3DState State, List<Refine3DIterationStatistics> History) RunToEnd(Refinement3D refinement, IParticleSource prepared, Refine3DState state)
    {
        var history = new List<Refine3DIterationStatistics>();
        while (!state.Model.Finished)
        {
            (state, var stats) = refinement.Iterate(prepared, state);
            history.Add(stats);
        }

        return (state, history);
    }

    private static PoseErrors Errors(Refine3DAssignments a, IReadOnlyList<ParticleRecord> truth) =>
        PoseErrors.Compute(
            truth.Select(r => r.Pose.Rotation).ToList(),
            Enumerable.Range(0, a.Count).Select(i => EulerAngles.FromDegrees(a.RotDeg[i], a.TiltDeg[i], a.PsiDeg[i]).ToMatrix()).ToList());

    [Theory]
    [InlineData(SearchAlgorithm.MaximumLikelihood)]
    [InlineData(SearchAlgorithm.CrossCorrelation)]
    public void RecoversPosesAndTheMapFromALowPassedReference(SearchAlgorithm algorithm)
    {
        var map = Refine3DTestData.Map();
        var (particles, truth) = Refine3DTestData.Particles(300, snr: 5, ctf: false, seed: 4, map);
        var refinement = new Refinement3D(Fast(algorithm));
        var prepared = refinement.Preprocess(particles);
        var (state, history) = RunToEnd(refinement, prepared, refinement.Start(prepared, [map]));
        var errors = Errors(state.Assignments, truth);
        var final = new Volume(Refine3DTestData.Box, Refine3DTestData.Box, Refine3DTestData.Box, Refine3DTestData.PixelSizeA, state.Model.CombinedMaps![0]);
        double againstTruth = FourierShellCorrelation.Compute(final, map).Resolution(0.5);
        output.WriteLine($"{algorithm}: {history.Count} iterations, median pose error {errors.MedianDeg:0.00}°, {errors.Beyond20Deg:P1} beyond 20°, half maps {state.Model.ResolutionA:0.0} Å, truth FSC 0.5 at {againstTruth:0.0} Å");
        Assert.True(history[^1].Final);
        // At 12–13 Å an 80 Å particle fixes its orientation to about resolution/diameter, 7°: the reconstruction from
        // the true poses reaches 12.6 Å against the truth.
        Assert.True(errors.MedianDeg < 9, $"median error {errors.MedianDeg:0.00}°");
        Assert.True(errors.Beyond20Deg < 0.08, $"{errors.Beyond20Deg:P1} beyond 20°");

        // The low-pass start holds nothing beyond 15 Å: the refined map must.
        double start = FourierShellCorrelation.Compute(LowPassFilter.Apply(map, 15), map).Resolution(0.5);
        output.WriteLine($"start: truth FSC 0.5 at {start:0.0} Å");
        Assert.True(againstTruth < start - 1.5, $"map against truth: FSC 0.5 at {againstTruth:0.0} Å, the start {start:0.0} Å");
        Assert.True(state.Model.ResolutionA < 14, $"half maps: {state.Model.ResolutionA:0.0} Å");
        Assert.All(state.Assignments.Half, h => Assert.InRange(h, 1, 2));
    }

    [Fact]
    public void AnIterationFromSavedFilesRepeatsTheUninterruptedOneExactly()
    {
        var map = Refine3DTestData.Map();
        var (particles, _) = Refine3DTestData.Particles(120, snr: 2, ctf: true, seed: 5, map);
        var options = Fast() with { Ctf = true };
        var refinement = new Refinement3D(options);
        var prepared = refinement.Preprocess(particles);
        var (state, _) = refinement.Iterate(prepared, refinement.Start(prepared, [map]));
        (state, _) = refinement.Iterate(prepared, state);
        using var temp = new TempDirectory();
        Refine3DFiles.WriteHalfMaps(temp.File, state.Model);
        Refine3DFiles.WriteModel(temp.File(Refine3DFiles.ModelName), state.Model);
        Refine3DFiles.WriteParticles(temp.File(Refine3DFiles.ParticlesName), particles.Records, null, state.Assignments, particles.PixelSizeA);
        var reloaded = new Refine3DState(Refine3DFiles.ReadModel(temp.File(Refine3DFiles.ModelName)),
            Refine3DFiles.ReadAssignments(temp.File(Refine3DFiles.ParticlesName), particles.Count, particles.PixelSizeA));
        var (whole, _) = refinement.Iterate(prepared, state);
        var (resumed, _) = refinement.Iterate(prepared, reloaded);
        Assert.Equal(whole.Model.HalfMaps[0][0], resumed.Model.HalfMaps[0][0]);
        Assert.Equal(whole.Model.HalfMaps[0][1], resumed.Model.HalfMaps[0][1]);
        Assert.Equal(whole.Assignments.RotDeg, resumed.Assignments.RotDeg);
        Assert.Equal(whole.Assignments.OffsetXPx, resumed.Assignments.OffsetXPx);
        Assert.Equal(whole.Model.NoiseSpectra[1], resumed.Model.NoiseSpectra[1]);
        Assert.Equal(whole.Model.HealpixOrder, resumed.Model.HealpixOrder);
    }

    [Fact]
    public void BranchAndBoundGivesTheExhaustiveIterationExactlyWithFewerPosesScored()
    {
        var map = Refine3DTestData.Map();
        var (particles, _) = Refine3DTestData.Particles(100, snr: 3, ctf: true, seed: 6, map);
        var options = Fast() with { Ctf = true };
        var exhaustive = new Refinement3D(options);
        var bounded = new Refinement3D(options with { Search = PoseSearchStrategy.BranchAndBound });
        var prepared = exhaustive.Preprocess(particles);
        var start = exhaustive.Start(prepared, [map]);
        var (first, _) = exhaustive.Iterate(prepared, start);
        (first, _) = exhaustive.Iterate(prepared, first);
        (first, _) = exhaustive.Iterate(prepared, first);

        // A global iteration, then a local one (candidate orientations near each particle's pose, with their prior).
        foreach (var local in new[] { false, true })
        {
            var a = local ? new Refinement3D(options with { LocalFromOrder = 2 }) : exhaustive;
            var b = local ? new Refinement3D(options with { LocalFromOrder = 2, Search = PoseSearchStrategy.BranchAndBound }) : bounded;
            var (x, xs) = a.Iterate(prepared, first);
            var (y, ys) = b.Iterate(prepared, first);
            Assert.Equal(local, ys.Local);
            Assert.Equal(x.Model.HalfMaps[0][0], y.Model.HalfMaps[0][0]);
            Assert.Equal(x.Model.HalfMaps[0][1], y.Model.HalfMaps[0][1]);
            Assert.Equal(x.Assignments.RotDeg, y.Assignments.RotDeg);
            Assert.Equal(x.Assignments.PsiDeg, y.Assignments.PsiDeg);
            Assert.Equal(x.Assignments.OffsetXPx, y.Assignments.OffsetXPx);
            Assert.Equal(x.Assignments.MaxProbability, y.Assignments.MaxProbability);
            Assert.Equal(x.Model.NoiseSpectra[1], y.Model.NoiseSpectra[1]);
            Assert.Equal(xs.CoarseHypotheses, ys.CoarseHypotheses);
            Assert.Equal(xs.CoarseHypotheses, xs.CoarseEvaluated);
            output.WriteLine($"{(local ? "local" : "global")}: {ys.CoarseEvaluated} of {ys.CoarseHypotheses} coarse poses scored in full");
            Assert.True(ys.CoarseEvaluated < 0.5 * ys.CoarseHypotheses, $"{ys.CoarseEvaluated} of {ys.CoarseHypotheses}");
        }
    }

    [Fact]
    public void KeepsTheInputHalfSetsAndSplitsEvenlyWithoutThem()
    {
        var map = Refine3DTestData.Map();
        var (particles, _) = Refine3DTestData.Particles(41, snr: 1, ctf: false, seed: 6, map);
        var refinement = new Refinement3D(Fast());
        var start = refinement.Start(particles, [map]);
        int first = start.Assignments.Half.Count(h => h == 1);
        Assert.Equal(21, first);
        var halves = particles.Records.Select((r, i) => r with { Subset = i % 3 == 0 ? 1 : 2 }).ToArray();
        var images = new float[41 * Refine3DTestData.Box * Refine3DTestData.Box];
        particles.ReadImages(0, 41, images);
        var given = new InMemoryParticleSource(images, Refine3DTestData.Box, Refine3DTestData.PixelSizeA, halves);
        var kept = refinement.Start(given, [map]);
        Assert.Equal(halves.Select(r => r.Subset), kept.Assignments.Half);
    }

    [Fact]
    public void RefusesAReferenceOfAnotherBoxOrPixelSizeNamingTheOption()
    {
        var (particles, _) = Refine3DTestData.Particles(10, snr: 1, ctf: false, seed: 7);
        var box = Assert.Throws<InvalidParameterException>(() => Refinement3D.CheckReference(Volume.Cube(24, Refine3DTestData.PixelSizeA), particles));
        Assert.Contains("--reference", box.Message);
        Assert.Contains("40", box.Message);
        var pixel = Assert.Throws<InvalidParameterException>(() => Refinement3D.CheckReference(Volume.Cube(Refine3DTestData.Box, 2), particles));
        Assert.Contains("pixel size", pixel.Message);
        var diameter = Assert.Throws<InvalidParameterException>(() => new Refinement3D(Fast() with { ParticleDiameterA = 500 }).Check(particles));
        Assert.Contains("--particle-diameter", diameter.Message);
    }

    /// <summary>The phantom made D2-symmetric exactly: averaged with its 180° turns about z and about x (index maps about the centre).</summary>
    private static Volume D2Map()
    {
        var map = Refine3DTestData.Map();
        int n = map.Nx;
        var result = Volume.Cube(n, map.PixelSizeA);
        int Mirror(int i) => ((2 * (n / 2)) - i + n) % n;
        for (int z = 0; z < n; z++)
        {
            for (int y = 0; y < n; y++)
            {
                for (int x = 0; x < n; x++)
                {
                    result[x, y, z] = 0.25f * (map[x, y, z] + map[Mirror(x), Mirror(y), z] + map[x, Mirror(y), Mirror(z)] + map[Mirror(x), y, Mirror(z)]);
                }
            }
        }

        return result;
    }

    [Fact]
    public void ImposedSymmetryGivesASymmetricMapAndAFinerResolution()
    {
        var map = D2Map();
        var (particles, _) = Refine3DTestData.Particles(150, snr: 1, ctf: false, seed: 9, map);
        var resolution = new Dictionary<string, double>();
        var symmetric = new Dictionary<string, double>();
        foreach (var name in new[] { "C1", "D2" })
        {
            var options = Fast() with { Symmetry = SymmetryGroup.Parse(name), AsymmetricUnit = false, HealpixOrder = 1, LocalFromOrder = 2, MaxHealpixOrder = 2, MaxIterations = 8, MaxSignificant = 200 };
            var refinement = new Refinement3D(options);
            var prepared = refinement.Preprocess(particles);
            var (state, _) = RunToEnd(refinement, prepared, refinement.Start(prepared, [map]));
            resolution[name] = state.Model.ResolutionA;
            var final = new Volume(Refine3DTestData.Box, Refine3DTestData.Box, Refine3DTestData.Box, Refine3DTestData.PixelSizeA, state.Model.CombinedMaps![0]);
            int n = final.Nx;
            int Mirror(int i) => ((2 * (n / 2)) - i + n) % n;
            double dot = 0, self = 0, other = 0;
            for (int z = 4; z < n - 4; z++)
            {
                for (int y = 4; y < n - 4; y++)
                {
                    for (int x = 4; x < n - 4; x++)
                    {
                        double a = final[x, y, z], b = final[Mirror(x), Mirror(y), z];
                        dot += a * b;
                        self += a * a;
                        other += b * b;
                    }
                }
            }

            symmetric[name] = dot / Math.Sqrt(self * other);
            output.WriteLine($"{name} over the whole sphere: half maps {state.Model.ResolutionA:0.00} Å, correlation with its 180° turn about z {symmetric[name]:0.00000}");
        }

        // Over the asymmetric unit alone (|G| times fewer poses) the symmetry is imposed just as well.
        var unit = Fast() with { Symmetry = SymmetryGroup.Parse("D2"), AsymmetricUnit = true, HealpixOrder = 1, LocalFromOrder = 2, MaxHealpixOrder = 2, MaxIterations = 8, MaxSignificant = 200 };
        var unitRefinement = new Refinement3D(unit);
        var unitPrepared = unitRefinement.Preprocess(particles);
        var (unitState, unitHistory) = RunToEnd(unitRefinement, unitPrepared, unitRefinement.Start(unitPrepared, [map]));
        output.WriteLine($"D2 over the asymmetric unit: half maps {unitState.Model.ResolutionA:0.00} Å, {unitHistory.Sum(h => h.CoarseHypotheses)} coarse hypotheses");
        Assert.True(unitState.Model.ResolutionA < resolution["C1"], $"D2 over the asymmetric unit {unitState.Model.ResolutionA:0.00} Å, C1 {resolution["C1"]:0.00} Å");

        // Imposed, the symmetry holds up to interpolation; refined without it, only as far as the noise allows.
        Assert.True(symmetric["D2"] > 0.998 && symmetric["D2"] > symmetric["C1"], $"D2 {symmetric["D2"]:0.00000}, C1 {symmetric["C1"]:0.00000}");
        Assert.True(resolution["D2"] < resolution["C1"] - 0.3, $"D2 {resolution["D2"]:0.00} Å, C1 {resolution["C1"]:0.00} Å");
    }

    [Fact]
    public void ClassifiesAMixtureOfTwoStructuresFromOneReference()
    {
        // The phantom, and the phantom with the blobs of one side removed (a lost subunit).
        var whole = Refine3DTestData.Map();
        var partial = whole.Clone();
        int n = whole.Nx;
        for (int z = 0; z < n; z++)
        {
            for (int y = 0; y < n; y++)
            {
                for (int x = (n / 2) + 3; x < n; x++)
                {
                    partial[x, y, z] = 0;
                }
            }
        }

        var (a, _) = Refine3DTestData.Particles(150, snr: 2, ctf: false, seed: 10, whole);
        var (b, _) = Refine3DTestData.Particles(150, snr: 2, ctf: false, seed: 11, partial);
        int box = Refine3DTestData.Box;
        var images = new float[300 * box * box];
        a.ReadImages(0, 150, images.AsSpan(0, 150 * box * box));
        b.ReadImages(0, 150, images.AsSpan(150 * box * box));
        var records = a.Records.Concat(b.Records).Select((r, i) => r with { Index = i }).ToArray();
        var mixture = new InMemoryParticleSource(images, box, Refine3DTestData.PixelSizeA, records);
        var options = Fast() with
        {
            HealpixOrder = 1,
            LocalFromOrder = 9,
            MaxHealpixOrder = 1,
            FixedIterations = 8,
            MaxIterations = 8,
            SeedClassesFromSubsets = true,
            Tau2Fudge = 4,
        };
        var refinement = new Refinement3D(options);
        var prepared = refinement.Preprocess(mixture);
        var (state, _) = RunToEnd(refinement, prepared, refinement.Start(prepared, [whole, whole]));
        var cls = state.Assignments.Class;
        int agree = 0;
        for (int i = 0; i < 300; i++)
        {
            agree += cls[i] == (i < 150 ? 1 : 2) ? 1 : 0;
        }

        double correct = Math.Max(agree, 300 - agree) / 300.0;
        output.WriteLine($"classified correctly: {correct:P1}; class sizes {cls.Count(c => c == 1)} / {cls.Count(c => c == 2)}");
        Assert.True(correct >= 0.9, $"{correct:P1} classified correctly");
    }
}
