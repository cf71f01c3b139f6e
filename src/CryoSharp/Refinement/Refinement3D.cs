using System.Diagnostics;
using CryoSharp.Classification;
using CryoSharp.Imaging;
using CryoSharp.Numerics;
using CryoSharp.Numerics.Fft;
using CryoSharp.Particles;
using CryoSharp.Projection;
using CryoSharp.Reconstruction;

namespace CryoSharp.Refinement;

/// <summary>
/// 3D refinement of particles whose orientations are unknown, as RELION's gold-standard auto-refine: the particles
/// are split into two halves, each refined against its own map from the same low-passed start, so that the FSC
/// between the half maps measures the resolution without bias. An iteration is one pass over the particles: the
/// E-step (<see cref="PosteriorSearch"/>, shared with 2D classification) scores each particle against central
/// sections of its half's map at every orientation of a HEALPix grid and every translation, with adaptive
/// oversampling (or, from a given order, only orientations near its previous pose, with a Gaussian prior on the
/// change); the M-step back-projects the posterior-weighted particles, measures the FSC of the unregularised
/// halves, and reconstructs each half with the Wiener term 1/(T·SSNR), SSNR = FSC/(1 − FSC). The angular step is
/// halved when neither the resolution nor the orientations improve, and once it is fine enough for the resolution
/// a final iteration uses every frequency and joins the halves into the map. Projection matching is
/// <see cref="SearchAlgorithm.CrossCorrelation"/> on the same loop. With K maps it is 3D classification.
/// </summary>
public sealed class Refinement3D
{
    private readonly Refine3DOptions options;

    /// <summary>A refinement with <paramref name="options"/>.</summary>
    public Refinement3D(Refine3DOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        this.options = options;
    }

    /// <summary>The options.</summary>
    public Refine3DOptions Options => options;

    /// <summary>The particle diameter in Å for a source (the option, or 90 % of the box).</summary>
    public double DiameterA(IParticleSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return options.ParticleDiameterA ?? (0.9 * source.Box * source.PixelSizeA);
    }

    /// <summary>The images as the refinement sees them: background-normalised, then masked by a soft circle of the particle diameter.</summary>
    public IParticleSource Preprocess(IParticleSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        Check(source);
        double radius = DiameterA(source) / 2;
        return source.Normalized(radius, options.Context).Masked(radius, options.MaskEdgePx * source.PixelSizeA, options.Context);
    }

    /// <summary>Refuses data the refinement cannot use, in one line naming the option or the data.</summary>
    public void Check(IParticleSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source.Count < 2)
        {
            throw new InvalidFileException(source.Description, "needs at least 2 particles (one per half set)");
        }

        double boxA = source.Box * source.PixelSizeA;
        if (DiameterA(source) > boxA)
        {
            throw new InvalidParameterException("--particle-diameter", DiameterA(source), $"is larger than the box ({source.Box} px × {source.PixelSizeA:0.###} Å = {boxA:0.#} Å)");
        }

        if (options.OffsetRangePx >= source.Box / 2)
        {
            throw new InvalidParameterException("--offset-range", options.OffsetRangePx, $"must be less than half the box ({source.Box / 2} px)");
        }

        if (options.SolventMask is { } mask && (mask.Nx != source.Box || mask.Ny != source.Box || mask.Nz != source.Box))
        {
            throw new InvalidParameterException("--mask", $"{mask.Nx}×{mask.Ny}×{mask.Nz}", $"must have the particles' box ({source.Box}³)");
        }

