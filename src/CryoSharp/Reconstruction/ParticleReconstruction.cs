using CryoSharp.Imaging;
using CryoSharp.Numerics;
using CryoSharp.Numerics.Fft;
using CryoSharp.Particles;
using CryoSharp.Projection;

namespace CryoSharp.Reconstruction;

/// <summary>
/// Reconstructs a map from particle images with known orientations, origins and CTFs (relion_reconstruct's job):
/// streams over the stacks in chunks (bounded memory), transforms each chunk with batched FFTs, re-centres each
/// particle (translation by +origin), and inserts CTF·X and CTF² into the accumulators of its half set
/// (rlnRandomSubset, or a seeded random split). The two half maps give the gold-standard FSC, which sets the
/// per-shell Wiener regularisation ("auto") of the half maps and of the full map.
/// </summary>
public sealed class ParticleReconstruction
{
    /// <summary>Creates the reconstruction.</summary>
    public ParticleReconstruction(ReconstructionOptions options)
    {
        Options = options ?? throw new ArgumentNullException(nameof(options));
        if (options.Regularisation is double k && !(k >= 0))
        {
            throw new InvalidParameterException("--regularisation", k, "must be 'auto' or a number ≥ 0 (1/SSNR)");
        }
    }

    /// <summary>The options.</summary>
    public ReconstructionOptions Options { get; }

    /// <summary>
    /// Reconstructs the particles of <paramref name="source"/>: every image is re-centred (+origin) and inserted with
    /// its CTF (|CTF| for phase-flipped images) into the accumulators of its half set. Progress is the number of
    /// particles inserted.
    /// </summary>
    public ReconstructionResult Run(IParticleSource source, IProgress<long>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source.Count == 0)
        {
            throw new InvalidFileException(source.Description, "has no particles");
        }

        var records = source.Records;
        int box = source.Box;
        double pixel = source.PixelSizeA;
        InvalidParameterException.ThrowIfNotPositive("pixel size (Å) of the particles", pixel);
        var ctfs = Options.Ctf ? Ctfs(source) : null;
        var halves = HalfSets(records);
        var shape = GridShape.Square(box);
        var context = Options.Context;
        var accumulators = new HalfSetAccumulators(box, pixel, Options.Padding, HalfSetAccumulators.WorkersFor(box, Options.Padding, context));
        int workers = accumulators.Workers;
        var ctfScratch = Enumerable.Range(0, workers).Select(_ => new float[shape.HalfComplexLength]).ToArray();

        // --maxres: a frequency mask (1 inside, 0 beyond) multiplies the CTF, so that frequencies beyond it add to
        // neither the data nor the weights, and stay zero in the map.
        var band = BandMask(box, pixel);

        // Under MPI each rank reads and inserts only its own contiguous share of the particles.
        var (first, mine) = Options.Context.Communicator.Share(source.Count);
        int end = first + mine;
        int chunk = Math.Max(1, Math.Min(Options.ChunkSize, mine));

        // Two image buffers: the next chunk is read (or computed) while the current one is inserted.
        float[][] buffers = [new float[(long)shape.Length * chunk], new float[(long)shape.Length * chunk]];
        var spectra = new ComplexF[(long)shape.HalfComplexLength * chunk];
        var clock = System.Diagnostics.Stopwatch.StartNew();
        double readSeconds = 0;
        Task<double> ReadChunk(int start, float[] into) => Task.Run(() =>
        {
            var started = clock.Elapsed;
            int n = Math.Min(chunk, end - start);
            source.ReadImages(start, n, into.AsSpan(0, n * shape.Length));
            return (clock.Elapsed - started).TotalSeconds;
        });

