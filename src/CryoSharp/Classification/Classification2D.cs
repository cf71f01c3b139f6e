using System.Diagnostics;
using CryoSharp.Imaging;
using CryoSharp.Numerics;
using CryoSharp.Numerics.Fft;
using CryoSharp.Particles;

namespace CryoSharp.Classification;

/// <summary>
/// Reference-free 2D classification by maximum-likelihood EM (RELION's Class2D) or template matching. Each
/// iteration is one pass over the particles: the E-step (<see cref="PosteriorSearch"/>) scores every particle
/// against every class rotated in-plane and every translation, with adaptive oversampling; the M-step inserts the
/// weighted, aligned particles into per-class Fourier accumulators and divides with the Wiener-like
/// regularisation σ²/(T·τ²), and re-estimates the noise spectra, class priors and offset prior. Particles are
/// split among workers by index and the workers' sums are merged in a fixed order, so a run is repeated exactly
/// with the same thread count.
/// </summary>
public sealed class Classification2D
{
    private readonly Class2DOptions options;

    /// <summary>A classification with <paramref name="options"/>.</summary>
    public Classification2D(Class2DOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        this.options = options;
    }

    /// <summary>The options.</summary>
    public Class2DOptions Options => options;

    /// <summary>The particle diameter in Å for a source (the option, or 90 % of the box).</summary>
    public double DiameterA(IParticleSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return options.ParticleDiameterA ?? (0.9 * source.Box * source.PixelSizeA);
    }

    /// <summary>
    /// The images as the classification sees them: background-normalised outside the particle (RELION's --norm)
    /// and multiplied by a soft circular mask of the particle diameter (solvent flattening, RELION's --zero_mask).
    /// </summary>
    public IParticleSource Preprocess(IParticleSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        Check(source);
        double radius = DiameterA(source) / 2;
        return source.Normalized(radius, options.Context).Masked(radius, options.MaskEdgePx * source.PixelSizeA, options.Context);
    }

    /// <summary>Refuses data the classification cannot use, in one line naming the option or the data.</summary>
    public void Check(IParticleSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source.Count == 0)
        {
            throw new InvalidFileException(source.Description, "holds no particles");
        }

