using CryoSharp.Geometry;
using CryoSharp.Numerics;
using CryoSharp.Numerics.Fft;
using CryoSharp.Projection;

namespace CryoSharp.Poses;

/// <summary>
/// The frame of orientations fitted to pairwise distances, found from the images alone. The distances fix the
/// orientations only up to Rᵢ → A·T(Rᵢ)·B (T: the identity or the inverse; <see cref="PoseAlignment"/>). A
/// reconstruction absorbs B (it rotates the map) and the mirror (its hand), but not A or the inversion: with them
/// wrong, the images disagree about the map. So A and T are chosen to make the images agree: their spectra are
/// inserted at the orientations A·T(R̂ᵢ), and the score is the fraction of the inserted power that is coherent (what
/// lands on one Fourier voxel agrees), averaged over the shells up to <see cref="PoseFrameSearchOptions.MaxShell"/>.
/// A runs over RELION's hierarchical orientation grid, coarse to
/// fine (HEALPix order 1, 30°, then the best candidates' children down to the finest order), for both T.
/// </summary>
public static class PoseFrameSearch
{
    /// <summary>
    /// Which of <paramref name="count"/> particles the search reads: at most <see cref="PoseFrameSearchOptions.MaxImages"/>,
    /// evenly spaced through the set (so only those images need to be in memory).
    /// </summary>
    public static int[] Sample(int count, PoseFrameSearchOptions? options = null)
    {
        int used = Math.Min(count, (options ?? new PoseFrameSearchOptions()).MaxImages);
        var picked = new int[used];
        for (int s = 0; s < used; s++)
        {
            picked[s] = (int)((long)s * count / used);
        }

        return picked;
    }

    /// <summary>
    /// Finds A and T from <paramref name="images"/> (one per orientation of <paramref name="estimated"/>, box² each,
    /// centred; a small box is enough, since the score uses the low shells only); apply the result to every particle
    /// with <see cref="PoseFrame.Apply"/>.
    /// </summary>
    public static PoseFrame Find(ReadOnlySpan<float> images, int box, IReadOnlyList<Matrix3> estimated, PoseFrameSearchOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(estimated);
        var o = options ?? new PoseFrameSearchOptions();
        int used = estimated.Count;
        var shape = GridShape.Square(box);
        if (images.Length != (long)used * shape.Length)
        {
            throw new ArgumentException($"{images.Length} pixels for {used} images of {box}².", nameof(images));
        }

        if (o.MaxShell < 1 || o.FinestOrder < 1 || o.Keep < 1)
        {
            throw new InvalidParameterException("frame search", o, "needs at least one shell, order and candidate");
        }

        if (used < 4)
        {
            throw new InvalidParameterException("particles", used, "must be at least 4 to find the frame of their orientations");
        }

        // The band, passed as the CTF, keeps only the shells scored: beyond it data and weights stay zero.
        var spectra = new ComplexF[(long)used * shape.HalfComplexLength];
        Fft.ForwardMany(images, shape, used, spectra, context: o.Context);
        int maxShell = Math.Min(o.MaxShell, (box / 2) - 1);
        var band = new float[shape.HalfComplexLength];
        int hx = (box / 2) + 1;
        for (int y = 0; y < box; y++)
        {
            int ky = FourierIndex.Frequency(y, box);
            for (int kx = 0; kx < hx; kx++)
            {
                band[(y * hx) + kx] = (kx * kx) + (ky * ky) <= (maxShell + 0.5) * (maxShell + 0.5) ? 1 : 0;
            }
        }

        var variants = new[] { false, true }.Select(inverted => estimated.Select(e => inverted ? e.Transpose() : e).ToArray()).ToArray();
        var scorer = new CoherenceScorer(spectra, band, box, maxShell, o.Context.Threads);
        double Score(Matrix3 a, bool inverted) => scorer.Score(a, variants[inverted ? 1 : 0]);

        var grid = new OrientationGrid(1);
        var candidates = new List<(int Order, int Index, bool Inverted, double Score)>();
        for (int i = 0; i < grid.Count; i++)
        {
            var a = grid[i].ToMatrix();
            candidates.Add((1, i, false, Score(a, false)));
            candidates.Add((1, i, true, Score(a, true)));
        }

        double identity = Score(Matrix3.Identity, false);
        for (int order = 2; order <= o.FinestOrder; order++)
        {
            var coarse = new OrientationGrid(order - 1);
            var fine = new OrientationGrid(order);
            var next = new List<(int Order, int Index, bool Inverted, double Score)>();
            foreach (var c in candidates.OrderByDescending(c => c.Score).Take(o.Keep))
            {
                foreach (int child in coarse.Children(c.Index))
                {
                    next.Add((order, child, c.Inverted, Score(fine[child].ToMatrix(), c.Inverted)));
                }
            }

            candidates = next;
        }

        var best = candidates.MaxBy(c => c.Score);
        var left = new OrientationGrid(best.Order)[best.Index].ToMatrix();
        return new PoseFrame(left, best.Inverted, best.Score, identity);
    }

