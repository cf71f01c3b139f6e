using System.Diagnostics;
using CryoSharp.Classification;
using CryoSharp.Geometry;
using CryoSharp.Imaging;
using CryoSharp.Numerics;
using CryoSharp.Particles;
using CryoSharp.Reconstruction;

namespace CryoSharp.Refinement;

/// <summary>
/// Ab initio reconstruction by stochastic gradient descent (Punjani et al. 2017, cryoSPARC; RELION 3's --sgd): maps
/// grown from particles alone, no reference. Each iteration draws a minibatch, marginalises its particles' poses
/// against the current maps (the E-step of <see cref="Refinement3D"/>: global HEALPix search with adaptive
/// oversampling, translations, CTF, noise model), and steps along the gradient of the log-likelihood preconditioned by
/// its diagonal curvature: with the minibatch's back-projected data B and weights W, the step
/// η·(B − W·V)/W̄ is η times the move from V to the minibatch's own reconstruction B/(W + λ), so a step of 1 would
/// forget the past and a small one averages many minibatches. Momentum carries part of the last step on. The
/// resolution rises from the initial to the final one, the minibatch grows, and the noise σ² starts inflated by a
/// temperature that falls to 1 (annealing: broad posteriors at first). Everything runs on a Fourier-cropped working
/// box whose Nyquist is the final resolution; the maps are padded back to the particles' box at the end.
/// </summary>
public sealed class AbInitio
{
    private readonly AbInitioOptions options;

    /// <summary>An ab initio run with <paramref name="options"/>.</summary>
    public AbInitio(AbInitioOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        this.options = options;
    }

    /// <summary>The options.</summary>
    public AbInitioOptions Options => options;

    /// <summary>The particle diameter in Å (the option, or 90 % of the box).</summary>
    public double DiameterA(IParticleSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return options.ParticleDiameterA ?? (0.9 * source.Box * source.PixelSizeA);
    }

    /// <summary>The working box: the option, or the smallest even box whose Nyquist frequency reaches the final resolution (never above the particles' box).</summary>
    public int WorkingBox(IParticleSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        int box = options.WorkingBox ?? (2 * (int)Math.Ceiling(source.Box * source.PixelSizeA / options.FinalResolutionA));
        return Math.Min(Math.Max(box, 16), source.Box - (source.Box % 2));
    }

    /// <summary>
    /// The particles as the iterations see them, in memory: a seeded random subset (at most --max-particles), each
    /// image background-normalised, masked by a soft circle of the particle diameter and Fourier-cropped to the working
    /// box. Memory: used particles × working box² × 4 bytes. <see cref="AbInitioParticles.Used"/> maps them to the input.
    /// Under MPI each rank reads and prepares its share and the shares are broadcast, so that every rank holds the
    /// working set (the minibatches are drawn from all of it) while each image is read from disk once.
    /// </summary>
    public AbInitioParticles Prepare(IParticleSource source, IProgress<long>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        Check(source);
        int n = source.Count, used = Math.Min(n, options.MaxParticles ?? n);
        var chosen = used < n ? Pick(n, used, options.Seeds.Spawn("abinitio-subset").CreateStream()) : Enumerable.Range(0, n).ToArray();
        Array.Sort(chosen);
        int box = WorkingBox(source);
        double radius = DiameterA(source) / 2;
        var working = source.Normalized(radius, options.Context).Masked(radius, 5 * source.PixelSizeA, options.Context).FourierCropped(box, options.Context);
        long length = (long)box * box;
        var images = new float[length * used];
        var records = new ParticleRecord[used];
        for (int u = 0; u < used; u++)
        {
            records[u] = working.Records[chosen[u]];
        }

        var communicator = options.Context.Communicator;
        var (first, mine) = communicator.Share(used);
        for (int u = first; u < first + mine;)
        {
            // Runs of consecutive indices are read as one chunk (all of them when every particle is used).
            int start = chosen[u], run = 1;
            while (u + run < first + mine && chosen[u + run] == start + run && run < 256)
            {
                run++;
            }

            working.ReadImages(start, run, images.AsSpan((int)(u * length), (int)(run * length)));
            u += run;
            progress?.Report(u - first);
        }

        for (int rank = 0; rank < communicator.Size; rank++)
        {
            var (from, count) = communicator.ShareOf(rank, used);
            communicator.Broadcast(images.AsSpan((int)(from * length), (int)(count * length)), rank);
        }

        return new AbInitioParticles(new InMemoryParticleSource(images, box, working.PixelSizeA, records, source.Description + ", working box"), chosen, source);
    }