        var pending = mine > 0 ? ReadChunk(first, buffers[0]) : Task.FromResult(0.0);
        for (int start = first, turn = 0; start < end; start += chunk, turn ^= 1)
        {
            int n = Math.Min(chunk, end - start);
            readSeconds += pending.GetAwaiter().GetResult();
            var images = buffers[turn];
            pending = start + chunk < end ? ReadChunk(start + chunk, buffers[turn ^ 1]) : Task.FromResult(0.0);
            Fft.ForwardMany(images.AsSpan(0, n * shape.Length), shape, n, spectra.AsSpan(0, n * shape.HalfComplexLength), context: context);

            // A fixed partition (worker w takes particles w, w + W, ... in order) and a fixed merge order make the
            // sums, and so the maps, identical on every run with the same number of threads.
            int offset = start;
            var chunkImages = spectra;
            Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, w =>
            {
                var ctfValues = ctfScratch[w];
                for (int i = w; i < n; i += workers)
                {
                    var r = records[offset + i];
                    var spectrum = chunkImages.AsSpan(i * shape.HalfComplexLength, shape.HalfComplexLength);

                    // The image is the projection translated by −origin: translating it by +origin re-centres it.
                    FourierShift.Apply(spectrum, box, r.Pose.OriginXA / pixel, r.Pose.OriginYA / pixel);
                    if (ctfs is not null)
                    {
                        ctfs[offset + i]!.Fill(ctfValues, box, pixel);
                        if (r.Optics.CtfPhaseFlipped)
                        {
                            // A flipped image carries |C|·X: inserting |C|·(|C|X) and C² is the same Wiener sum.
                            System.Numerics.Tensors.TensorPrimitives.Abs(ctfValues, ctfValues);
                        }
                    }
                    else if (band is not null)
                    {
                        Array.Fill(ctfValues, 1f);
                    }

                    if (band is not null)
                    {
                        System.Numerics.Tensors.TensorPrimitives.Multiply(ctfValues, band, ctfValues);
                    }

                    accumulators.Insert(w, halves[offset + i], spectrum, ctfs is null && band is null ? default : ctfValues, r.Pose.Rotation);
                }
            });
            progress?.Report(start + n - first);
        }

        // Reading overlaps inserting, so this is the time not hidden behind reading.
        double insertSeconds = Math.Max(0, clock.Elapsed.TotalSeconds - readSeconds);
        var (half1, half2) = accumulators.Merge();
        var reduced = System.Diagnostics.Stopwatch.StartNew();
        Options.Context.Communicator.SumInPlace(half1.Sums);
        Options.Context.Communicator.SumInPlace(half2.Sums);
        double reduceSeconds = reduced.Elapsed.TotalSeconds;
        half1.Symmetrise(Options.Symmetry.Elements, Options.Context);
        half2.Symmetrise(Options.Symmetry.Elements, Options.Context);
        var result = Finish(half1, half2, halves);
        return result with
        {
            Timings = new ReconstructionTimings(readSeconds, insertSeconds, clock.Elapsed.TotalSeconds - readSeconds - insertSeconds - reduceSeconds, reduceSeconds),
        };
    }

    /// <summary>1 for the half-complex frequencies within 1/MaxResolutionA, 0 beyond; null without a limit.</summary>
    private float[]? BandMask(int box, double pixel)
    {
        if (Options.MaxResolutionA is not double limit)
        {
            return null;
        }

        if (!(limit >= 2 * pixel) || double.IsInfinity(limit))
        {
            throw new InvalidParameterException("--maxres", limit, $"must be at least Nyquist, {2 * pixel:0.###} Å");
        }

        double radius = box * pixel / limit;
        int hx = (box / 2) + 1;
        var mask = new float[hx * box];
        for (int y = 0; y < box; y++)
        {
            int ky = Numerics.FourierIndex.Frequency(y, box);
            for (int kx = 0; kx < hx; kx++)
            {
                mask[(y * hx) + kx] = Math.Sqrt((kx * kx) + (ky * ky)) <= radius ? 1f : 0f;
            }
        }

        return mask;
    }

    /// <summary>Fewer particles in a half set than this, and the gold-standard resolution comes with a warning.</summary>
    public const int FewParticlesPerHalf = 100;

    private ReconstructionResult Finish(FourierBackProjector half1, FourierBackProjector half2, int[] halves)
    {
        int n1 = halves.Count(h => h == 1), n2 = halves.Length - n1;
        if (n1 == 0 || n2 == 0)
        {
            throw new InvalidParameterException("half sets", $"{n1} + {n2} particles",
                "a gold-standard reconstruction needs particles in both halves (rlnRandomSubset 1 and 2)");
        }

        var warnings = new List<string>();
        if (Math.Min(n1, n2) < FewParticlesPerHalf)
        {
            warnings.Add($"only {n1} + {n2} particles in the two half sets: with fewer than {FewParticlesPerHalf} per half the gold-standard FSC is dominated by noise, and its resolution means little");
        }

        // First pass: half maps by plain division (or the given constant), whose FSC measures the SNR per shell.
        double[]? constant = Options.Regularisation is double k ? [k] : null;
        var reconstructor = new FourierReconstructor(half1.Box, half1.Padding, Options.Context);
        var map1 = reconstructor.Reconstruct(half1, constant);
        var map2 = reconstructor.Reconstruct(half2, constant);
        var halfFsc = FourierShellCorrelation.Compute(map1, map2);
        double[]? fullK = constant;
        if (Options.Regularisation is null)
        {
            var halfK = FourierReconstructor.InverseSsnrFromHalfMapFsc(halfFsc, bothHalves: false);
            map1 = reconstructor.Reconstruct(half1, halfK);
            map2 = reconstructor.Reconstruct(half2, halfK);
            fullK = FourierReconstructor.InverseSsnrFromHalfMapFsc(halfFsc, bothHalves: true);
        }

        half1.Add(half2);
        var map = reconstructor.Reconstruct(half1, fullK);
        MaskedFsc? masked = null;
        if (Options.Mask is { } mask)
        {
            masked = FourierShellCorrelation.ComputeMasked(map1, map2, mask, Options.Seeds.Spawn("phase-randomisation"));
            foreach (var v in new[] { map, map1, map2 })
            {
                System.Numerics.Tensors.TensorPrimitives.Multiply(v.Data, mask.Data, v.Data);
            }
        }

        var reported = masked?.Corrected ?? FourierShellCorrelation.Compute(map1, map2);
        return new ReconstructionResult(map, map1, map2, reported, masked, n1, n2) { Warnings = warnings };
    }

    /// <summary>Each particle's half set: its subset when every particle has 1 or 2, else a seeded split.</summary>
    private int[] HalfSets(IReadOnlyList<ParticleRecord> records)
    {
        if (records.All(r => r.Subset is 1 or 2))
        {
            return [.. records.Select(r => r.Subset)];
        }

        var random = Options.Seeds.Spawn("half-sets").CreateStream();
        return [.. records.Select(_ => 1 + random.NextInt(2))];
    }

    private static CtfModel[] Ctfs(IParticleSource source)
    {
        var records = source.Records;
        if (records.Any(r => r.Ctf is null))
        {
            throw new InvalidFileException(source.Description, "--ctf needs every particle's CTF (_rlnDefocusU/_rlnDefocusV/_rlnDefocusAngle columns; Wiener-filtered images have none left)");
        }

        if (records.FirstOrDefault(r => r.Optics.CtfPremultiplied) is { } premultiplied)
        {
            throw new InvalidFileException(source.Description, $"optics group {premultiplied.Optics.Number} holds CTF-premultiplied images, which reconstruct does not take yet");
        }

        return [.. records.Select(r => ParticleRecords.ValidatedCtf(r, source.Description))];
    }
}

