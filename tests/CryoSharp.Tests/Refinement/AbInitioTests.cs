using CryoSharp.Imaging;
using CryoSharp.Numerics;
using CryoSharp.Reconstruction;
using CryoSharp.Refinement;
using CryoSharp.Tests.Support;

namespace CryoSharp.Tests.Refinement;

public class AbInitioTests
{
    private static AbInitioOptions Fast(int iterations = 48) => new()
    {
        ParticleDiameterA = 110,
        InitialResolutionA = 30,
        FinalResolutionA = 12,
        Iterations = iterations,
        InitialMinibatch = 60,
        FinalMinibatch = 150,
        OffsetRangePx = 4,
        OffsetStepPx = 2,
        Seeds = new SeedSequence(5),
        Context = new ComputeContext { Threads = 2 },
    };

    /// <summary>FSC 0.5 resolution of <paramref name="map"/> against the truth after the best rotation, shift and hand.</summary>
    private static double AlignedResolution(Volume map, Volume truth)
    {
        var alignment = MapAlignment.Align(map, truth, allowReflection: true, context: new ComputeContext { Threads = 2 });
        return FourierShellCorrelation.Compute(MapAlignment.Apply(map, alignment), truth).Resolution(0.5);
    }

    [Fact]
    public void GrowsTheRibosomeFromARandomStartWithNoReference()
    {
        // A real structure (a simple blob phantom is nearly round at 30 Å, and ab initio, like cryoSPARC's, needs shape
        // at low resolution to start from): RELION's ribosome, 800 views at SNR 0.1 without CTF.
        var truth = CryoSharp.IO.MrcReader.ReadVolume(SharedData.Require("relion/ribosome_box64.mrc"));
        var simulator = new CryoSharp.Simulation.ParticleSimulator(truth, new CryoSharp.Simulation.SimulationOptions
        {
            Count = 800,
            Snr = 0.1,
            Ctf = false,
            ShiftSigmaA = 3,
            Seeds = new SeedSequence(41),
        });
        var records = simulator.DrawParticles();
        var simulated = simulator.CreateSource(records);
        var images = new float[800 * 64 * 64];
        simulated.ReadImages(0, 800, images);
        var particles = new CryoSharp.Particles.InMemoryParticleSource(images, 64, truth.PixelSizeA, records.Select(r => r with { Pose = default, Subset = 0 }).ToArray());
        var abinitio = new AbInitio(Fast(iterations: 40) with { ParticleDiameterA = 170, InitialResolutionA = 35, OffsetRangePx = 6, InitialMinibatch = 100, FinalMinibatch = 200 });
        var prepared = abinitio.Prepare(particles);
        Assert.Equal(32, prepared.Working.Box);
        var state = abinitio.Start(prepared);

        // The start is a featureless blob: it matches the ribosome only in the coarsest shells.
        var start = (Volume)FourierResampling.Resample(new Volume(32, 32, 32, prepared.Working.PixelSizeA, state.Model.Maps[0]), 64);
        double startResolution = AlignedResolution(new Volume(64, 64, 64, truth.PixelSizeA, start.Data), truth);
        Assert.True(startResolution > 30, $"start {startResolution:0.0} Å");

        while (state.Model.Iteration < abinitio.Options.Iterations)
        {
            state = abinitio.Iterate(prepared, state).State;
        }

        var result = abinitio.Finish(prepared, state);
        Assert.Equal(64, result.Maps[0].Nx);
        Assert.Equal(truth.PixelSizeA, result.Maps[0].PixelSizeA, 4);
        double resolution = AlignedResolution(result.Maps[0], truth);
        Assert.True(resolution < 20, $"ab initio {resolution:0.0} Å (start {startResolution:0.0} Å)");

        // The poses agree with the truth after the one global rotation (and hand) between the frames.
        var a = result.Assignments;
        var estimated = Enumerable.Range(0, a.Count).Select(i => CryoSharp.Geometry.EulerAngles.FromDegrees(a.RotDeg[i], a.TiltDeg[i], a.PsiDeg[i]).ToMatrix()).ToList();
        var errors = PoseErrors.Compute(records.Select(r => r.Pose.Rotation).ToList(), estimated, align: true, allowReflection: true);
        Assert.True(errors.MedianDeg < 10, $"median pose error {errors.MedianDeg:0.0}°");
        Assert.InRange(a.Half.Count(h => h == 1), 399, 401);
    }