    /// <summary>
    /// Coherence of the picked images' spectra at orientations A·Rᵢ: per Fourier voxel the data D = Σ w·v, weight
    /// W = Σ w and power P = Σ w·|v|² of what lands there (w the trilinear weights), and per shell the fraction of
    /// the power that agrees, Σ |D|²/W over Σ P (at most 1, by Cauchy–Schwarz in each voxel). Consistent orientations
    /// put agreeing values together; in a wrong frame they scatter, and unlike the agreement of two half-sets, which
    /// both average the same wrong way, the fraction does not tend to 1 as the images grow in number.
    /// </summary>
    private sealed class CoherenceScorer
    {
        private readonly ComplexF[] spectra;
        private readonly ComplexF[] powers;
        private readonly float[] band;
        private readonly int box;
        private readonly int maxShell;
        private readonly int threads;
        private readonly int length;
        private FourierBackProjector[] data = [];
        private FourierBackProjector[] power = [];

        public CoherenceScorer(ComplexF[] spectra, float[] band, int box, int maxShell, int threads)
        {
            this.spectra = spectra;
            this.band = band;
            this.box = box;
            this.maxShell = maxShell;
            this.threads = Math.Max(1, threads);
            length = ((box / 2) + 1) * box;
            powers = new ComplexF[spectra.Length];
            for (int i = 0; i < spectra.Length; i++)
            {
                var v = spectra[i];
                powers[i] = new ComplexF((v.Re * v.Re) + (v.Im * v.Im), 0);
            }
        }

        public double Score(Matrix3 a, Matrix3[] rotations)
        {
            int n = rotations.Length, workers = Math.Min(threads, n);

            // One pair of grids per worker for the whole search, cleared for each candidate.
            if (data.Length != workers)
            {
                data = new FourierBackProjector[workers];
                power = new FourierBackProjector[workers];
                for (int w = 0; w < workers; w++)
                {
                    data[w] = new FourierBackProjector(box, 1, padding: 1, withWeights: true);
                    power[w] = new FourierBackProjector(box, 1, padding: 1);
                }
            }

            Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, w =>
            {
                data[w].Clear();
                power[w].Clear();
                for (int i = w; i < n; i += workers)
                {
                    var r = a * rotations[i];
                    data[w].Insert(spectra.AsSpan(i * length, length), band, r);
                    power[w].Insert(powers.AsSpan(i * length, length), band, r);
                }
            });

            for (int w = 1; w < workers; w++)
            {
                data[0].Add(data[w]);
                power[0].Add(power[w]);
            }

            return MeanShellCoherence(data[0], power[0]);
        }

        private double MeanShellCoherence(FourierBackProjector data, FourierBackProjector power)
        {
            var d = data.Grid;
            var p = power.Grid;
            int m = data.PaddedBox, h = (m / 2) + 1;
            var coherent = new double[maxShell + 1];
            var total = new double[maxShell + 1];
            for (int z = 0; z < m; z++)
            {
                int kz = FourierIndex.Frequency(z, m);
                for (int y = 0; y < m; y++)
                {
                    int ky = FourierIndex.Frequency(y, m);
                    for (int x = 0; x < h; x++)
                    {
                        int shell = (int)Math.Round(Math.Sqrt((x * x) + (ky * ky) + (kz * kz)));
                        if (shell < 1 || shell > maxShell)
                        {
                            continue;
                        }

                        long voxel = (((z * m) + y) * h) + x;
                        long i = 3 * voxel;
                        double weight = d[i + 2];
                        if (weight <= 1e-9)
                        {
                            continue;
                        }

                        coherent[shell] += ((d[i] * d[i]) + (d[i + 1] * d[i + 1])) / weight;
                        total[shell] += p[2 * voxel];
                    }
                }
            }

            double sum = 0;
            for (int s = 1; s <= maxShell; s++)
            {
                sum += total[s] > 0 ? coherent[s] / total[s] : 0;
            }

            return sum / maxShell;
        }
    }
}
