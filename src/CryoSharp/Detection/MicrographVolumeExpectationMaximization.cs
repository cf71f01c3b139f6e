using System.Collections.Concurrent;
using System.Diagnostics;
using CryoSharp.Distributed;
using CryoSharp.Geometry;
using CryoSharp.Imaging;
using CryoSharp.Numerics;
using CryoSharp.Projection;
using MathNet.Numerics.LinearAlgebra;

namespace CryoSharp.Detection;

/// <summary>
/// The approximate EM of Kreymer, Singer and Bendory for a volume seen in a micrograph at unknown places and
/// orientations ("An approximate expectation-maximization for structure determination directly from cryo-EM
/// micrographs"): the micrograph is cut into non-overlapping L × L patches, each modelled, independently of the others,
/// as the first L × L pixels of the projection of the volume at one of K orientations ω_k, zero-padded to 2L × 2L and
/// shifted circularly, plus white noise of known σ (<see cref="PatchLikelihood"/>, the E-step). The volume is
/// x = Σ x_{ℓ,m,s} φ_{ℓ,m,s} in the spherical Bessel basis (<see cref="SphericalBesselBasis"/>), where a projection at ω is
/// B·D(ω)·x: one Wigner-D rotation of the coefficients and the table B of the basis functions' line integrals. The
/// orientations are a HEALPix grid with in-plane angles (<see cref="OrientationGrid"/>), taken as uniform; the prior over
/// shifts is estimated.
/// <para>
/// M-step: the expected complete log-likelihood is quadratic in x, so its maximiser solves the normal equations
/// Σ_k D_kᵀ Bᵀ diag(d_k) B D_k · x = Σ_k D_kᵀ Bᵀ b_k exactly (b_k, d_k: the weighted sums of patches seen through
/// orientation k and the weights each pixel was seen with), assembled in parallel over k in a fixed order and solved
/// by Cholesky. With <see cref="MicrographVolumeEmOptions.Blocks"/> B above 1 the EM is incremental (Neal and Hinton,
/// the batch version of the stochastic EM the paper runs): each iteration's E-step covers one of B interleaved blocks
/// of rows of patches, whose normal equations and shift weights replace that block's earlier ones, and the M-step
/// solves the sum over every block seen. γ̂ = Σₛ πₛ·mean_k ‖C Z_s P_k‖² / mean_k ‖P_k‖².
/// </para>
/// </summary>
public static class MicrographVolumeExpectationMaximization
{
    /// <summary>Runs the EM for an L³ volume whose projections lie in <paramref name="micrograph"/>, noise σ known.</summary>
    /// <param name="micrograph">The micrograph (its background at zero).</param>
    /// <param name="size">L, the volume's box (and the projections') in voxels.</param>
    /// <param name="sigma">Noise standard deviation.</param>
    /// <param name="options">Basis, orientations, iterations, start, threads.</param>
    public static MicrographVolumeEmResult Solve(IMicrograph micrograph, int size, double sigma, MicrographVolumeEmOptions options)
    {
        ArgumentNullException.ThrowIfNull(micrograph);
        var o = options ?? throw new ArgumentNullException(nameof(options));
        int l = size;
        if (l is < 3 or > 32)
        {
            throw new InvalidParameterException("--volume-size", l, "must be between 3 and 32 voxels");
        }

        int patchCols = micrograph.Width / l, patchRows = micrograph.Height / l;
        if (patchCols < 2 || patchRows < 2)
        {
            throw new InvalidParameterException("--volume-size", l, $"leaves fewer than 2 × 2 patches in a {micrograph.Width} × {micrograph.Height} micrograph");
        }

        if (!(sigma > 0) || double.IsInfinity(sigma))
        {
            throw new InvalidParameterException("--sigma", sigma, "must be positive for EM");
        }

        o.Validate();
        if (o.Blocks > patchRows)
        {
            throw new InvalidParameterException("--blocks", o.Blocks, $"must be between 1 and the rows of patches ({patchRows})");
        }

        var clock = Stopwatch.StartNew();
        var basis = new SphericalBesselBasis(l, o.MaxDegree, o.BandLimit);
        var grid = new OrientationGrid(o.OrientationOrder);
        int kCount = grid.Count;
        var wigner = new double[kCount][];
        Parallel.For(0, kCount, o.Context.ParallelOptions, k => wigner[k] = basis.WignerMatrices(grid[k].ToMatrix()));
        var likelihood = new PatchLikelihood(l, kCount);
        var prior = likelihood.StartPrior(o.StartGamma, o.StartPrior);
        var x = o.Start is { } start ? CheckedStart(start, basis) : RandomStart(micrograph, basis, wigner, sigma, o);
        var blockRows = new int[o.Blocks][];
        for (int b = 0; b < o.Blocks; b++)
        {
            blockRows[b] = [.. Enumerable.Range(0, patchRows).Where(r => r % o.Blocks == b)];
        }

        var blockStatistics = new Statistics?[o.Blocks];
        int belowTolerance = 0;
        var history = new List<MicrographVolumeEmIteration>();
        double logLikelihood = double.NaN, gamma = double.NaN;
        int iteration = o.FirstIteration;
        long patches = (long)patchCols * patchRows;
        if (o.StartBandLimit is not null && iteration < o.MarchingIterations)
        {
            // The first E-step already sees the start low-passed to the first band.
            var first = ActiveCoefficients(basis, o, iteration + 1);
            for (int b = 0; b < x.Length; b++)
            {
                x[b] = first[b] ? x[b] : 0;
            }
        }

        double energy = SetTemplates(likelihood, basis, wigner, x, o.Context);
        for (int run = 0; run < o.MaxIterations; run++)
        {
            var iterationClock = Stopwatch.StartNew();
            iteration++;
            int block = (iteration - 1) % o.Blocks;
            var total = likelihood.Pass(micrograph, prior, sigma, o.Context, o.Blocks > 1 ? blockRows[block] : null);
            logLikelihood = total.LogLikelihood / total.Patches;
            blockStatistics[block] = NormalEquations(basis, likelihood, wigner, total, o.Context);
            var active = ActiveCoefficients(basis, o, iteration);
            var (updated, shiftPrior) = Solve(blockStatistics, active, basis.Count, likelihood.Cells);
            prior = shiftPrior;
            if (o.Centre)
            {
                updated = Centred(basis, updated);
                for (int b = 0; b < updated.Length; b++)
                {
                    updated[b] = active[b] ? updated[b] : 0;
                }
            }

            double change = RelativeChange(x, updated);
            x = updated;
            energy = SetTemplates(likelihood, basis, wigner, x, o.Context);
            gamma = likelihood.Gamma(prior, energy);
            var step = new MicrographVolumeEmIteration(iteration, change, logLikelihood, gamma, total.Patches, iterationClock.Elapsed.TotalSeconds,
                (double[])x.Clone(), (double[])prior.Clone());
            history.Add(step);
            o.Progress?.Invoke(step);
            belowTolerance = change < o.Tolerance ? belowTolerance + 1 : 0;
            if (belowTolerance >= o.Blocks)
            {
                break;
            }
        }

        if (history.Count == 0)
        {
            gamma = likelihood.Gamma(prior, energy);
        }

        var estimate = basis.Evaluate(x, micrograph.PixelSizeA);
        return new MicrographVolumeEmResult(estimate, x, basis, kCount, prior, gamma, sigma, iteration, logLikelihood, patches, clock.Elapsed.TotalSeconds, history);
    }