        if (options.Classes > source.Count)
        {
            throw new InvalidParameterException("--classes", options.Classes, $"is more than the {source.Count} particles of {source.Description}");
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
                    throw new InvalidFileException(source.Description, "holds CTF-premultiplied images (rlnCtfDataAreCtfPremultiplied); classify the images before premultiplication", r.StarLine);
                }
            }
        }
    }

    /// <summary>
    /// The random start (as RELION): each particle in a random class at a random in-plane angle (every class gets at
    /// least one particle), at the offset its record gives.
    /// </summary>
    public Class2DState Start(IParticleSource prepared)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        Check(prepared);
        int n = prepared.Count, k = options.Classes;
        var random = new RandomStream(options.Seeds.Spawn("class2d-start").Seed64);
        var start = new Class2DAssignments(n);
        var order = new int[n];
        for (int i = 0; i < n; i++)
        {
            order[i] = i;
            start.PsiDeg[i] = 360 * random.NextDouble();
        }

        for (int i = n - 1; i > 0; i--)
        {
            int j = random.NextInt(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }

        for (int i = 0; i < n; i++)
        {
            start.Class[order[i]] = 1 + (i < k ? i : random.NextInt(k));
            var origin = prepared.Records[i].Pose;
            start.OffsetXPx[i] = -origin.OriginXA / prepared.PixelSizeA;
            start.OffsetYPx[i] = -origin.OriginYA / prepared.PixelSizeA;
        }

        return StartFrom(prepared, start);
    }

    /// <summary>
    /// A start from given assignments: the class averages of the particles at their classes, angles and offsets, the
    /// noise spectra from the spread of the images about their mean, τ² from the averages' power. The model's
    /// iteration is 0 and the returned assignments have no classes yet, so the first iteration counts every particle
    /// as changed.
    /// </summary>
    public Class2DState StartFrom(IParticleSource prepared, Class2DAssignments initial)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        ArgumentNullException.ThrowIfNull(initial);
        Check(prepared);
        int n = prepared.Count, box = prepared.Box, k = options.Classes, shells = (box / 2) + 1;
        if (initial.Count != n)
        {
            throw new ArgumentException($"{initial.Count} assignments for {n} particles.", nameof(initial));
        }

        var assignments = new Class2DAssignments(n);
        var psi = initial.PsiDeg;
        var startClass = new int[n];
        for (int i = 0; i < n; i++)
        {
            if (initial.Class[i] < 1 || initial.Class[i] > k)
            {
                throw new ArgumentException($"Particle {i + 1} starts in class {initial.Class[i]}, not 1..{k}.", nameof(initial));
            }

            startClass[i] = initial.Class[i] - 1;
            assignments.OffsetXPx[i] = initial.OffsetXPx[i];
            assignments.OffsetYPx[i] = initial.OffsetYPx[i];
        }

        var pixels = new FourierPixelSet(box, box / 2);
        var shape = GridShape.Square(box);
        var accumulators = Enumerable.Range(0, k).Select(_ => new PaddedSpectrumAccumulator(box)).ToArray();
        var (groupPower, groupSum, groupCount) = GroupSums(prepared, shells, shape);
        var fourierShells = new FourierShells(shape);
        var fullShells = ShellCounts(fourierShells, shells);
        var images = new float[options.ChunkSize * shape.Length];
        var spectra = new ComplexF[options.ChunkSize * shape.HalfComplexLength];
        var packed = new float[2 * pixels.Count];
        var shifted = new float[2 * pixels.Count];
        var data = new double[2 * pixels.Count];
        var ones = new double[pixels.Count];
        Array.Fill(ones, 1.0);
        var communicator = options.Context.Communicator;
        var (first, mine) = communicator.Share(n);
        for (int start = first; start < first + mine; start += options.ChunkSize)
        {
            int m = Math.Min(options.ChunkSize, first + mine - start);
            prepared.ReadImages(start, m, images.AsSpan(0, m * shape.Length));
            Fft.ForwardMany(images.AsSpan(0, m * shape.Length), shape, m, spectra.AsSpan(0, m * shape.HalfComplexLength), context: options.Context);
            for (int j = 0; j < m; j++)
            {
                int i = start + j;
                var spectrum = spectra.AsSpan(j * shape.HalfComplexLength, shape.HalfComplexLength);
                int g = prepared.Records[i].Optics.Number;
                var sum = groupSum[g];
                groupCount[g]++;
                AddShellPower(spectrum, fourierShells, groupPower[g]);
                for (int f = 0; f < spectrum.Length; f++)
                {
                    sum[2 * f] += spectrum[f].Re;
                    sum[(2 * f) + 1] += spectrum[f].Im;
                }

                pixels.Gather(spectrum, packed);
                PosteriorSearch.ShiftSpectrum(packed, pixels, -assignments.OffsetXPx[i], -assignments.OffsetYPx[i], shifted);
                for (int f = 0; f < data.Length; f++)
                {
                    data[f] = shifted[f];
                }

                accumulators[startClass[i]].Insert(psi[i] * Math.PI / 180, pixels, data, ones);
            }
        }

        // Under MPI each rank has read its share of the images: the start's sums are added over the ranks.
        communicator.SumInPlace(groupPower);
        communicator.SumInPlace(groupSum);
        communicator.SumInPlace(groupCount);
        foreach (var accumulator in accumulators)
        {
            accumulator.SumOver(communicator);
        }

        var noise = NoiseSpectra.FromImageSpread(groupPower, groupSum, groupCount, fourierShells, fullShells);

        var mask = ClassMask(prepared);
        var classes = new float[k][];
        var tau2 = new double[k][];
        var none = new double[shells];
        var scratch1 = new double[shells];
        var scratch2 = new double[shells];
        for (int c = 0; c < k; c++)
        {
            classes[c] = accumulators[c].Reconstruct(none, box / 2, scratch1, scratch2, options.Context);
            mask.Apply(classes[c]);
            tau2[c] = PowerSpectrum(classes[c], fourierShells);
        }

        int radius = InitialRadius(prepared);
        var model = new Class2DModel
        {
            Box = box,
            PixelSizeA = prepared.PixelSizeA,
            Iteration = 0,
            Classes = classes,
            ClassPriors = Enumerable.Repeat(1.0 / k, k).ToArray(),
            NoiseSpectra = noise,
            SignalSpectra = tau2,
            SpectralSignalToNoise = Enumerable.Range(0, k).Select(_ => new double[shells]).ToArray(),
            SigmaOffsetA = Math.Max(options.OffsetRangePx / 3, 0.5) * prepared.PixelSizeA,
            CurrentRadiusPx = radius,
            ResolutionA = Enumerable.Repeat(box * prepared.PixelSizeA / radius, k).ToArray(),
            AccuracyRotationDeg = new double[k],
            AccuracyTranslationA = new double[k],
            LogLikelihood = double.NaN,
            GroupScales = options.ScaleCorrection ? Enumerable.Repeat(1.0, ParticleGroups.Of(prepared.Records).Count).ToArray() : null,
        };
        return new Class2DState(model, assignments);
    }

    /// <summary>One EM iteration from <paramref name="state"/>; returns the new state and what the iteration did.</summary>
    public (Class2DState State, Class2DIterationStatistics Statistics) Iterate(IParticleSource prepared, Class2DState state, IProgress<long>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        ArgumentNullException.ThrowIfNull(state);
        var clock = Stopwatch.StartNew();
        var model = state.Model;
        var previous = state.Assignments;
        int n = prepared.Count, box = prepared.Box, k = model.ClassCount, shells = model.ShellCount;
        if (previous.Count != n || model.Box != box)
        {
            throw new ArgumentException($"The state is for {previous.Count} particles of {model.Box} px; the source has {n} of {box} px.", nameof(state));
        }

        int radius = Math.Clamp(model.CurrentRadiusPx, 1, box / 2);
        var pixels = new FourierPixelSet(box, radius);
        var psi = new InPlaneSampling(options.PsiStepDeg, options.Oversampling);
        var translations = new TranslationSampling(options.OffsetRangePx, options.OffsetStepPx, options.Oversampling);
        var references = model.Classes.Select(c => new PaddedImageSpectrum(c, box, options.Context)).ToArray();
        int jc = psi.CoarseCount, cpc = psi.ChildrenPerCoarse;
        var classOf = new int[k * jc];
        var logPrior = new double[k * jc];
        for (int c = 0; c < k; c++)
        {
            for (int j = 0; j < jc; j++)
            {
                classOf[(c * jc) + j] = c;
                logPrior[(c * jc) + j] = Math.Log(Math.Max(model.ClassPriors[c], 1e-300));
            }
        }

        var slices = new ReferenceSlices(pixels, k * jc, cpc, classOf, logPrior, (index, isFine, packed) =>
        {
            double deg = isFine ? psi.FineDeg(index % (jc * cpc)) : psi.CoarseDeg(index % jc);
            int c = isFine ? index / (jc * cpc) : index / jc;
            references[c].SampleRotated(deg * Math.PI / 180, pixels, packed);
        }, options.Context);
        double sigmaOffsetPx = model.SigmaOffsetA / prepared.PixelSizeA;
        var search = new PosteriorSearch(slices, translations, sigmaOffsetPx, options.Algorithm, options.AdaptiveFraction, strategy: options.Search);

        int workers = Math.Max(1, Math.Min(options.Context.Threads, n));
        var shape = GridShape.Square(box);
        var fourierShells = new FourierShells(shape);
        var groups = ParticleGroups.Of(prepared.Records);
        var scales = GroupScalesFor(model, groups);
        var pool = new Class2DWorker[workers];
        for (int w = 0; w < workers; w++)
        {
            pool[w] = new Class2DWorker(search, psi, k, fourierShells, groups.Count);
        }

        var next = new Class2DAssignments(n);
        int chunk = Math.Max(options.ChunkSize, workers);
        var images = new float[chunk * shape.Length];
        var spectra = new ComplexF[chunk * shape.HalfComplexLength];
        double ctfStep = 1 / (box * prepared.PixelSizeA);
        var noiseModels = model.NoiseSpectra.ToDictionary(e => e.Key, e =>
        {
            var v = NoiseSpectra.Weights(e.Value, pixels);
            return (Weights: v, LogLikelihoodConstant: Class2DWorker.LogLikelihoodConstant(v, box, search, psi.FineCount));
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

                    int group = groups.GroupOf[i];
                    worker.Process(i, record, spectra.AsSpan(j * shape.HalfComplexLength, shape.HalfComplexLength), noise.Weights,
                        noise.LogLikelihoodConstant, options.Ctf, ctfStep, previous, next, group, scales[group]);
                }

                worker.Flush();
            });
            progress?.Report(start + m - shareStart);
        }

        // Merge the workers' sums in worker order, then over the MPI ranks (every rank then holds every sum).
        var total = pool[0];
        for (int w = 1; w < workers; w++)
        {
            total.Merge(pool[w]);
        }

        var reducing = Stopwatch.StartNew();
        total.SumOver(communicator, model.NoiseSpectra.Keys);
        next.SumOver(communicator);
        double reduceSeconds = reducing.Elapsed.TotalSeconds;

        var updated = Maximize(prepared, model, total, pixels, psi, translations, n,
            options.ScaleCorrection ? UpdatedScales(total, groups, scales) : null);
        Canonicalize(next, prepared.PixelSizeA);
        int changed = 0;
        long significant = 0;
        for (int i = 0; i < n; i++)
        {
            changed += next.Class[i] != previous.Class[i] ? 1 : 0;
            significant += next.SignificantSamples[i];
        }

        double logLikelihood = total.LogLikelihood;
        var stats = new Class2DIterationStatistics(model.Iteration + 1, clock.Elapsed.TotalSeconds, logLikelihood, (double)changed / n,
            (double)significant / n, radius, updated.ResolutionA.Min())
        { ReduceSeconds = reduceSeconds };
        return (new Class2DState(updated, next), stats);
    }

    /// <summary>
    /// Offsets as they will be read back from a STAR file (rlnOriginXAngst = −offset × pixel size), so that a run continued
    /// from its files goes on exactly as an uninterrupted one.
    /// </summary>
    internal static void Canonicalize(Class2DAssignments assignments, double pixelSizeA) =>
        Canonicalize(assignments.OffsetXPx, assignments.OffsetYPx, pixelSizeA);

    /// <summary>Offsets (pixels) as they will be read back from a STAR file's origins in Å.</summary>
    internal static void Canonicalize(double[] offsetXPx, double[] offsetYPx, double pixelSizeA)
    {
        for (int i = 0; i < offsetXPx.Length; i++)
        {
            offsetXPx[i] = Class2DFiles.OffsetFromOrigin(Class2DFiles.OriginOf(offsetXPx[i], pixelSizeA), pixelSizeA);
            offsetYPx[i] = Class2DFiles.OffsetFromOrigin(Class2DFiles.OriginOf(offsetYPx[i], pixelSizeA), pixelSizeA);
        }
    }

    /// <summary>The scale of each group in <paramref name="model"/>, or 1 for every group when it has none (the correction off).</summary>
    private static double[] GroupScalesFor(Class2DModel model, ParticleGroups groups)
    {
        var scales = Enumerable.Repeat(1.0, groups.Count).ToArray();
        if (model.GroupScales is { } kept)
        {
            if (kept.Count != groups.Count)
            {
                throw new ArgumentException($"The model has scales for {kept.Count} particle groups; the particles come from {groups.Count}.", nameof(model));
            }

            for (int g = 0; g < scales.Length; g++)
            {
                scales[g] = kept[g];
            }
        }

        return scales;
    }

    /// <summary>
    /// RELION's intensity-scale correction: each group's least-squares scale Σ w·Re(X̄·CA) / Σ w·|CA|² of its images
    /// against the references they were assigned to, then all divided by their mean over particles so that the
    /// correction moves groups against each other and leaves the data's overall scale to the class averages. A group
    /// with no evidence this iteration keeps its scale.
    /// </summary>
    private static double[] UpdatedScales(Class2DWorker total, ParticleGroups groups, double[] previous)
    {
        var scales = new double[groups.Count];
        double sum = 0, count = 0;
        for (int g = 0; g < scales.Length; g++)
        {
            double power = total.GroupReferencePower[g], product = total.GroupSignalProduct[g];
            scales[g] = power > 0 && product > 0 ? product / power : previous[g];
            sum += groups.Counts[g] * scales[g];
            count += groups.Counts[g];
        }

        double mean = count > 0 && sum > 0 ? sum / count : 1;
        for (int g = 0; g < scales.Length; g++)
        {
            scales[g] /= mean;
        }

        return scales;
    }

    private Class2DModel Maximize(IParticleSource prepared, Class2DModel model, Class2DWorker total, FourierPixelSet pixels, InPlaneSampling psi,
        TranslationSampling translations, int n, IReadOnlyList<double>? groupScales)
    {
        int box = model.Box, k = model.ClassCount, shells = model.ShellCount;
        var mask = ClassMask(prepared);
        var classes = new float[k][];
        var tau2 = new double[k][];
        var ssnr = new double[k][];
        var resolution = new double[k];
        int radius = (int)pixels.RadiusPx;
        int bestShell = 0;
        var powers = new double[k][];
        var weights = new double[k][];
        for (int c = 0; c < k; c++)
        {
            var lambda = new double[shells];
            for (int s = 0; s < shells; s++)
            {
                double t = options.Tau2Fudge * model.SignalSpectra[c][s];
                lambda[s] = t > 0 ? Math.Min(1 / t, 1e30) : 1e30;
            }

            powers[c] = new double[shells];
            weights[c] = new double[shells];
            classes[c] = total.Classes[c].Reconstruct(lambda, radius, powers[c], weights[c], options.Context);
            mask.Apply(classes[c]);
            if (options.CenterClasses)
            {
                Center(classes[c], box, mask);
            }
        }

        // τ² is pooled over the classes, weighted by their sizes: every class average is a view of the same molecule,
        // so they share one prior. Per class, a class that lost most of its particles would get τ² = 0 where its few
        // particles show no signal above the noise, its average would be shrunk to nothing, and it would never win
        // a particle again (on the 50-class β-galactosidase run, 31 of 50 classes died that way).
        var pooled = new double[shells];
        double weightSum = total.ClassWeight.Sum();
        for (int c = 0; c < k; c++)
        {
            double share = weightSum > 0 ? total.ClassWeight[c] / weightSum : 1.0 / k;
            for (int s = 0; s < shells; s++)
            {
                pooled[s] += share * powers[c][s];
            }
        }

        for (int c = 0; c < k; c++)
        {
            tau2[c] = new double[shells];
            ssnr[c] = new double[shells];
            int shell = 0;
            bool falling = false;
            for (int s = 0; s < shells; s++)
            {
                // Beyond the frequencies in use there is no new evidence: keep the previous τ² so they can be used later.
                tau2[c][s] = s < radius ? pooled[s] : model.SignalSpectra[c][s];
                ssnr[c][s] = s < radius ? options.Tau2Fudge * pooled[s] * weights[c][s] : 0;
                if (s >= 1 && !falling)
                {
                    if (ssnr[c][s] >= 1)
                    {
                        shell = s;
                    }
                    else
                    {
                        falling = true;
                    }
                }
            }

            resolution[c] = shell > 0 ? box * model.PixelSizeA / shell : box * model.PixelSizeA;
            bestShell = Math.Max(bestShell, shell);
        }

        var noise = NoiseSpectra.FromResiduals(total.Residual, total.FullPower, total.GroupCount, model.NoiseSpectra, pixels, total.Shells, radius);

        var priors = new double[k];
        var accuracyRotation = new double[k];
        var accuracyTranslation = new double[k];
        for (int c = 0; c < k; c++)
        {
            priors[c] = Math.Max(total.ClassWeight[c] / n, 1e-10);
            accuracyRotation[c] = total.ClassMembers[c] > 0 ? total.PsiSpread[c] / total.ClassMembers[c] : 0;
            accuracyTranslation[c] = total.ClassMembers[c] > 0 ? total.ShiftSpread[c] / total.ClassMembers[c] * model.PixelSizeA : 0;
        }

        double priorSum = priors.Sum();
        for (int c = 0; c < k; c++)
        {
            priors[c] /= priorSum;
        }

        double sigmaOffsetPx = options.Algorithm == SearchAlgorithm.CrossCorrelation
            ? model.SigmaOffsetA / model.PixelSizeA
            : Math.Max(Math.Sqrt(total.OffsetSquares / (2.0 * n)), 0.1);
        int nextRadius = Math.Clamp(bestShell + options.IncrementShells, Math.Min(InitialRadius(prepared), box / 2), box / 2);
        return new Class2DModel
        {
            Box = box,
            PixelSizeA = model.PixelSizeA,
            Iteration = model.Iteration + 1,
            Classes = classes,
            ClassPriors = priors,
            NoiseSpectra = noise,
            SignalSpectra = tau2,
            SpectralSignalToNoise = ssnr,
            SigmaOffsetA = sigmaOffsetPx * model.PixelSizeA,
            CurrentRadiusPx = nextRadius,
            ResolutionA = resolution,
            AccuracyRotationDeg = accuracyRotation,
            AccuracyTranslationA = accuracyTranslation,
            LogLikelihood = total.LogLikelihood,
            GroupScales = groupScales,
        };
    }

    private int InitialRadius(IParticleSource source)
    {
        int box = source.Box;
        double radius = options.InitialResolutionA is double a ? box * source.PixelSizeA / a : box / 4.0;
        return Math.Clamp((int)Math.Round(radius), 1, box / 2);
    }

    private SphericalMask ClassMask(IParticleSource source) =>
        new(GridShape.Square(source.Box), DiameterA(source) / 2 / source.PixelSizeA, options.MaskEdgePx);

    /// <summary>Number of half-complex frequencies (each stored element once) in each shell 0..<paramref name="count"/> − 1.</summary>
    internal static int[] ShellCounts(FourierShells shells, int count)
    {
        var counts = new int[count];
        foreach (int s in shells.ShellOfElement)
        {
            if (s < count)
            {
                counts[s]++;
            }
        }

        return counts;
    }

    /// <summary>
    /// Zeroed per-optics-group sums of shell power, of spectra (interleaved re, im) and of counts, with a key for every
    /// group of <paramref name="source"/>'s records: MPI ranks that read different particles hold the same keys.
    /// </summary>
    internal static (SortedDictionary<int, double[]> Power, SortedDictionary<int, double[]> Sum, SortedDictionary<int, long> Count) GroupSums(
        IParticleSource source, int shells, GridShape shape)
    {
        var power = new SortedDictionary<int, double[]>();
        var sum = new SortedDictionary<int, double[]>();
        var count = new SortedDictionary<int, long>();
        foreach (var record in source.Records)
        {
            int g = record.Optics.Number;
            if (!power.ContainsKey(g))
            {
                power[g] = new double[shells];
                sum[g] = new double[2 * shape.HalfComplexLength];
                count[g] = 0;
            }
        }

        return (power, sum, count);
    }

    /// <summary>Adds Σ|X|² per shell of a half-complex spectrum (each stored frequency once) to <paramref name="power"/>.</summary>
    internal static void AddShellPower(ReadOnlySpan<ComplexF> spectrum, FourierShells shells, Span<double> power)
    {
        var shellOf = shells.ShellOfElement;
        for (int i = 0; i < shellOf.Length; i++)
        {
            int s = shellOf[i];
            if (s < power.Length)
            {
                power[s] += spectrum[i].MagnitudeSquared;
            }
        }
    }

    private double[] PowerSpectrum(float[] image, FourierShells shells)
    {
        var shape = shells.Shape;
        var spectrum = new ComplexF[shape.HalfComplexLength];
        Fft.Forward(image, shape, spectrum, context: options.Context);
        var power = new double[(shape.Nx / 2) + 1];
        AddShellPower(spectrum, shells, power);
        var counts = ShellCounts(shells, power.Length);
        for (int s = 0; s < power.Length; s++)
        {
            power[s] = counts[s] > 0 ? power[s] / counts[s] : 0;
        }

        return power;
    }

    /// <summary>Moves the centre of mass of the positive density inside the mask to the box centre (sub-pixel, by a phase ramp).</summary>
    private static void Center(float[] image, int box, SphericalMask mask)
    {
        double sum = 0, sx = 0, sy = 0;
        int c = box / 2;
        for (int y = 0; y < box; y++)
        {
            for (int x = 0; x < box; x++)
            {
                double v = image[(y * box) + x] * mask.Weights[(y * box) + x];
                if (v > 0)
                {
                    sum += v;
                    sx += v * (x - c);
                    sy += v * (y - c);
                }
            }
        }

        if (!(sum > 0))
        {
            return;
        }

        double dx = sx / sum, dy = sy / sum;
        if ((dx * dx) + (dy * dy) < 1e-6)
        {
            return;
        }

        var picture = new Image(box, box, 1, image);
        FourierShift.Apply(picture, -dx, -dy);
        mask.Apply(image);
    }
}
