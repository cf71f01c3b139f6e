using System.Diagnostics;
using CryoSharp.Numerics;
using CryoSharp.Particles;

namespace CryoSharp.ClassAveraging;

/// <summary>
/// Class averaging by rotation-invariant neighbours (Singer et al. 2011; Zhao and Singer 2014, ASPIRE's route), cleaned
/// by vector diffusion maps (Singer and Wu 2012) and multi-frequency VDM (Fan and Zhao 2019). The images (phase-flipped
/// with --ctf, optionally Fourier-cropped for the search) are expanded in a Fourier–Bessel basis, reduced by steerable
/// PCA, and given rotation-invariant features; each image's candidates are its nearest by the features, aligned
/// exactly (rotation and reflection) by <see cref="RotationalAlignment"/> and ranked by that distance (RID). The RID
/// neighbours with their alignments make the graph of <see cref="VectorDiffusionMaps"/>, whose embeddings are searched
/// over all images (<see cref="EmbeddingNeighbourSearch"/>; VDM: k = 1; MFVDM: k = 1…k_max) or re-rank the same
/// candidates. Memory: the Fourier–Bessel coefficients of a chunk, the sPCA
/// coefficients of every image (n × components × 8 B), the features (n × 2 × dimension × 4 B), the candidate lists
/// and the embeddings (2n × Σₖ(2k + 1) × 16 B).
/// </summary>
public sealed class ClassAverager
{
    private readonly ClassAveragingOptions options;

    /// <summary>A run with <paramref name="options"/>.</summary>
    public ClassAverager(ClassAveragingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        this.options = options;
    }

    /// <summary>The options.</summary>
    public ClassAveragingOptions Options => options;