    /// <summary>Refuses data the run cannot use, in one line naming the option or the data.</summary>
    public void Check(IParticleSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        Engine(source).Check(source);
        if (source.Count < options.InitialMinibatch)
        {
            throw new InvalidFileException(source.Description, $"holds {source.Count} particles, fewer than one minibatch (--initial-minibatch {options.InitialMinibatch})");
        }
    }

    /// <summary>The start: each class the reconstruction of its own random subset of particles at random orientations, low-passed to the initial resolution (a featureless blob on the data's grey scale); σ² from the spread of the images.</summary>
    public AbInitioState Start(AbInitioParticles particles)
    {
        ArgumentNullException.ThrowIfNull(particles);
        var working = particles.Working;
        var engine = Engine(particles.Source, working);
        int k = options.Classes, box = working.Box, n = working.Count;
        var maps = new float[k][];
        var velocities = new float[k][];
        for (int c = 0; c < k; c++)
        {
            var random = options.Seeds.Spawn("abinitio-start", c).CreateStream();
            int m = Math.Min(n, options.InitialMinibatch);
            var pick = Pick(n, m, random);
            var records = new ParticleRecord[m];
            var images = new float[m * box * box];
            for (int j = 0; j < m; j++)
            {
                var q = Rotations.RandomUniform(random).ToEuler().ToDegrees();
                records[j] = working.Records[pick[j]] with { Pose = new Pose(q.RotDeg, q.TiltDeg, q.PsiDeg), Subset = 1 + (j % 2) };
                working.ReadImages(pick[j], 1, images.AsSpan(j * box * box, box * box));
            }

            var subset = new InMemoryParticleSource(images, box, working.PixelSizeA, records, working.Description);
            var blob = new ParticleReconstruction(new ReconstructionOptions
            {
                Ctf = options.Ctf,
                Regularisation = 1,
                Seeds = options.Seeds.Spawn("abinitio-start-halves", c),
                Context = options.Context,
                Symmetry = options.Symmetry,
            }).Run(subset).Map;
            maps[c] = LowPassFilter.Apply(blob, options.InitialResolutionA).Data;
            velocities[c] = new float[maps[c].Length];
        }

        var assignments = new Refine3DAssignments(n);
        for (int i = 0; i < n; i++)
        {
            assignments.Half[i] = 1;
            assignments.Class[i] = 1;
            assignments.OffsetXPx[i] = -working.Records[i].Pose.OriginXA / working.PixelSizeA;
            assignments.OffsetYPx[i] = -working.Records[i].Pose.OriginYA / working.PixelSizeA;
        }

        var model = new AbInitioModel
        {
            Box = box,
            PixelSizeA = working.PixelSizeA,
            Iteration = 0,
            Maps = maps,
            Velocities = velocities,
            NoiseSpectra = engine.InitialNoise(working),
            ClassPriors = Enumerable.Repeat(1.0 / k, k).ToArray(),
        };
        return new AbInitioState(model, assignments);
    }

    /// <summary>The resolution iteration <paramref name="t"/> (from 0) uses, in Å: initial for the first quarter, then 1/resolution rising linearly to the final one by three quarters.</summary>
    public double ResolutionAt(int t) => 1 / Ramp(t, 1 / options.InitialResolutionA, 1 / options.FinalResolutionA);

    /// <summary>The minibatch size of iteration <paramref name="t"/>.</summary>
    public int MinibatchAt(int t) => (int)Math.Round(Ramp(t, options.InitialMinibatch, options.FinalMinibatch));

    /// <summary>The factor on σ² at iteration <paramref name="t"/>: from --initial-noise-scale down to 1 geometrically by the last phase.</summary>
    public double NoiseScaleAt(int t) => Math.Exp(Ramp(t, Math.Log(options.InitialNoiseScale), 0, rampFrom: 0));

    /// <summary>The step at iteration <paramref name="t"/>: the learning rate, falling linearly to a fifth of it over the last phase.</summary>
    public double LearningRateAt(int t)
    {
        double last = 0.75 * options.Iterations;
        return t < last ? options.LearningRate : options.LearningRate * (1 - (0.8 * (t - last) / Math.Max(1, options.Iterations - last)));
    }

    /// <summary>The HEALPix order for a resolution: the smallest whose oversampled step (60°/2^(n+1)) moves the particle's edge by no more than 1.5 × the resolution, capped at --max-healpix-order.</summary>
    public int HealpixOrderFor(double resolutionA, double diameterA)
    {
        double needed = 1.5 * resolutionA / diameterA * 180 / Math.PI;
        int order = 0;
        while (order < options.MaxHealpixOrder && 60.0 / (1 << (order + 1)) > needed)
        {
            order++;
        }

        return order;
    }