        if (options.Ctf)
        {
            foreach (var r in source.Records)
            {
                if (r.Ctf is null)
                {
                    throw new InvalidFileException(source.Description, $"--ctf needs CTF parameters (_rlnDefocusU/_rlnDefocusV/_rlnDefocusAngle), and particle {r.Index + 1} has none", r.StarLine);
                }

                if (r.Optics.CtfPremultiplied)
                {
                    throw new InvalidFileException(source.Description, "holds CTF-premultiplied images (rlnCtfDataAreCtfPremultiplied); refine the images before premultiplication", r.StarLine);
                }
            }
        }
    }

    /// <summary>Refuses a reference that does not match the particles (box, pixel size), naming <paramref name="option"/>.</summary>
    public static void CheckReference(Volume reference, IParticleSource source, string option = "--reference")
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(source);
        if (reference.Nx != source.Box || reference.Ny != source.Box || reference.Nz != source.Box)
        {
            throw new InvalidParameterException(option, $"{reference.Nx}×{reference.Ny}×{reference.Nz}", $"must have the particles' box ({source.Box}³); resample it first");
        }

        if (Math.Abs(reference.PixelSizeA - source.PixelSizeA) > 1e-3 * source.PixelSizeA)
        {
            throw new InvalidParameterException(option, $"{reference.PixelSizeA:0.####} Å/px", $"must have the particles' pixel size ({source.PixelSizeA:0.####} Å/px); resample it first");
        }
    }

    /// <summary>
    /// The start: every class's two half maps are its reference low-passed to the initial resolution; the particles keep
    /// their half sets (rlnRandomSubset) or are split at random; offsets start from the records, orientations unknown;
    /// the noise spectra come from the spread of the images about their mean.
    /// </summary>
    public Refine3DState Start(IParticleSource prepared, IReadOnlyList<Volume> references)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        ArgumentNullException.ThrowIfNull(references);
        Check(prepared);
        if (references.Count == 0)
        {
            throw new InvalidParameterException("--reference", "none", "at least one reference map is needed");
        }

        foreach (var r in references)
        {
            CheckReference(r, prepared);
        }

        int n = prepared.Count, box = prepared.Box, k = references.Count, shells = (box / 2) + 1;
        var assignments = new Refine3DAssignments(n);
        bool recordsHaveHalves = prepared.Records.All(r => r.Subset is 1 or 2) && prepared.Records.Any(r => r.Subset == 1) && prepared.Records.Any(r => r.Subset == 2);
        var order = new int[n];
        for (int i = 0; i < n; i++)
        {
            order[i] = i;
        }

        var random = new RandomStream(options.Seeds.Spawn("refine3d-halves").Seed64);
        for (int i = n - 1; i > 0; i--)
        {
            int j = random.NextInt(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }

        for (int i = 0; i < n; i++)
        {
            assignments.Half[order[i]] = i < (n + 1) / 2 ? 1 : 2;
        }

        for (int i = 0; i < n; i++)
        {
            var record = prepared.Records[i];
            if (recordsHaveHalves)
            {
                assignments.Half[i] = record.Subset;
            }

            assignments.OffsetXPx[i] = -record.Pose.OriginXA / prepared.PixelSizeA;
            assignments.OffsetYPx[i] = -record.Pose.OriginYA / prepared.PixelSizeA;
            assignments.Class[i] = 1;
        }

        var maps = new float[k][][];
        for (int c = 0; c < k; c++)
        {
            var filtered = LowPassFilter.Apply(references[c], options.InitialLowpassA, "--initial-lowpass");
            maps[c] = [(float[])filtered.Data.Clone(), (float[])filtered.Data.Clone()];
        }

        int radius = InitialRadius(prepared);
        return new Refine3DState(new Refine3DModel
        {
            Box = box,
            PixelSizeA = prepared.PixelSizeA,
            Iteration = 0,
            HalfMaps = maps,
            NoiseSpectra = InitialNoise(prepared),
            HalfMapFsc = Enumerable.Range(0, k).Select(_ => new double[shells]).ToArray(),
            SigmaOffsetA = Math.Max(options.OffsetRangePx / 3, 0.5) * prepared.PixelSizeA,
            CurrentRadiusPx = radius,
            HealpixOrder = options.HealpixOrder,
            ResolutionA = double.NaN,
            BestResolutionA = double.PositiveInfinity,
            IterationsWithoutResolutionGain = 0,
            SmallestOrientationChangeDeg = double.PositiveInfinity,
            IterationsWithoutSettling = 0,
            AccuracyRotationDeg = double.NaN,
            ClassPriors = Enumerable.Repeat(1.0 / k, k).ToArray(),
            FinalNext = false,
            Finished = false,
        }, assignments);
    }

    /// <summary>One iteration from <paramref name="state"/> (the final one when the model says so); returns the new state and what it did.</summary>
    public (Refine3DState State, Refine3DIterationStatistics Statistics) Iterate(IParticleSource prepared, Refine3DState state, IProgress<long>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        ArgumentNullException.ThrowIfNull(state);
        var clock = Stopwatch.StartNew();
        var model = state.Model;
        var previous = state.Assignments;
        int n = prepared.Count, box = prepared.Box, k = model.ClassCount;
        if (previous.Count != n || model.Box != box)
        {
            throw new ArgumentException($"The state is for {previous.Count} particles of {model.Box} px; the source has {n} of {box} px.", nameof(state));
        }

        if (model.Finished)
        {
            throw new InvalidOperationException("The refinement has finished.");
        }

        bool final = model.FinalNext;
        int radius = final ? box / 2 : Math.Clamp(model.CurrentRadiusPx, 1, box / 2);
        var algorithm = ScaleFreeIteration(model) ? SearchAlgorithm.CrossCorrelation : options.Algorithm;

        // Classes that all start from one reference are seeded from random subsets in the first pass (RELION's way);
        // otherwise every particle would score them alike and they would never part.
        Func<int, int>? seedClass = null;
        if (ScaleFreeIteration(model) && k > 1 && options.SeedClassesFromSubsets)
        {
            var classSeeds = options.Seeds.Spawn("class3d-subsets");
            seedClass = i => new RandomStream(classSeeds.ChildSeed(i)).NextInt(k);
        }

        // The scale-free pass correlates without noise weights (as RELION's cross-correlation): the first noise
        // estimate, the spread of the images, counts the differences between views as noise, and at high SNR it
        // would weigh down exactly the low frequencies that carry the alignment.
        var next = new Refine3DAssignments(n);
        var e = Expect(prepared, model, previous, next, radius, algorithm, 1, algorithm == SearchAlgorithm.CrossCorrelation && ScaleFreeIteration(model), seedClass, progress);
        var total = e.Total;
        var pixels = e.Pixels;
        var orientations = e.Orientations;
        int cpc = e.ChildrenPerCoarse;
        bool local = e.Local;

        Classification2D.Canonicalize(next.OffsetXPx, next.OffsetYPx, prepared.PixelSizeA);
        var updated = Maximize(prepared, model, total, pixels, orientations, final, n);
        double change = total.OrientationChanges > 0 ? total.OrientationChangeDeg / total.OrientationChanges : double.NaN;
        double offsetChange = total.OrientationChanges > 0 ? total.OffsetChangePx / total.OrientationChanges : double.NaN;
        updated = Schedule(updated, model, orientations, change, total.AngularSpreadDeg / n, DiameterA(prepared), final);
        var stats = new Refine3DIterationStatistics(model.Iteration + 1, clock.Elapsed.TotalSeconds, model.HealpixOrder,
            cpc == 1 ? orientations.CoarseStepDeg : orientations.FineStepDeg, local, radius, updated.ResolutionA, change, offsetChange,
            (double)total.Significant / n, total.LogLikelihood, final, total.CoarseHypotheses, total.CoarseEvaluated)
        { ReduceSeconds = e.ReduceSeconds };
        return (new Refine3DState(updated, next), stats);
    }

    /// <summary>
    /// The E-step of one pass over <paramref name="prepared"/>: each particle scored against central sections of its
    /// half's maps in <paramref name="model"/> (frequencies to <paramref name="radius"/>), its answer written to
    /// <paramref name="next"/> and its posterior-weighted sums added to the merged worker. The noise σ² is multiplied by
    /// <paramref name="noiseScale"/> (a temperature above 1 broadens the posteriors, as SGD ab initio anneals), or
    /// left out (<paramref name="flatNoise"/>) for a scale-free correlation.
    /// </summary>
    internal Refine3DExpectation Expect(IParticleSource prepared, Refine3DModel model, Refine3DAssignments previous, Refine3DAssignments next, int radius,
        SearchAlgorithm algorithm, double noiseScale, bool flatNoise, Func<int, int>? seedClass, IProgress<long>? progress)
    {
        int n = prepared.Count, box = prepared.Box, k = model.ClassCount;
        var pixels = new FourierPixelSet(box, radius);
        var orientations = new RefinementOrientations(model.HealpixOrder, options.Symmetry, options.AsymmetricUnit);
        bool local = model.HealpixOrder >= options.LocalFromOrder;
        int cpc = options.Oversampling == 0 ? 1 : RefinementOrientations.ChildrenPerCoarse;
        var translations = new TranslationSampling(options.OffsetRangePx, options.OffsetStepPx, options.Oversampling);
        double sigmaOffsetPx = model.SigmaOffsetA / prepared.PixelSizeA;
        var searches = new PosteriorSearch[2];
        int g = orientations.CoarseCount;
        var classOf = new int[k * g];
        var logPrior = new double[k * g];
        for (int c = 0; c < k; c++)
        {
            for (int o = 0; o < g; o++)
            {
                classOf[(c * g) + o] = c;
                logPrior[(c * g) + o] = Math.Log(Math.Max(model.ClassPriors[c], 1e-300));
            }
        }

        for (int h = 0; h < 2; h++)
        {
            var projectors = new FourierProjector[k];
            for (int c = 0; c < k; c++)
            {
                projectors[c] = new FourierProjector(MaskedReference(model.HalfMaps[c][h], prepared), 2, options.Context);
            }

            var slices = new ReferenceSlices(pixels, k * g, cpc, classOf, logPrior, (index, isFine, packed) =>
            {
                int s = isFine ? index / cpc : index;
                int c = s / g, o = s % g;
                var angles = !isFine || cpc == 1 ? orientations.CoarseAngles(o) : orientations.FineAngles(o, index % cpc);
                projectors[c].SampleSlice(angles.ToMatrix(), pixels.Kx, pixels.Ky, packed);
            }, options.SliceCacheBytes / 2);
            searches[h] = new PosteriorSearch(slices, translations, sigmaOffsetPx, algorithm, options.AdaptiveFraction, options.MaxSignificant, options.Search);
        }

        var shape = GridShape.Square(box);
        var fourierShells = new FourierShells(shape);
        double sigmaAngleDeg = 2 * orientations.CoarseStepDeg;
        int workers = Math.Max(1, Math.Min(Math.Min(options.Context.Threads, n), HalfSetAccumulators.WorkersFor(box, 2, options.Context) / k));
        var pool = new Refine3DWorker[workers];
        for (int w = 0; w < workers; w++)
        {
            pool[w] = new Refine3DWorker(searches, orientations, k, box, prepared.PixelSizeA, fourierShells, local, sigmaAngleDeg, seedClass);
        }

        int chunk = Math.Max(options.ChunkSize, workers);
        var images = new float[chunk * shape.Length];
        var spectra = new ComplexF[chunk * shape.HalfComplexLength];
        double ctfStep = 1 / (box * prepared.PixelSizeA);
        int fineOrientations = orientations.CoarseCount * cpc;
        var noiseModels = model.NoiseSpectra.ToDictionary(e => e.Key, e =>
        {
            var v = NoiseSpectra.Weights(e.Value, pixels);
            if (flatNoise)
            {
                Array.Fill(v, 1f);
            }
            else if (noiseScale != 1)
            {
                System.Numerics.Tensors.TensorPrimitives.Multiply(v, (float)(1 / noiseScale), v);
            }

            return (Weights: v, LogLikelihoodConstant: Class2DWorker.LogLikelihoodConstant(v, box, searches[0], fineOrientations));
        });
        var communicator = options.Context.Communicator;
        var (shareStart, shareCount) = communicator.Share(n);
        int shareEnd = shareStart + shareCount;
        for (int start = shareStart; start < shareEnd; start += chunk)
        {
            int m = Math.Min(chunk, shareEnd - start);
            prepared.ReadImages(start, m, images.AsSpan(0, m * shape.Length));
            Fft.ForwardMany(images.AsSpan(0, m * shape.Length), shape, m, spectra.AsSpan(0, m * shape.HalfComplexLength), context: options.Context);
            int first = start;
            Parallel.For(0, workers, options.Context.ParallelOptions, w =>
            {
                var worker = pool[w];
                for (int j = w; j < m; j += workers)
                {
                    int i = first + j;
                    var record = prepared.Records[i];
                    if (!noiseModels.TryGetValue(record.Optics.Number, out var noise))
                    {
                        throw new InvalidOperationException($"No noise spectrum for optics group {record.Optics.Number}.");
                    }

                    worker.Process(i, record, spectra.AsSpan(j * shape.HalfComplexLength, shape.HalfComplexLength), noise.Weights,
                        noise.LogLikelihoodConstant, options.Ctf, ctfStep, previous, next);
                }

                worker.Flush();
            });
            progress?.Report(start + m - shareStart);
        }

        // Merge the workers in order, then over the MPI ranks: every rank then holds every sum and every pose.
        var total = pool[0];
        for (int w = 1; w < workers; w++)
        {
            total.Merge(pool[w]);
        }

        var reducing = System.Diagnostics.Stopwatch.StartNew();
        total.SumOver(communicator, model.NoiseSpectra.Keys);
        next.SumOver(communicator);
        return new Refine3DExpectation(total, pixels, orientations, local, cpc, reducing.Elapsed.TotalSeconds);
    }

    private Refine3DModel Maximize(IParticleSource prepared, Refine3DModel model, Refine3DWorker total, FourierPixelSet pixels,
        RefinementOrientations orientations, bool final, int n)
    {
        int box = model.Box, k = model.ClassCount;
        var reconstructor = new FourierReconstructor(box, 2, options.Context);
        var maps = new float[k][][];
        var fscs = new double[k][];
        var combined = final ? new float[k][] : null;
        double resolution = double.PositiveInfinity;
        bool scaleFree = ScaleFreeIteration(model);
        double greyScale = total.ScaleNorm > 0 ? total.ScaleCross / total.ScaleNorm : 1;
        for (int c = 0; c < k; c++)
        {
            var acc = total.Accumulators[c];
            acc[0].Symmetrise(options.Symmetry.Elements, options.Context);
            acc[1].Symmetrise(options.Symmetry.Elements, options.Context);

            // The FSC of the unregularised halves sets the regularisation of both (RELION's gold standard).
            var plain1 = reconstructor.Reconstruct(acc[0], null);
            var plain2 = reconstructor.Reconstruct(acc[1], null);
            var fsc = FourierShellCorrelation.Compute(plain1, plain2);

            // Beyond the frequencies in use there are no data, only what real-space masking leaves in both halves alike.
            for (int s = (int)pixels.RadiusPx + 1; s < fsc.Values.Length; s++)
            {
                fsc.Values[s] = 0;
            }

            fscs[c] = fsc.Values;
            var inverse = InverseSsnr(fsc, bothHalves: false);

            // A reference of another grey scale: the scale-free first pass only measures the scale (least squares of the
            // particles against their best projections) and the refinement starts from the reference on the data's
            // scale. Reconstructing from that pass instead would throw away what the reference knows beyond the
            // resolution one correlation search at the initial low-pass can give (all of it, for a small particle).
            maps[c] = scaleFree && !(k > 1 && options.SeedClassesFromSubsets)
                ? [Scaled(model.HalfMaps[c][0], greyScale), Scaled(model.HalfMaps[c][1], greyScale)]
                : [reconstructor.Reconstruct(acc[0], inverse).Data, reconstructor.Reconstruct(acc[1], inverse).Data];
            if (final)
            {
                var both = new FourierBackProjector(box, model.PixelSizeA, 2, withWeights: true);
                both.Add(acc[0]);
                both.Add(acc[1]);
                combined![c] = reconstructor.Reconstruct(both, InverseSsnr(fsc, bothHalves: true)).Data;
            }

            double r = fsc.Crosses(0.143) ? fsc.Resolution(0.143) : 2 * model.PixelSizeA;
            resolution = Math.Min(resolution, r);
        }

        // After the scale-free pass the residuals are against the reference at its own scale: re-scale them,
        // |X − g·C·R|² = |X − C·R|² + 2(1 − g)·C⟨X̄, R⟩ + (g² − 1)·C²|R|², so that the first noise model is the
        // particles' misfit to the reference on their grey scale, not the spread of the images.
        var residuals = total.Residual;
        if (scaleFree)
        {
            residuals = new SortedDictionary<int, double[]>();
            foreach (var (g, r) in total.Residual)
            {
                var cross = total.CrossTerm[g];
                var reference = total.ReferenceTerm[g];
                residuals[g] = r.Select((value, s) => value + (2 * (1 - greyScale) * cross[s]) + (((greyScale * greyScale) - 1) * reference[s])).ToArray();
            }
        }

        var noise = NoiseSpectra.FromResiduals(residuals, total.FullPower, total.GroupCount, model.NoiseSpectra, pixels, total.Shells, (int)pixels.RadiusPx);
        var priors = new double[k];
        double weightSum = total.ClassWeight.Sum();
        for (int c = 0; c < k; c++)
        {
            priors[c] = weightSum > 0 ? Math.Max(total.ClassWeight[c] / weightSum, 1e-10) : 1.0 / k;
        }

        double sigmaOffsetPx = options.Algorithm == SearchAlgorithm.CrossCorrelation || scaleFree
            ? model.SigmaOffsetA / model.PixelSizeA
            : Math.Max(Math.Sqrt(total.OffsetSquares / (2.0 * n)), 0.1);
        int shell = (int)Math.Ceiling(box * model.PixelSizeA / resolution);
        int nextRadius = scaleFree ? model.CurrentRadiusPx : Math.Clamp(shell + options.IncrementShells, Math.Min(InitialRadius(prepared), box / 2), box / 2);
        return new Refine3DModel
        {
            Box = box,
            PixelSizeA = model.PixelSizeA,
            Iteration = model.Iteration + 1,
            HalfMaps = maps,
            NoiseSpectra = noise,
            HalfMapFsc = fscs,
            SigmaOffsetA = sigmaOffsetPx * model.PixelSizeA,
            CurrentRadiusPx = nextRadius,
            HealpixOrder = model.HealpixOrder,
            ResolutionA = resolution,
            BestResolutionA = model.BestResolutionA,
            IterationsWithoutResolutionGain = model.IterationsWithoutResolutionGain,
            SmallestOrientationChangeDeg = model.SmallestOrientationChangeDeg,
            IterationsWithoutSettling = model.IterationsWithoutSettling,
            AccuracyRotationDeg = model.AccuracyRotationDeg,
            ClassPriors = priors,
            FinalNext = false,
            Finished = final,
            CombinedMaps = combined,
        };
    }

    /// <summary>
    /// RELION's auto-refine schedule: when an iteration neither improved the resolution nor settled the orientations
    /// further (see below), the angular step is halved — unless it is already fine enough for the resolution (a step below
    /// 0.75·resolution/diameter radians moves the particle's edge by well under the resolution), in which case the
    /// next iteration is the final one.
    /// </summary>
    private Refine3DModel Schedule(Refine3DModel updated, Refine3DModel before, RefinementOrientations orientations, double changeDeg, double accuracyDeg,
        double diameterA, bool final)
    {
        if (final)
        {
            return With(updated, before.HealpixOrder, before.BestResolutionA, before.IterationsWithoutResolutionGain, before.SmallestOrientationChangeDeg,
                before.IterationsWithoutSettling, accuracyDeg, false);
        }

        double best = before.BestResolutionA;
        int noGain = before.IterationsWithoutResolutionGain;
        if (updated.ResolutionA < best - 1e-9)
        {
            best = updated.ResolutionA;
            noGain = 0;
        }
        else
        {
            noGain++;
        }

        // The orientations still settle while their mean change falls by a tenth or more from the smallest seen at this
        // step, and is not already small against the step (a quarter of it).
        double step = options.Oversampling == 0 ? orientations.CoarseStepDeg : orientations.FineStepDeg;
        double smallest = before.SmallestOrientationChangeDeg;
        int noSettle = before.IterationsWithoutSettling;
        if (double.IsNaN(changeDeg))
        {
            noSettle = 0;
        }
        else if (changeDeg < 0.9 * smallest && changeDeg > step / 4)
        {
            smallest = changeDeg;
            noSettle = 0;
        }
        else
        {
            smallest = Math.Min(smallest, changeDeg);
            noSettle++;
        }

        int order = before.HealpixOrder;
        if (options.FixedIterations is int fixedIterations)
        {
            // Classification keeps its angular step and runs its iterations, the last one at full size.
            return With(updated, order, best, noGain, smallest, noSettle, accuracyDeg, updated.Iteration >= fixedIterations - 1);
        }

        bool finalNext = updated.Iteration >= options.MaxIterations;
        if (!finalNext && noGain >= 1 && noSettle >= 1)
        {
            double needed = 0.75 * updated.ResolutionA / diameterA * 180 / Math.PI;
            if (order >= options.MaxHealpixOrder || step <= needed)
            {
                finalNext = true;
            }
            else
            {
                order++;
                noGain = 0;
                noSettle = 0;
                smallest = double.PositiveInfinity;
            }
        }

        return With(updated, order, best, noGain, smallest, noSettle, accuracyDeg, finalNext);
    }

    private static Refine3DModel With(Refine3DModel m, int order, double best, int noGain, double smallest, int noSettle, double accuracy, bool finalNext) => m with
    {
        HealpixOrder = order,
        BestResolutionA = best,
        IterationsWithoutResolutionGain = noGain,
        SmallestOrientationChangeDeg = smallest,
        IterationsWithoutSettling = noSettle,
        AccuracyRotationDeg = accuracy,
        FinalNext = finalNext,
    };

    private static float[] Scaled(float[] map, double scale)
    {
        var result = (float[])map.Clone();
        System.Numerics.Tensors.TensorPrimitives.Multiply(result, (float)scale, result);
        return result;
    }

    /// <summary>Whether the iteration from <paramref name="model"/> aligns by correlation because the reference's grey scale is not the data's.</summary>
    private bool ScaleFreeIteration(Refine3DModel model) => model.Iteration == 0 && !options.ReferenceOnAbsoluteScale;

    private double[] InverseSsnr(FscCurve fsc, bool bothHalves)
    {
        var k = FourierReconstructor.InverseSsnrFromHalfMapFsc(fsc, bothHalves);
        for (int s = 0; s < k.Length; s++)
        {
            k[s] /= options.Tau2Fudge;
        }

        return k;
    }

    /// <summary>A half map as a reference: solvent-flattened by the solvent mask or, without one, by a soft sphere of the particle diameter.</summary>
    internal Volume MaskedReference(float[] map, IParticleSource source)
    {
        var volume = new Volume(source.Box, source.Box, source.Box, source.PixelSizeA, (float[])map.Clone());
        if (options.SolventMask is { } mask)
        {
            System.Numerics.Tensors.TensorPrimitives.Multiply(volume.Data, mask.Data, volume.Data);
        }
        else
        {
            new SphericalMask(volume.Shape, DiameterA(source) / 2 / source.PixelSizeA, options.MaskEdgePx).Apply(volume.Data);
        }

        return volume;
    }

    private int InitialRadius(IParticleSource source) =>
        Math.Clamp((int)Math.Round(source.Box * source.PixelSizeA / options.InitialLowpassA), 1, source.Box / 2);

    /// <summary>
    /// σ² per optics group from the spread of the images about their mean (the first noise model, as RELION's). Under
    /// MPI each rank reads its share of the images and the sums are added over the ranks.
    /// </summary>
    internal SortedDictionary<int, double[]> InitialNoise(IParticleSource prepared)
    {
        int n = prepared.Count, box = prepared.Box, shells = (box / 2) + 1;
        var shape = GridShape.Square(box);
        var fourierShells = new FourierShells(shape);
        var (groupPower, groupSum, groupCount) = Classification2D.GroupSums(prepared, shells, shape);
        var images = new float[options.ChunkSize * shape.Length];
        var spectra = new ComplexF[options.ChunkSize * shape.HalfComplexLength];
        var communicator = options.Context.Communicator;
        var (first, mine) = communicator.Share(n);
        for (int start = first; start < first + mine; start += options.ChunkSize)
        {
            int m = Math.Min(options.ChunkSize, first + mine - start);
            prepared.ReadImages(start, m, images.AsSpan(0, m * shape.Length));
            Fft.ForwardMany(images.AsSpan(0, m * shape.Length), shape, m, spectra.AsSpan(0, m * shape.HalfComplexLength), context: options.Context);
            for (int j = 0; j < m; j++)
            {
                var spectrum = spectra.AsSpan(j * shape.HalfComplexLength, shape.HalfComplexLength);
                int group = prepared.Records[start + j].Optics.Number;
                groupCount[group]++;
                Classification2D.AddShellPower(spectrum, fourierShells, groupPower[group]);
                var sum = groupSum[group];
                for (int f = 0; f < spectrum.Length; f++)
                {
                    sum[2 * f] += spectrum[f].Re;
                    sum[(2 * f) + 1] += spectrum[f].Im;
                }
            }
        }

        communicator.SumInPlace(groupPower);
        communicator.SumInPlace(groupSum);
        communicator.SumInPlace(groupCount);
        return NoiseSpectra.FromImageSpread(groupPower, groupSum, groupCount, fourierShells, Classification2D.ShellCounts(fourierShells, shells));
    }
}

/// <summary>What one E-step pass gives the M-step: the merged sums and the sampling they were made on.</summary>
internal sealed record Refine3DExpectation(Refine3DWorker Total, FourierPixelSet Pixels, RefinementOrientations Orientations, bool Local, int ChildrenPerCoarse,
    double ReduceSeconds = 0);