    /// <summary>Finds the neighbours of every image by RID, VDM and MFVDM.</summary>
    /// <param name="source">The particles.</param>
    /// <param name="progress">Phase names and the fraction of each done, for a progress display.</param>
    public NeighbourSearchResult FindNeighbours(IParticleSource source, IProgress<(string Phase, double Fraction)>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        var context = options.Context;
        int n = source.Count;
        if (n < 3)
        {
            throw new InvalidFileException(source.Description, $"holds {n} particles; class averaging needs at least 3");
        }

        if (options.Ctf && source.Records.Any(r => r.Ctf is null))
        {
            throw new InvalidFileException(source.Description, "--ctf needs CTF parameters for every particle");
        }

        var seconds = new Dictionary<string, double>();
        var clock = Stopwatch.StartNew();
        IParticleSource search = options.Ctf ? source.PhaseFlipped(context) : source;
        if (options.SearchBox is int box && box < source.Box)
        {
            search = search.FourierCropped(box, context);
        }

        double radiusPx = options.RadiusA is double ra ? Math.Min(ra / search.PixelSizeA, search.Box / 2.0) : search.Box / 2.0;
        var basis = new FourierBesselBasis(search.Box, radiusPx);
        double noise = options.NoiseVariance ?? NoiseVariance(search, radiusPx);
        seconds["basis"] = clock.Elapsed.TotalSeconds;

        // The Fourier–Bessel coefficients are kept for the projection when they fit in 1 GiB; otherwise expanded again.
        clock.Restart();
        long fbBytes = (long)n * basis.Count * 8;
        var cached = fbBytes <= (1L << 30) ? new ComplexF[(long)n * basis.Count] : null;
        var pca = SteerablePca.Fit(basis, Expansions(search, basis, cached, "expanding", progress), noise, options.MaxComponents);
        int m = pca.Count;
        if (m == 0)
        {
            throw new InvalidFileException(source.Description, "has no steerable-PCA component above the noise: the images look like pure noise at this size");
        }

        var coefficients = new ComplexF[(long)n * m];
        if (cached is not null)
        {
            pca.Project(cached, n, coefficients);
        }
        else
        {
            int at = 0;
            foreach (var chunk in Expansions(search, basis, null, "projecting", progress))
            {
                int count = chunk.Length / basis.Count;
                pca.Project(chunk, count, coefficients.AsSpan(at * m, count * m));
                at += count;
            }
        }

        cached = null;
        seconds["steerable PCA"] = clock.Elapsed.TotalSeconds;

        clock.Restart();
        var features = new RotationInvariantFeatures(pca.Frequencies, options.FeatureDimension, options.Seeds.Spawn("features"));
        int f = features.Length;
        var values = new float[(long)n * f];
        Parallel.For(0, n, context.ParallelOptions, () => new float[features.ScratchLength], (i, _, scratch) =>
        {
            features.Compute(coefficients.AsSpan(i * m, m), values.AsSpan(i * f, f), scratch);
            return scratch;
        }, _ => { });
        int c = Math.Min(options.CandidateCount, n - 1);
        progress?.Report(("candidates", 0));
        var candidates = NearestNeighbourSearch.Find(values, n, features.RealLength, features.ImaginaryLength, c, context, options.ExactSearchUpTo);
        values = null;
        seconds["candidates"] = clock.Elapsed.TotalSeconds;

        clock.Restart();
        progress?.Report(("aligning", 0));
        var aligner = new RotationalAlignment(pca.Frequencies);
        var norms = new double[n];
        for (int i = 0; i < n; i++)
        {
            norms[i] = aligner.SquaredNorm(coefficients.AsSpan(i * m, m));
        }

        var rid = new ImageNeighbours(n, c);
        Parallel.For(0, n, context.ParallelOptions, () => (new AlignmentWorkspace(), new PairAlignment[c]), (i, _, scratch) =>
        {
            var (workspace, alignments) = scratch;
            aligner.AlignMany(coefficients, m, i, candidates[i], norms, alignments, workspace);
            var list = new (PairAlignment Alignment, int J)[c];
            for (int r = 0; r < c; r++)
            {
                list[r] = (alignments[r], candidates[i][r]);
            }

            Array.Sort(list, (x, y) => x.Alignment.SquaredDistance.CompareTo(y.Alignment.SquaredDistance));
            for (int r = 0; r < c; r++)
            {
                int o = (i * c) + r;
                rid.Neighbour[o] = list[r].J;
                rid.AngleRad[o] = list[r].Alignment.AngleRad;
                rid.Reflected[o] = list[r].Alignment.Reflected;
                rid.Score[o] = list[r].Alignment.SquaredDistance;
            }

            return scratch;
        }, _ => { });
        seconds["rotational alignment"] = clock.Elapsed.TotalSeconds;

        clock.Restart();
        progress?.Report(("vector diffusion maps", 0));
        var maps = VectorDiffusionMaps.Build(rid, options.Neighbours, options.MaxFrequency, options.DiffusionTime, options.Seeds.Spawn("vdm"), context,
            options.ExtraEigenvectors, vdmEigenvectors: options.VdmEigenvectors, densityNormalisation: options.DensityNormalisation);
        var vdm = options.EmbeddingSearchAll
            ? EmbeddingNeighbourSearch.Find(maps, options.Neighbours, multiFrequency: false, context)
            : maps.Rank(rid, options.Neighbours, multiFrequency: false, context);
        var mfvdm = options.EmbeddingSearchAll
            ? EmbeddingNeighbourSearch.Find(maps, options.Neighbours, multiFrequency: true, context)
            : maps.Rank(rid, options.Neighbours, multiFrequency: true, context);
        seconds["vector diffusion maps"] = clock.Elapsed.TotalSeconds;

        return new NeighbourSearchResult(basis, pca, noise, Truncate(rid, options.Neighbours), vdm, mfvdm, maps, search.Box, search.PixelSizeA, seconds);
    }