    /// <summary>One SGD iteration: a minibatch's E-step against the current maps, then the preconditioned, momentum-carried step.</summary>
    public (AbInitioState State, AbInitioIterationStatistics Statistics) Iterate(AbInitioParticles particles, AbInitioState state)
    {
        ArgumentNullException.ThrowIfNull(particles);
        ArgumentNullException.ThrowIfNull(state);
        var clock = Stopwatch.StartNew();
        var working = particles.Working;
        var model = state.Model;
        int t = model.Iteration, n = working.Count, box = working.Box, k = model.ClassCount;
        if (state.Assignments.Count != n || model.Box != box)
        {
            throw new ArgumentException($"The state is for {state.Assignments.Count} particles of {model.Box} px; the working set has {n} of {box} px.", nameof(state));
        }

        double resolution = ResolutionAt(t), noiseScale = NoiseScaleAt(t), rate = LearningRateAt(t);
        int radius = Math.Clamp((int)Math.Round(box * working.PixelSizeA / resolution), 2, box / 2);
        int order = HealpixOrderFor(resolution, DiameterA(particles.Source));
        int m = Math.Min(n, MinibatchAt(t));
        var pick = Pick(n, m, options.Seeds.Spawn("abinitio-minibatch", t).CreateStream());
        Array.Sort(pick);
        var (batch, previous) = Minibatch(working, state.Assignments, pick);
        var engine = Engine(particles.Source, working);
        var next = new Refine3DAssignments(m);
        var e = engine.Expect(batch, ExpectationModel(model, order), previous, next, radius, SearchAlgorithm.MaximumLikelihood, noiseScale, false, null, null);
        var total = e.Total;

        var reconstructor = new FourierReconstructor(box, 2, options.Context);
        var inverseSsnr = Enumerable.Repeat(MinibatchRegularisation, (box / 2) + 1).ToArray();
        var maps = new float[k][];
        var velocities = new float[k][];
        double weightSum = total.ClassWeight.Sum();
        for (int c = 0; c < k; c++)
        {
            var acc = total.Accumulators[c][0];
            acc.Symmetrise(options.Symmetry.Elements, options.Context);

            // A class no particle of this minibatch chose keeps its map (and its momentum decays).
            bool seen = total.ClassWeight[c] > 1e-6 * Math.Max(weightSum, 1e-300);
            // The minibatch's regularised reconstruction, leaning on the current map where the minibatch's views
            // say little, so that the step moves only what the data saw.
            var current = new Volume(box, box, box, working.PixelSizeA, model.Maps[c]);
            var target = seen ? LowPassFilter.Apply(reconstructor.ReconstructTowards(acc, inverseSsnr, current), resolution).Data : model.Maps[c];
            var v = new float[target.Length];
            var map = (float[])model.Maps[c].Clone();
            var old = model.Velocities[c];
            for (int i = 0; i < v.Length; i++)
            {
                v[i] = (float)((options.Momentum * old[i]) + (rate * (target[i] - map[i])));
                map[i] += v[i];
            }

            maps[c] = map;
            velocities[c] = v;
        }

        // σ² and the class priors follow the minibatches as running averages (a minibatch alone is too noisy for either).
        var measured = NoiseSpectra.FromResiduals(total.Residual, total.FullPower, total.GroupCount, model.NoiseSpectra, e.Pixels, total.Shells, radius);
        var noise = new SortedDictionary<int, double[]>();
        double keep = 1 - NoiseAveraging;
        foreach (var (g, old) in model.NoiseSpectra)
        {
            var now = measured.TryGetValue(g, out var value) ? value : old;
            noise[g] = old.Select((o, s) => s < radius ? (keep * o) + (NoiseAveraging * now[s]) : o).ToArray();
        }

        var priors = new double[k];
        for (int c = 0; c < k; c++)
        {
            double batchPrior = weightSum > 0 ? total.ClassWeight[c] / weightSum : 1.0 / k;
            priors[c] = Math.Max((keep * model.ClassPriors[c]) + (NoiseAveraging * batchPrior), 1e-6);
        }

        double priorSum = priors.Sum();
        for (int c = 0; c < k; c++)
        {
            priors[c] /= priorSum;
        }

        var assignments = state.Assignments.Clone();
        double maxProbability = 0;
        double limit = options.OffsetRangePx * particles.Source.PixelSizeA / working.PixelSizeA;
        for (int j = 0; j < m; j++)
        {
            int i = pick[j];
            assignments.RotDeg[i] = next.RotDeg[j];
            assignments.TiltDeg[i] = next.TiltDeg[j];
            assignments.PsiDeg[i] = next.PsiDeg[j];

            // The offsets centre the next search; they are kept within the range so that a particle cannot walk off.
            assignments.OffsetXPx[i] = Math.Clamp(next.OffsetXPx[j], -limit, limit);
            assignments.OffsetYPx[i] = Math.Clamp(next.OffsetYPx[j], -limit, limit);
            assignments.Class[i] = next.Class[j];
            assignments.HasPose[i] = true;
            assignments.MaxProbability[i] = next.MaxProbability[j];
            assignments.SignificantSamples[i] = next.SignificantSamples[j];
            assignments.LogLikelihood[i] = next.LogLikelihood[j];
            maxProbability += next.MaxProbability[j];
        }

        var updated = model with { Iteration = t + 1, Maps = maps, Velocities = velocities, NoiseSpectra = noise, ClassPriors = priors };
        var stats = new AbInitioIterationStatistics(t + 1, clock.Elapsed.TotalSeconds, resolution, order, m, noiseScale, rate, maxProbability / m,
            total.LogLikelihood / m, priors)
        { ReduceSeconds = e.ReduceSeconds };
        return (new AbInitioState(updated, assignments), stats);
    }