    [Fact]
    public void ContinuingFromACheckpointEndsWhereAnUninterruptedRunEnds()
    {
        var (particles, _) = Refine3DTestData.Particles(200, snr: 0.5, ctf: false, seed: 42);
        var options = Fast(iterations: 6) with { InitialMinibatch = 40, FinalMinibatch = 60 };
        var abinitio = new AbInitio(options);
        var prepared = abinitio.Prepare(particles);
        var whole = abinitio.Start(prepared);
        AbInitioState? half = null;
        while (whole.Model.Iteration < 6)
        {
            whole = abinitio.Iterate(prepared, whole).State;
            if (whole.Model.Iteration == 3)
            {
                half = whole;
            }
        }

        using var temp = new TempDirectory();
        AbInitioFiles.Write(name => temp.File(name), half!, prepared);
        Assert.True(AbInitioFiles.IsComplete(temp.Path));
        var resumed = AbInitioFiles.Read(temp.Path, prepared);
        Assert.Equal(3, resumed.Model.Iteration);
        while (resumed.Model.Iteration < 6)
        {
            resumed = abinitio.Iterate(prepared, resumed).State;
        }

        Assert.Equal(whole.Model.Maps[0], resumed.Model.Maps[0]);
        Assert.Equal(whole.Assignments.RotDeg, resumed.Assignments.RotDeg);
    }

    [Fact]
    public void BranchAndBoundMinibatchesGiveTheExhaustiveMapsExactly()
    {
        var (particles, _) = Refine3DTestData.Particles(200, snr: 0.5, ctf: false, seed: 43);
        var options = Fast(iterations: 8) with { InitialMinibatch = 40, FinalMinibatch = 60 };
        var exhaustive = new AbInitio(options);
        var bounded = new AbInitio(options with { Search = CryoSharp.Classification.PoseSearchStrategy.BranchAndBound });
        var prepared = exhaustive.Prepare(particles);
        var a = exhaustive.Start(prepared);
        var b = bounded.Start(prepared);
        for (int t = 0; t < 8; t++)
        {
            a = exhaustive.Iterate(prepared, a).State;
            b = bounded.Iterate(prepared, b).State;
        }

        Assert.Equal(a.Model.Maps[0], b.Model.Maps[0]);
        Assert.Equal(a.Assignments.RotDeg, b.Assignments.RotDeg);
        Assert.Equal(a.Assignments.OffsetXPx, b.Assignments.OffsetXPx);
    }

    [Fact]
    public void TheScheduleRampsResolutionMinibatchTemperatureAndStep()
    {
        var abinitio = new AbInitio(new AbInitioOptions { Iterations = 100, InitialResolutionA = 35, FinalResolutionA = 12, InitialMinibatch = 100, FinalMinibatch = 300, InitialNoiseScale = 4, LearningRate = 0.5 });
        Assert.Equal(35, abinitio.ResolutionAt(0), 9);
        Assert.Equal(35, abinitio.ResolutionAt(25), 9);
        Assert.Equal(12, abinitio.ResolutionAt(75), 9);
        Assert.InRange(abinitio.ResolutionAt(50), 17, 18.5); // 1/resolution is linear: 1/17.8 Å halfway
        Assert.Equal(100, abinitio.MinibatchAt(10));
        Assert.Equal(200, abinitio.MinibatchAt(50));
        Assert.Equal(300, abinitio.MinibatchAt(99));
        Assert.Equal(4, abinitio.NoiseScaleAt(0), 9);
        Assert.Equal(Math.Pow(4, 0.6), abinitio.NoiseScaleAt(30), 9); // geometric: 4^(1 − 30/75)
        Assert.Equal(1, abinitio.NoiseScaleAt(80), 9);
        Assert.Equal(0.5, abinitio.LearningRateAt(74), 9);
        Assert.Equal(0.1, abinitio.LearningRateAt(100), 9);

        // The angular step follows the resolution: 35 Å on 170 Å needs 15° steps (order 1), 12 Å the finest allowed.
        Assert.Equal(1, abinitio.HealpixOrderFor(35, 170));
        Assert.Equal(2, abinitio.HealpixOrderFor(12, 170));
        Assert.Equal(3, new AbInitio(new AbInitioOptions { MaxHealpixOrder = 3 }).HealpixOrderFor(12, 170));
    }

    [Theory]
    [InlineData("--final-resolution")]
    [InlineData("--final-minibatch")]
    [InlineData("--learning-rate")]
    [InlineData("--classes")]
    [InlineData("--working-box")]
    public void RefusesSettingsThatCannotWorkNamingTheOption(string option)
    {
        var bad = option switch
        {
            "--final-resolution" => new AbInitioOptions { FinalResolutionA = 40 },
            "--final-minibatch" => new AbInitioOptions { FinalMinibatch = 50 },
            "--learning-rate" => new AbInitioOptions { LearningRate = 1.5 },
            "--classes" => new AbInitioOptions { Classes = 0 },
            _ => new AbInitioOptions { WorkingBox = 33 },
        };
        var e = Assert.Throws<InvalidParameterException>(() => new AbInitio(bad));
        Assert.Contains(option, e.Message);
    }
}