/// <summary>The maps and resolution of a reconstruction.</summary>
/// <param name="Map">The map from all particles.</param>
/// <param name="Half1">The map of half set 1.</param>
/// <param name="Half2">The map of half set 2.</param>
/// <param name="HalfMapFsc">The gold-standard FSC (mask-corrected when a mask was given).</param>
/// <param name="Masked">The masked-FSC curves, when a mask was given.</param>
/// <param name="Half1Count">Particles in half set 1.</param>
/// <param name="Half2Count">Particles in half set 2.</param>
public sealed record ReconstructionResult(Volume Map, Volume Half1, Volume Half2, FscCurve HalfMapFsc, MaskedFsc? Masked, int Half1Count, int Half2Count)
{
    /// <summary>Where the time went.</summary>
    public ReconstructionTimings Timings { get; init; } = new(0, 0, 0);

    /// <summary>What a user should know about the result (too few particles for a meaningful FSC, …).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>Gold-standard resolution in Å (FSC = 0.143).</summary>
    public double Resolution0143 => HalfMapFsc.Resolution(0.143);
}

/// <summary>Seconds spent in each phase of a reconstruction.</summary>
/// <param name="ReadSeconds">Reading the images from their stacks (in the background, overlapping the inserting).</param>
/// <param name="InsertSeconds">The rest of the pass over the particles: transforms, re-centring, CTF, insertion.</param>
/// <param name="FinishSeconds">Merging the accumulators, dividing, transforming back, FSC.</param>
/// <param name="ReduceSeconds">Adding the accumulators of the other MPI ranks (0 in one process).</param>
public sealed record ReconstructionTimings(double ReadSeconds, double InsertSeconds, double FinishSeconds, double ReduceSeconds = 0);