    /// <summary>
    /// The end: one E-step of every used particle against the final maps (their poses, offsets and classes), and each
    /// class reconstructed from all of them — on the working box, and Fourier-padded to the particles' box and pixel size.
    /// </summary>
    public AbInitioResult Finish(AbInitioParticles particles, AbInitioState state, IProgress<long>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(particles);
        ArgumentNullException.ThrowIfNull(state);
        var working = particles.Working;
        var model = state.Model;
        int n = working.Count, box = working.Box, k = model.ClassCount;
        double resolution = options.FinalResolutionA;
        int radius = Math.Clamp((int)Math.Round(box * working.PixelSizeA / resolution), 2, box / 2);
        var engine = Engine(particles.Source, working);
        var previous = state.Assignments.Clone();
        Array.Fill(previous.HasPose, false);
        var next = new Refine3DAssignments(n);
        var e = engine.Expect(working, ExpectationModel(model, HealpixOrderFor(resolution, DiameterA(particles.Source))), previous, next, radius,
            SearchAlgorithm.MaximumLikelihood, 1, false, null, progress);
        var reconstructor = new FourierReconstructor(box, 2, options.Context);
        var inverseSsnr = Enumerable.Repeat(1.0 / FinalSsnr, (box / 2) + 1).ToArray();
        var workingMaps = new Volume[k];
        var maps = new Volume[k];
        var counts = new int[k];
        for (int i = 0; i < n; i++)
        {
            counts[next.Class[i] - 1]++;
        }

        for (int c = 0; c < k; c++)
        {
            var acc = e.Total.Accumulators[c][0];
            acc.Symmetrise(options.Symmetry.Elements, options.Context);
            workingMaps[c] = counts[c] > 0
                ? LowPassFilter.Apply(reconstructor.Reconstruct(acc, inverseSsnr), resolution)
                : new Volume(box, box, box, working.PixelSizeA, (float[])model.Maps[c].Clone());
            var full = (Volume)FourierResampling.Resample(workingMaps[c], particles.Source.Box);
            maps[c] = new Volume(full.Nx, full.Ny, full.Nz, particles.Source.PixelSizeA, full.Data);
        }

        // Offsets back to the particles' pixels; halves a seeded even split, for a gold-standard refinement next.
        var halves = options.Seeds.Spawn("abinitio-halves").CreateStream();
        double toInput = working.PixelSizeA / particles.Source.PixelSizeA;
        var order = Pick(n, n, halves);
        for (int j = 0; j < n; j++)
        {
            int i = order[j];
            next.Half[i] = j < (n + 1) / 2 ? 1 : 2;
            next.OffsetXPx[i] *= toInput;
            next.OffsetYPx[i] *= toInput;
        }

        return new AbInitioResult(maps, workingMaps, next, counts, resolution);
    }

    // The minibatch reconstruction's Wiener term, 1/SSNR per voxel of mean weight: light, since the step averages
    // many minibatches; the final map from every particle uses a lighter one still.
    private const double MinibatchRegularisation = 0.2;
    private const double FinalSsnr = 20;

    // The weight of each minibatch in the running σ² and class priors.
    private const double NoiseAveraging = 0.2;