    private static double[] CheckedStart(double[] start, SphericalBesselBasis basis) =>
        start.Length == basis.Count ? (double[])start.Clone()
            : throw new InvalidParameterException("starting coefficients", start.Length, $"must number {basis.Count} for this volume size, degree and band limit");

    /// <summary>
    /// A centred Gaussian blob (favouring no orientation) plus a smooth random part that breaks its symmetry, scaled so
    /// that its mean projection energy is the one the micrograph implies: mean square = σ² + γ·mean‖P‖²/L².
    /// </summary>
    private static double[] RandomStart(IMicrograph micrograph, SphericalBesselBasis basis, double[][] wigner, double sigma, MicrographVolumeEmOptions o)
    {
        int l = basis.Box, c = l / 2;
        var random = o.Seeds.Spawn("start").CreateStream();
        var blob = Volume.Cube(l, micrograph.PixelSizeA);
        double width = l / 6.0;
        for (int z = 0; z < l; z++)
        {
            for (int y = 0; y < l; y++)
            {
                for (int x = 0; x < l; x++)
                {
                    double r2 = ((x - c) * (x - c)) + ((y - c) * (y - c)) + ((z - c) * (z - c));
                    blob.Data[(((z * l) + y) * l) + x] = (float)Math.Exp(-r2 / (2 * width * width));
                }
            }
        }

        var a = basis.FitLeastSquares(blob);
        double symmetric = Math.Sqrt(SphericalBesselBasis.SquaredNorm(a));
        var noise = new double[basis.Count];
        for (int b = 0; b < noise.Length; b++)
        {
            noise[b] = Math.Exp(-0.5 * Math.Pow(basis.RadialZeros[b] / (2 * Math.PI * basis.RadiusPx * 0.15), 2)) * random.NextGaussian();
        }

        double noiseNorm = Math.Sqrt(Math.Max(SphericalBesselBasis.SquaredNorm(noise), 1e-300));
        for (int b = 0; b < a.Length; b++)
        {
            a[b] += 0.5 * symmetric / noiseNorm * noise[b];
        }

        double meanSquare = PatchLikelihood.MeanSquare(micrograph, l, o.Context);
        double target = meanSquare > sigma * sigma * 1.0001 ? (double)l * l * (meanSquare - (sigma * sigma)) / o.StartGamma : (double)l * l * sigma * sigma;
        double scale = Math.Sqrt(target / Math.Max(MeanProjectionEnergy(basis, wigner, a), 1e-300));
        for (int b = 0; b < a.Length; b++)
        {
            a[b] *= scale;
        }

        return a;
    }