    /// <summary>σ² per pixel from the pixels outside the disc of up to 2,000 images (their mean removed per image).</summary>
    private double NoiseVariance(IParticleSource source, double radiusPx)
    {
        int box = source.Box, length = box * box, take = Math.Min(source.Count, 2000), centre = box / 2;
        var outside = new List<int>();
        for (int y = 0; y < box; y++)
        {
            for (int x = 0; x < box; x++)
            {
                double dx = x - centre, dy = y - centre;
                if ((dx * dx) + (dy * dy) >= radiusPx * radiusPx)
                {
                    outside.Add((y * box) + x);
                }
            }
        }

        if (outside.Count < 8)
        {
            throw new InvalidParameterException("--radius", radiusPx * source.PixelSizeA, "leaves too few pixels outside the disc to measure the noise");
        }

        var images = new float[Math.Min(take, options.ChunkSize) * length];
        double sum = 0;
        long count = 0;
        for (int start = 0; start < take; start += options.ChunkSize)
        {
            int k = Math.Min(options.ChunkSize, take - start);
            source.ReadImages(start, k, images.AsSpan(0, k * length));
            for (int i = 0; i < k; i++)
            {
                double s = 0, s2 = 0;
                foreach (int p in outside)
                {
                    double v = images[(i * length) + p];
                    s += v;
                    s2 += v * v;
                }

                sum += s2 - (s * s / outside.Count);
                count += outside.Count - 1;
            }
        }

        double variance = sum / count;
        if (!(variance > 0))
        {
            throw new InvalidFileException(source.Description, "has no noise outside the particle disc (constant backgrounds): class averaging needs noisy images or a smaller --radius");
        }

        return variance;
    }

    private IEnumerable<ComplexF[]> Expansions(IParticleSource source, FourierBesselBasis basis, ComplexF[]? keep, string phase,
        IProgress<(string Phase, double Fraction)>? progress)
    {
        int n = source.Count, length = source.Box * source.Box, chunk = options.ChunkSize;
        var images = new float[chunk * length];
        for (int start = 0; start < n; start += chunk)
        {
            int k = Math.Min(chunk, n - start);
            source.ReadImages(start, k, images.AsSpan(0, k * length));
            var coefficients = new ComplexF[k * basis.Count];
            basis.Expand(images.AsSpan(0, k * length), k, coefficients, options.Context);
            if (keep is not null)
            {
                coefficients.CopyTo(keep.AsSpan(start * basis.Count));
            }

            progress?.Report((phase, (double)(start + k) / n));
            yield return coefficients;
        }
    }

    private static ImageNeighbours Truncate(ImageNeighbours all, int take)
    {
        int n = all.Count, t = Math.Min(take, all.PerImage);
        var result = new ImageNeighbours(n, t);
        for (int i = 0; i < n; i++)
        {
            Array.Copy(all.Neighbour, i * all.PerImage, result.Neighbour, i * t, t);
            Array.Copy(all.AngleRad, i * all.PerImage, result.AngleRad, i * t, t);
            Array.Copy(all.Reflected, i * all.PerImage, result.Reflected, i * t, t);
            Array.Copy(all.Score, i * all.PerImage, result.Score, i * t, t);
        }

        return result;
    }
}

/// <summary>The neighbours of every image by the three methods, and what found them.</summary>
/// <param name="Basis">The Fourier–Bessel basis of the search images.</param>
/// <param name="Pca">The steerable PCA.</param>
/// <param name="NoiseVariance">σ² per pixel of the search images.</param>
/// <param name="Rid">Neighbours by the rotationally invariant distance.</param>
/// <param name="Vdm">Neighbours by VDM.</param>
/// <param name="Mfvdm">Neighbours by MFVDM.</param>
/// <param name="Maps">The vector diffusion maps.</param>
/// <param name="SearchBox">Box of the search images, pixels.</param>
/// <param name="SearchPixelSizeA">Their pixel size, Å.</param>
/// <param name="Seconds">Wall time per phase.</param>
public sealed record NeighbourSearchResult(FourierBesselBasis Basis, SteerablePca Pca, double NoiseVariance, ImageNeighbours Rid, ImageNeighbours Vdm,
    ImageNeighbours Mfvdm, VectorDiffusionMaps Maps, int SearchBox, double SearchPixelSizeA, IReadOnlyDictionary<string, double> Seconds)
{
    /// <summary>The neighbours of one method.</summary>
    public ImageNeighbours Of(ClassAveragingMethod method) => method switch
    {
        ClassAveragingMethod.Rid => Rid,
        ClassAveragingMethod.Vdm => Vdm,
        _ => Mfvdm,
    };
}