    /// <summary>From <paramref name="from"/> (first quarter) to <paramref name="to"/> (from three quarters on), linear between.</summary>
    private double Ramp(int t, double from, double to, double rampFrom = 0.25)
    {
        double a = rampFrom * options.Iterations, b = 0.75 * options.Iterations;
        return t <= a ? from : t >= b ? to : from + ((to - from) * (t - a) / (b - a));
    }

    /// <summary>The refinement engine whose E-step the iterations use, with the settings mapped to the working box.</summary>
    private Refinement3D Engine(IParticleSource source, IParticleSource? working = null)
    {
        double scale = working is null ? 1 : source.PixelSizeA / working.PixelSizeA;
        return new Refinement3D(new Refine3DOptions
        {
            ParticleDiameterA = DiameterA(source),
            MaskEdgePx = options.MaskEdgePx,
            Ctf = options.Ctf,
            HealpixOrder = 0,
            MaxHealpixOrder = 5,
            LocalFromOrder = 99,
            OffsetRangePx = options.OffsetRangePx * scale,
            OffsetStepPx = options.OffsetStepPx * scale,
            MaxSignificant = options.MaxSignificant,
            Search = options.Search,
            Symmetry = options.Symmetry,
            Seeds = options.Seeds,
            Context = options.Context,
        });
    }

    /// <summary>The maps as a refinement model the E-step reads (both "halves" the same map: every particle is in half 1).</summary>
    private static Refine3DModel ExpectationModel(AbInitioModel model, int order) => new()
    {
        Box = model.Box,
        PixelSizeA = model.PixelSizeA,
        Iteration = model.Iteration,
        HalfMaps = model.Maps.Select(map => new[] { map, map }).ToArray(),
        NoiseSpectra = model.NoiseSpectra,
        HalfMapFsc = [],
        SigmaOffsetA = 1e3,
        CurrentRadiusPx = 0,
        HealpixOrder = order,
        ResolutionA = double.NaN,
        BestResolutionA = double.NaN,
        IterationsWithoutResolutionGain = 0,
        SmallestOrientationChangeDeg = double.PositiveInfinity,
        IterationsWithoutSettling = 0,
        AccuracyRotationDeg = double.NaN,
        ClassPriors = model.ClassPriors,
        FinalNext = false,
        Finished = false,
    };

    private static (InMemoryParticleSource Batch, Refine3DAssignments Previous) Minibatch(InMemoryParticleSource working, Refine3DAssignments all, int[] pick)
    {
        int m = pick.Length, length = working.Box * working.Box;
        var images = new float[m * length];
        var records = new ParticleRecord[m];
        var previous = new Refine3DAssignments(m);
        var source = working.Images.Span;
        for (int j = 0; j < m; j++)
        {
            int i = pick[j];
            source.Slice(i * length, length).CopyTo(images.AsSpan(j * length, length));
            records[j] = working.Records[i];
            previous.Half[j] = 1;
            previous.Class[j] = all.Class[i];
            previous.OffsetXPx[j] = all.OffsetXPx[i];
            previous.OffsetYPx[j] = all.OffsetYPx[i];
        }

        return (new InMemoryParticleSource(images, working.Box, working.PixelSizeA, records, working.Description), previous);
    }

    /// <summary><paramref name="m"/> distinct indices of [0, <paramref name="n"/>) (a partial Fisher–Yates shuffle).</summary>
    private static int[] Pick(int n, int m, RandomStream random)
    {
        var all = new int[n];
        for (int i = 0; i < n; i++)
        {
            all[i] = i;
        }

        for (int i = 0; i < m; i++)
        {
            int j = i + random.NextInt(n - i);
            (all[i], all[j]) = (all[j], all[i]);
        }

        return all[..m];
    }
}

/// <summary>The particles an ab initio run iterates over.</summary>
/// <param name="Working">The used particles, normalised, masked and Fourier-cropped to the working box, in memory.</param>
/// <param name="Used">For each working particle, its index in <paramref name="Source"/>.</param>
/// <param name="Source">The input particles.</param>
public sealed record AbInitioParticles(InMemoryParticleSource Working, int[] Used, IParticleSource Source);

/// <summary>What an ab initio run gives.</summary>
/// <param name="Maps">The class maps on the particles' box and pixel size.</param>
/// <param name="WorkingMaps">The class maps on the working box.</param>
/// <param name="Assignments">Each used particle's pose (offsets in the particles' pixels), class and a seeded half set.</param>
/// <param name="ClassCounts">Particles per class.</param>
/// <param name="ResolutionA">The resolution the maps are filtered to, in Å.</param>
public sealed record AbInitioResult(Volume[] Maps, Volume[] WorkingMaps, Refine3DAssignments Assignments, int[] ClassCounts, double ResolutionA);