    private static double MeanProjectionEnergy(SphericalBesselBasis basis, double[][] wigner, double[] x)
    {
        var rotated = new double[x.Length];
        var image = new float[basis.Box * basis.Box];
        double sum = 0;
        for (int k = 0; k < wigner.Length; k++)
        {
            basis.Rotate(x, wigner[k], rotated);
            basis.Project(rotated, image);
            sum += System.Numerics.Tensors.TensorPrimitives.SumOfSquares(image.AsSpan());
        }

        return sum / wigner.Length;
    }

    /// <summary>Sets every template to the projection B·D_k·x and returns their mean energy.</summary>
    private static double SetTemplates(PatchLikelihood likelihood, SphericalBesselBasis basis, double[][] wigner, double[] x, ComputeContext context)
    {
        var energies = new double[wigner.Length];
        Parallel.For(0, wigner.Length, context.ParallelOptions, () => (new double[x.Length], new float[basis.Box * basis.Box]), (k, _, w) =>
        {
            basis.Rotate(x, wigner[k], w.Item1);
            basis.Project(w.Item1, w.Item2);
            likelihood.SetTemplate(k, w.Item2);
            energies[k] = System.Numerics.Tensors.TensorPrimitives.SumOfSquares(w.Item2.AsSpan());
            return w;
        }, _ => { });
        return energies.Average();
    }

