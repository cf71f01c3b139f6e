using CryoSharp.Geometry;
using CryoSharp.Imaging;
using CryoSharp.IO;
using CryoSharp.IO.Star;
using CryoSharp.Numerics;
using CryoSharp.Numerics.Fft;
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
    /// <summary>Memory the per-thread accumulators may take, in bytes.</summary>
    private const long AccumulatorBudget = 4L << 30;

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

    /// <summary>Reconstructs the particles of <paramref name="table"/>, read from <paramref name="starPath"/>.</summary>
    public ReconstructionResult Run(ParticleTable table, string starPath, IProgress<long>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(table);
        if (table.Count == 0)
        {
            throw new InvalidFileException(starPath, "has no particles");
        }

        if (!table.Columns.HasFlag(ParticleColumns.Angles) || !table.Columns.HasFlag(ParticleColumns.Image))
        {
            throw new InvalidFileException(starPath, "needs _rlnImageName and _rlnAngleRot/_rlnAngleTilt/_rlnAnglePsi columns");
        }

        if (Options.Ctf && !table.Columns.HasFlag(ParticleColumns.Defocus))
        {
            throw new InvalidFileException(starPath, "--ctf needs _rlnDefocusU/_rlnDefocusV/_rlnDefocusAngle columns");
        }

        var resolver = new ImagePathResolver(starPath, Options.DataRoot);
        var halves = HalfSets(table);
        var ctfs = Options.Ctf ? Ctfs(table) : null;
        using var stacks = new StackCache();
        var first = stacks.Open(resolver.Resolve(table.Particles[0].Image.StackPath, table.Particles[0].SourceLine));
        int box = first.SectionShape.Nx;
        if (first.SectionShape.Ny != box)
        {
            throw new InvalidFileException(first.FilePath, $"images are {first.SectionShape}; reconstruction needs square images");
        }

        var optics0 = table.OpticsOf(table.Particles[0]);
        double pixel = optics0.PixelSizeA > 0 ? optics0.PixelSizeA : first.PixelSizeA;
        InvalidParameterException.ThrowIfNotPositive("pixel size (Å) of the particles", pixel);
        var shape = GridShape.Square(box);

        long accumulatorBytes = 24L * ((box * Options.Padding / 2) + 1) * box * Options.Padding * box * Options.Padding;
        int workers = (int)Math.Clamp(AccumulatorBudget / (2 * accumulatorBytes), 1, Parallelism.MaxThreads);
        var all = Enumerable.Range(0, workers).Select(_ => (Half1: New(box, pixel), Half2: New(box, pixel))).ToArray();
        var ctfScratch = Enumerable.Range(0, workers).Select(_ => new float[shape.HalfComplexLength]).ToArray();

        int chunk = Math.Min(Options.ChunkSize, table.Count);

        // Two image buffers: the next chunk is read from disk while the current one is inserted.
        float[][] buffers = [new float[(long)shape.Length * chunk], new float[(long)shape.Length * chunk]];
        var spectra = new ComplexF[(long)shape.HalfComplexLength * chunk];
        var clock = System.Diagnostics.Stopwatch.StartNew();
        double readSeconds = 0;
        Task<double> ReadChunk(int start, float[] into) => Task.Run(() =>
        {
            var started = clock.Elapsed;
            int n = Math.Min(chunk, table.Count - start);
            for (int i = 0; i < n; i++)
            {
                ReadImage(table.Particles[start + i], resolver, stacks, shape, into.AsSpan(i * shape.Length, shape.Length));
            }

            return (clock.Elapsed - started).TotalSeconds;
        });

        var pending = ReadChunk(0, buffers[0]);
        for (int start = 0, turn = 0; start < table.Count; start += chunk, turn ^= 1)
        {
            int n = Math.Min(chunk, table.Count - start);
            readSeconds += pending.GetAwaiter().GetResult();
            var images = buffers[turn];
            pending = start + chunk < table.Count ? ReadChunk(start + chunk, buffers[turn ^ 1]) : Task.FromResult(0.0);
            Fft.ForwardMany(images, shape, n, spectra);
            // A fixed partition (worker w takes particles w, w + W, ... in order) and a fixed merge order make the
            // sums, and so the maps, identical on every run with the same number of threads.
            int offset = start;
            var chunkImages = spectra;
            Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, w =>
            {
                var (h1, h2) = all[w];
                var ctfValues = ctfScratch[w];
                for (int i = w; i < n; i += workers)
                {
                    var p = table.Particles[offset + i];
                    var spectrum = chunkImages.AsSpan(i * shape.HalfComplexLength, shape.HalfComplexLength);

                    // The image is the projection translated by −origin: translating it by +origin re-centres it.
                    FourierShift.Apply(spectrum, box, p.OriginXA / pixel, p.OriginYA / pixel);
                    if (ctfs is not null)
                    {
                        ctfs[offset + i]!.Fill(ctfValues, box, pixel);
                    }

                    var a = EulerAngles.FromDegrees(p.AngleRotDeg, p.AngleTiltDeg, p.AnglePsiDeg).ToMatrix();
                    (halves[offset + i] == 1 ? h1 : h2).Insert(spectrum, ctfs is null ? default : ctfValues, a);
                }
            });
            progress?.Report(start + n);
        }

        // Reading overlaps inserting, so this is the time not hidden behind reading.
        double insertSeconds = Math.Max(0, clock.Elapsed.TotalSeconds - readSeconds);
        var (half1, half2) = all[0];
        foreach (var (h1, h2) in all.Skip(1))
        {
            half1.Add(h1);
            half2.Add(h2);
        }

        var result = Finish(half1, half2, halves);
        return result with
        {
            Timings = new ReconstructionTimings(readSeconds, insertSeconds, clock.Elapsed.TotalSeconds - readSeconds - insertSeconds),
        };
    }

    private ReconstructionResult Finish(FourierBackProjector half1, FourierBackProjector half2, int[] halves)
    {
        // First pass: half maps by plain division (or the given constant), whose FSC measures the SNR per shell.
        double[]? constant = Options.Regularisation is double k ? [k] : null;
        var reconstructor = new FourierReconstructor(half1.Box, half1.Padding);
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
            masked = FourierShellCorrelation.ComputeMasked(map1, map2, mask, Options.Seed);
            foreach (var v in new[] { map, map1, map2 })
            {
                System.Numerics.Tensors.TensorPrimitives.Multiply(v.Data, mask.Data, v.Data);
            }
        }

        var reported = masked?.Corrected ?? FourierShellCorrelation.Compute(map1, map2);
        return new ReconstructionResult(map, map1, map2, reported, masked, halves.Count(h => h == 1), halves.Count(h => h == 2));
    }

    private FourierBackProjector New(int box, double pixel) => new(box, pixel, Options.Padding, withWeights: true);

    /// <summary>Each particle's half set: rlnRandomSubset when every particle has 1 or 2, else a seeded split.</summary>
    private int[] HalfSets(ParticleTable table)
    {
        if (table.Columns.HasFlag(ParticleColumns.RandomSubset) && table.Particles.All(p => p.RandomSubset is 1 or 2))
        {
            return [.. table.Particles.Select(p => p.RandomSubset)];
        }

        var random = new Random(Options.Seed);
        return [.. table.Particles.Select(_ => 1 + random.Next(2))];
    }

    private static CtfModel?[] Ctfs(ParticleTable table) =>
        [.. Enumerable.Range(0, table.Count).Select(i => CtfModel.ForParticle(table, i))];

    private static void ReadImage(Particle p, ImagePathResolver resolver, StackCache stacks, GridShape shape, Span<float> destination)
    {
        var path = resolver.Resolve(p.Image.StackPath, p.SourceLine);
        var reader = stacks.Open(path);
        if (p.Image.Index > reader.SectionCount)
        {
            throw new InvalidFileException(resolver.StarFilePath,
                $"image {p.Image} is missing: {path} has {reader.SectionCount} images", p.SourceLine);
        }

        if (reader.SectionShape != shape)
        {
            throw new InvalidFileException(resolver.StarFilePath,
                $"image {p.Image} is {reader.SectionShape}, but the first particle's is {shape}", p.SourceLine);
        }

        reader.ReadSectionsInto(p.Image.Index - 1, 1, destination);
    }

    /// <summary>Open stacks, the most recent 64 kept (a dataset may have a stack per micrograph).</summary>
    private sealed class StackCache : IDisposable
    {
        private const int Capacity = 64;
        private readonly Dictionary<string, (MrcReader Reader, long Used)> open = new(StringComparer.Ordinal);
        private long clock;

        public MrcReader Open(string path)
        {
            clock++;
            if (open.TryGetValue(path, out var entry))
            {
                open[path] = (entry.Reader, clock);
                return entry.Reader;
            }

            if (open.Count >= Capacity)
            {
                var oldest = open.MinBy(e => e.Value.Used);
                oldest.Value.Reader.Dispose();
                open.Remove(oldest.Key);
            }

            var reader = new MrcReader(path);
            open[path] = (reader, clock);
            return reader;
        }

        public void Dispose()
        {
            foreach (var (reader, _) in open.Values)
            {
                reader.Dispose();
            }
        }
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

    /// <summary>Gold-standard resolution in Å (FSC = 0.143).</summary>
    public double Resolution0143 => HalfMapFsc.Resolution(0.143);
}

/// <summary>Seconds spent in each phase of a reconstruction.</summary>
/// <param name="ReadSeconds">Reading the images from their stacks (in the background, overlapping the inserting).</param>
/// <param name="InsertSeconds">The rest of the pass over the particles: transforms, re-centring, CTF, insertion.</param>
/// <param name="FinishSeconds">Merging the accumulators, dividing, transforming back, FSC.</param>
public sealed record ReconstructionTimings(double ReadSeconds, double InsertSeconds, double FinishSeconds);