    /// <summary>
    /// One block's share of the M-step: the upper triangle of Σ_k B_kᵀ diag(d_k) B_k, Σ_k B_kᵀ b_k (B_k = B·D_k) and the
    /// summed shift weights, from its E-step sums.
    /// </summary>
    private static Statistics NormalEquations(SphericalBesselBasis basis, PatchLikelihood likelihood, double[][] wigner, PatchSums total, ComputeContext context)
    {
        int n = basis.Count, l = basis.Box, pixels = l * l, kCount = wigner.Length;
        var table = basis.ProjectionTable.ToArray();

        // Orientations fall into fixed blocks, each summed in order by one thread and the blocks added in order: the
        // normal equations do not depend on the thread count.
        int blocks = Math.Min(kCount, 32);
        var normalParts = new double[blocks][];
        var rhsParts = new double[blocks][];
        Parallel.For(0, blocks, context.ParallelOptions, block =>
        {
            var normal = new double[n * n];
            var rhs = new double[n];
            var rotatedTable = new double[pixels * n];
            var b = new float[pixels];
            var d = new float[pixels];
            for (int k = block * kCount / blocks; k < (block + 1) * kCount / blocks; k++)
            {
                // B_k = B·D_k, row by row: each row of B is a coefficient vector rotated by D_kᵀ.
                for (int p = 0; p < pixels; p++)
                {
                    basis.Rotate(table.AsSpan(p * n, n), wigner[k], rotatedTable.AsSpan(p * n, n), transpose: true);
                }

                likelihood.Backprojection(total, k, b);
                likelihood.PixelWeights(total, k, d);
                for (int p = 0; p < pixels; p++)
                {
                    var bk = rotatedTable.AsSpan(p * n, n);
                    double weight = d[p], value = b[p];
                    for (int i = 0; i < n; i++)
                    {
                        rhs[i] += value * bk[i];
                    }

                    if (!(weight > 0))
                    {
                        continue;
                    }

                    // The upper triangle of Σ_p d_p·B_k[p]ᵀB_k[p]; mirrored after the sum.
                    for (int i = 0; i < n; i++)
                    {
                        double wi = weight * bk[i];
                        if (wi == 0)
                        {
                            continue;
                        }

                        var target = normal.AsSpan(i * n, n);
                        System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(bk[i..], wi, target[i..], target[i..]);
                    }
                }
            }

            normalParts[block] = normal;
            rhsParts[block] = rhs;
        });

        var normal = new double[n * n];
        var right = new double[n];
        for (int block = 0; block < blocks; block++)
        {
            System.Numerics.Tensors.TensorPrimitives.Add(normal, normalParts[block], normal);
            System.Numerics.Tensors.TensorPrimitives.Add(right, rhsParts[block], right);
        }

        return new Statistics(normal, right, likelihood.ShiftWeights(total), total.Patches);
    }

    /// <summary>The M-step on the sum of every block's statistics seen so far: the coefficients and the shift prior.</summary>
    /// <summary>
    /// The coefficients the M-step of <paramref name="iteration"/> solves for: those within the marching band limit,
    /// which grows linearly from <see cref="MicrographVolumeEmOptions.StartBandLimit"/> to the basis's over
    /// <see cref="MicrographVolumeEmOptions.MarchingIterations"/>; every one without marching.
    /// </summary>
    private static bool[] ActiveCoefficients(SphericalBesselBasis basis, MicrographVolumeEmOptions o, int iteration)
    {
        double band = basis.BandLimit;
        if (o.StartBandLimit is { } start && o.MarchingIterations > 0 && iteration <= o.MarchingIterations)
        {
            band = start + ((basis.BandLimit - start) * (iteration - 1) / o.MarchingIterations);
        }

        double limit = (2 * Math.PI * basis.RadiusPx * band) + 1e-9;
        var active = new bool[basis.Count];
        for (int b = 0; b < active.Length; b++)
        {
            active[b] = basis.RadialZeros[b] <= limit;
        }

        return active;
    }

    private static (double[] Coefficients, double[] Prior) Solve(Statistics?[] blocks, bool[] active, int n, int cells)
    {
        var matrix = Matrix<double>.Build.Dense(n, n);
        var vector = Vector<double>.Build.Dense(n);
        var shifts = new double[cells];
        long patches = 0;
        foreach (var statistics in blocks)
        {
            if (statistics is null)
            {
                continue;
            }

            patches += statistics.Patches;
            System.Numerics.Tensors.TensorPrimitives.Add(shifts, statistics.ShiftWeights, shifts);
            for (int i = 0; i < n; i++)
            {
                vector[i] += statistics.Rhs[i];
                for (int j = i; j < n; j++)
                {
                    matrix[i, j] += statistics.Normal[(i * n) + j];
                }
            }
        }

        double trace = 0;
        for (int i = 0; i < n; i++)
        {
            trace += matrix[i, i];
            for (int j = i + 1; j < n; j++)
            {
                matrix[j, i] = matrix[i, j];
            }
        }

        // A whisper of ridge: a coefficient no patch constrains (no weight anywhere) stays at zero instead of failing.
        double ridge = 1e-9 * Math.Max(trace / n, 1e-300);
        for (int i = 0; i < n; i++)
        {
            matrix[i, i] += ridge;
        }

        for (int s = 0; s < cells; s++)
        {
            shifts[s] /= patches;
        }

        // Coefficients outside the marching band are held at zero: their rows and columns become the identity's.
        for (int i = 0; i < n; i++)
        {
            if (active[i])
            {
                continue;
            }

            for (int j = 0; j < n; j++)
            {
                matrix[i, j] = 0;
                matrix[j, i] = 0;
            }

            matrix[i, i] = 1;
            vector[i] = 0;
        }

        return (matrix.Cholesky().Solve(vector).ToArray(), shifts);
    }

    /// <summary>A block's sufficient statistics: normal matrix (upper triangle, row-major), right-hand side, Σ_k W_k[s], patches.</summary>
    private sealed record Statistics(double[] Normal, double[] Rhs, double[] ShiftWeights, long Patches);

    /// <summary>The volume moved so that its centre of mass (of the positive density) sits at the box centre, refitted.</summary>
    private static double[] Centred(SphericalBesselBasis basis, double[] x)
    {
        int l = basis.Box, c = l / 2;
        var volume = basis.Evaluate(x, 1);
        double mass = 0, mx = 0, my = 0, mz = 0;
        for (int z = 0; z < l; z++)
        {
            for (int y = 0; y < l; y++)
            {
                for (int i = 0; i < l; i++)
                {
                    double v = Math.Max(0, volume.Data[(((z * l) + y) * l) + i]);
                    mass += v;
                    mx += v * (i - c);
                    my += v * (y - c);
                    mz += v * (z - c);
                }
            }
        }

        if (!(mass > 0))
        {
            return x;
        }

        var shift = new Vector3d(mx / mass, my / mass, mz / mass);
        if (shift.Length < 1e-3)
        {
            return x;
        }

        var values = new double[basis.Count];
        for (int z = 0; z < l; z++)
        {
            for (int y = 0; y < l; y++)
            {
                for (int i = 0; i < l; i++)
                {
                    basis.EvaluateAt(new Vector3d(i - c, y - c, z - c) + shift, values);
                    volume.Data[(((z * l) + y) * l) + i] = (float)System.Numerics.Tensors.TensorPrimitives.Dot<double>(values, x);
                }
            }
        }

        return basis.FitLeastSquares(volume);
    }

    private static double RelativeChange(double[] previous, double[] current)
    {
        double d = 0, n = 0;
        for (int i = 0; i < current.Length; i++)
        {
            d += (current[i] - previous[i]) * (current[i] - previous[i]);
            n += current[i] * current[i];
        }

        return Math.Sqrt(d / Math.Max(n, 1e-300));
    }
}
