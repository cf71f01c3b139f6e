using CryoSharp.Numerics;

namespace CryoSharp.Classification;

/// <summary>
/// The E-step for one particle, shared by 2D classification and 3D refinement. For every coarse slice s (class ×
/// orientation) and translation t about the particle's previous offset u₀ it scores
/// log p = −Σ_f |X − C·S_{u₀+t}·R_s|²/(2σ²) + log prior(s) − |u₀ + t|²/(2σ²_offset), in the form
/// −(Σ v|X|² + Σ v C²|R_s|² − 2 Re Σ v C X̄_t R̄_s) with X̄_t = S_{−(u₀+t)}X, so that the costly term is a dot product of
/// precomputed reference slices with a few shifted copies of the particle (SIMD, four at a time). The coarse
/// hypotheses that hold <see cref="AdaptiveFraction"/> of the posterior are then refined: each one's fine children
/// (slices × translations) are scored the same way, and the fine posterior, pruned to the same fraction, is the
/// particle's result (RELION's adaptive oversampling). Template matching keeps only the best hypothesis.
/// </summary>
public sealed class PosteriorSearch
{
    private readonly float[] coarsePhase;
    private readonly float[] finePhase;
    private readonly int boundShell;

    /// <summary>A search over <paramref name="slices"/> × <paramref name="translations"/>.</summary>
    /// <param name="slices">The reference slices of this iteration.</param>
    /// <param name="translations">The translation grid, in pixels, about each particle's previous offset.</param>
    /// <param name="sigmaOffsetPx">σ of the Gaussian prior on offsets (centred on 0), in pixels.</param>
    /// <param name="algorithm">Maximum likelihood or template matching.</param>
    /// <param name="adaptiveFraction">Posterior mass kept at each level (RELION's 0.999).</param>
    /// <param name="maxSignificant">
    /// The most coarse hypotheses refined in the fine pass, the most probable first (RELION's <c>--maxsig</c>); 0 for no
    /// limit. A particle whose coarse posterior is nearly flat (low resolution, weak signal) would otherwise send almost
    /// every hypothesis to the fine pass, where they add cost and almost no information.
    /// </param>
    /// <param name="strategy">Exhaustive or branch-and-bound coarse pass; the result is the same.</param>
    /// <param name="boundRadiusFraction">
    /// For branch and bound: the fraction of the current radius whose frequencies every hypothesis is scored on; the
    /// frequencies beyond it enter through their bound.
    /// </param>
    public PosteriorSearch(ReferenceSlices slices, TranslationSampling translations, double sigmaOffsetPx, SearchAlgorithm algorithm,
        double adaptiveFraction = 0.999, int maxSignificant = 0, PoseSearchStrategy strategy = PoseSearchStrategy.Exhaustive,
        double boundRadiusFraction = 0.25)
    {
        ArgumentNullException.ThrowIfNull(slices);
        ArgumentNullException.ThrowIfNull(translations);
        if (!(adaptiveFraction is > 0 and <= 1))
        {
            throw new InvalidParameterException("adaptive fraction", adaptiveFraction, "must be in (0, 1]");
        }

        if (!(boundRadiusFraction is > 0 and < 1))
        {
            throw new InvalidParameterException("bound radius fraction", boundRadiusFraction, "must be in (0, 1)");
        }

        Strategy = strategy;

        // The low frequencies end where a shell begins, so that the rest is whole shells.
        int prefix = slices.Pixels.PrefixWithin(boundRadiusFraction * slices.Pixels.RadiusPx);
        var shellOf = slices.Pixels.Shells;
        while (prefix > 0 && prefix < shellOf.Length && shellOf[prefix - 1] == shellOf[prefix])
        {
            prefix--;
        }

        BoundPrefix = prefix;
        boundShell = prefix < shellOf.Length ? shellOf[prefix] : slices.ShellCount;
        Slices = slices;
        Translations = translations;
        SigmaOffsetPx = sigmaOffsetPx;
        Algorithm = algorithm;
        AdaptiveFraction = adaptiveFraction;
        MaxSignificant = Math.Max(0, maxSignificant);
        coarsePhase = PhaseTable(translations.Coarse, slices.Pixels);
        finePhase = PhaseTable(translations.Fine, slices.Pixels);
    }

    /// <summary>The reference slices.</summary>
    public ReferenceSlices Slices { get; }

    /// <summary>The translation grid.</summary>
    public TranslationSampling Translations { get; }

    /// <summary>σ of the offset prior, in pixels.</summary>
    public double SigmaOffsetPx { get; }

    /// <summary>How scores become weights.</summary>
    public SearchAlgorithm Algorithm { get; }

    /// <summary>Posterior mass kept at each level.</summary>
    public double AdaptiveFraction { get; }

    /// <summary>The most coarse hypotheses refined per particle (0: no limit).</summary>
    public int MaxSignificant { get; }

    /// <summary>How the coarse pass visits the hypotheses.</summary>
    public PoseSearchStrategy Strategy { get; }

    /// <summary>For branch and bound: how many of the packed frequencies (the lowest) every hypothesis is scored on.</summary>
    public int BoundPrefix { get; }

    /// <summary>Buffers for one worker; reuse it for every particle that worker scores.</summary>
    public PosteriorWorkspace CreateWorkspace() => new(Slices, Translations);

    /// <summary>Scores one particle; the result is <paramref name="workspace"/>'s <see cref="PosteriorWorkspace.Posterior"/>.</summary>
    public void Search(ParticleSpectrum particle, PosteriorWorkspace workspace)
    {
        ArgumentNullException.ThrowIfNull(particle);
        ArgumentNullException.ThrowIfNull(workspace);
        var pixels = Slices.Pixels;
        int p = pixels.Count, tc = Translations.Coarse.Length, mc = Slices.CoarseCount;
        var ws = workspace;
        var v = particle.NoiseWeight;
        var ctf = particle.Ctf;

        // The particle moved back by its previous offset, and the per-frequency weights v·C and v·C².
        ShiftSpectrum(particle.Spectrum, pixels, -particle.PreviousShiftPx.X, -particle.PreviousShiftPx.Y, ws.Centred);
        double weightedPower = 0;
        for (int f = 0; f < p; f++)
        {
            float re = ws.Centred[2 * f], im = ws.Centred[(2 * f) + 1];
            weightedPower += v[f] * ((re * re) + (im * im));
            ws.NoiseCtf[f] = v[f] * ctf[f];
            ws.NoiseCtf2[f] = v[f] * ctf[f] * ctf[f];
        }

        ws.Posterior.WeightedPower = weightedPower;
        for (int t = 0; t < tc; t++)
        {
            var y = ws.CoarseWeighted.AsSpan(t * 2 * p, 2 * p);
            MultiplyPhase(ws.Centred, coarsePhase.AsSpan(t * 2 * p, 2 * p), y);
            for (int f = 0; f < p; f++)
            {
                y[2 * f] *= ws.NoiseCtf[f];
                y[(2 * f) + 1] *= ws.NoiseCtf[f];
            }

            ws.CoarseShiftPrior[t] = ShiftLogPrior(particle.PreviousShiftPx, Translations.Coarse[t]);
        }

        // Coarse scores: one slice against every shifted copy at a time.
        // A local search scores only the particle's candidate slices, each with its own prior on the change of pose.
        var candidates = particle.Candidates;
        int count = candidates is null ? mc : particle.CandidateCount;
        double best = Strategy == PoseSearchStrategy.BranchAndBound && BoundPrefix < p && count * tc > 1
            ? BoundedCoarse(particle, ws, count, weightedPower)
            : ExhaustiveCoarse(particle, ws, count, weightedPower);
        ws.Posterior.CoarseHypotheses = count * tc;

        // The coarse hypotheses holding the adaptive fraction of the posterior (for template matching: the best one).
        var significant = SelectSignificant(ws.CoarseScore.AsSpan(0, count * tc), best, ws, out int significantCount);
        ws.Posterior.SignificantCoarse = significantCount;

        // The fine pass over the children of the significant hypotheses.
        ws.ResetFine();
        int cs = Slices.ChildrenPerCoarse, ct = Translations.ChildrenPerCoarse;
        ws.FineCount = 0;
        double fineBest = double.NegativeInfinity, bestCross = 0, bestNorm = 0;
        foreach (int h in significant)
        {
            int c = h / tc, t = h % tc;
            int s = candidates is null ? c : candidates[c];
            double prior = Slices.LogPrior(s) + (candidates is null ? 0 : particle.CandidateLogPrior![c]);

            // The fine translations of one coarse translation are consecutive rows: score each fine slice against all of them at once.
            var rows = ws.FineWeightedRows(t * ct, ct, particle, this);
            for (int j = 0; j < ct; j++)
            {
                ws.FineShiftPrior[j] = ShiftLogPrior(particle.PreviousShiftPx, Translations.Fine[(t * ct) + j]);
            }

            for (int i = 0; i < cs; i++)
            {
                int sf = (s * cs) + i;
                var slice = Slices.FineSlice(sf, ws.FineScratch, out var power);
                double norm = ws.FineNorm(sf, power);
                DotProducts.OneAgainstMany(slice, rows, ws.FineCross.AsSpan(0, ct));
                for (int j = 0; j < ct; j++)
                {
                    double score = Score(weightedPower, norm, ws.FineCross[j], prior + ws.FineShiftPrior[j]);
                    ws.AddFine(sf, (t * ct) + j, score);
                    if (score > fineBest)
                    {
                        fineBest = score;
                        bestCross = ws.FineCross[j];
                        bestNorm = norm;
                    }
                }
            }
        }

        ws.FinishPosterior(fineBest, Algorithm == SearchAlgorithm.CrossCorrelation ? 0 : AdaptiveFraction, Algorithm, Translations, particle.PreviousShiftPx);
        ws.Posterior.BestCross = bestCross;
        ws.Posterior.BestNorm = bestNorm;
    }

    private double ExhaustiveCoarse(ParticleSpectrum particle, PosteriorWorkspace ws, int count, double weightedPower)
    {
        var all = ws.AllTranslations.AsSpan(0, Translations.Coarse.Length);
        double best = double.NegativeInfinity;
        for (int c = 0; c < count; c++)
        {
            best = ScoreInFull(particle, ws, c, all, weightedPower, best);
        }

        ws.Posterior.CoarseEvaluated = count * all.Length;
        return best;
    }

    /// <summary>
    /// Scores candidate slice <paramref name="c"/> at translations <paramref name="shifts"/> at the full current
    /// resolution into its row of coarse scores; returns the larger of <paramref name="best"/> and those scores.
    /// </summary>
    private double ScoreInFull(ParticleSpectrum particle, PosteriorWorkspace ws, int c, ReadOnlySpan<int> shifts, double weightedPower, double best)
    {
        int p = Slices.Pixels.Count, tc = Translations.Coarse.Length;
        var candidates = particle.Candidates;
        int s = candidates is null ? c : candidates[c];
        var slice = Slices.CoarseSlice(s, ws.CoarseScratch, out var power);
        double norm = DotProducts.One(ws.NoiseCtf2, power);
        var cross = ws.Cross.AsSpan(0, shifts.Length);
        DotProducts.OneAgainstChosen(slice, ws.CoarseWeighted.AsSpan(0, tc * 2 * p), 2 * p, 0, shifts, cross);
        double prior = Slices.LogPrior(s) + (candidates is null ? 0 : particle.CandidateLogPrior![c]);
        var row = ws.CoarseScore.AsSpan(c * tc, tc);
        for (int j = 0; j < shifts.Length; j++)
        {
            int t = shifts[j];
            double score = Score(weightedPower, norm, cross[j], prior + ws.CoarseShiftPrior[t]);
            row[t] = score;
            best = Math.Max(best, score);
        }

        return best;
    }

    /// <summary>
    /// The coarse pass by branch and bound. The score of hypothesis (s, t) splits into its low frequencies, computed for
    /// every hypothesis, and the rest, bounded shell by shell whatever the translation (a phase ramp leaves each shell's
    /// Σ v|X|² = A_j unchanged): by Cauchy–Schwarz the cross term of shell j is at most √(N_j·A_j), where N_j =
    /// Σ v·C²·|R|² lies between the shell's least and largest v·C² times the slice's Σ|R|² (kept per slice), so the
    /// shell adds at most max over that range of −N_j + 2√(N_j·A_j). Each hypothesis thus gets an upper bound on its
    /// score at the cost of its low frequencies only. Starting from the hypothesis of highest bound, hypotheses are
    /// scored in full only while their bound comes within the pruning margin of the best full score so far: e⁻⁴⁰ of the
    /// best for maximum likelihood (below which the exhaustive search drops them too), the best itself for template
    /// matching. Pruned ones get −∞; every other score is the exhaustive search's to the bit.
    /// </summary>
    private double BoundedCoarse(ParticleSpectrum particle, PosteriorWorkspace ws, int count, double weightedPower)
    {
        int p = Slices.Pixels.Count, tc = Translations.Coarse.Length, low = BoundPrefix, first = boundShell, shells = Slices.ShellCount;
        var candidates = particle.Candidates;
        var shellOf = Slices.Pixels.Shells;
        var a = ws.ShellData.AsSpan(0, shells);
        var least = ws.ShellData.AsSpan(shells, shells);
        var most = ws.ShellData.AsSpan(2 * shells, shells);
        a.Clear();
        least.Fill(double.PositiveInfinity);
        most.Clear();
        var centred = ws.Centred;
        var v = particle.NoiseWeight;
        for (int f = low; f < p; f++)
        {
            int j = shellOf[f];
            float re = centred[2 * f], im = centred[(2 * f) + 1];
            a[j] += v[f] * ((re * re) + (im * im));
            double w = ws.NoiseCtf2[f];
            least[j] = Math.Min(least[j], w);
            most[j] = Math.Max(most[j], w);
        }

        var all = ws.AllTranslations.AsSpan(0, tc);
        var cross = ws.Cross.AsSpan(0, tc);
        var rows = ws.CoarseWeighted.AsSpan(0, tc * 2 * p);
        var noiseCtf2Low = ws.NoiseCtf2.AsSpan(0, low);
        bool likelihood = Algorithm == SearchAlgorithm.MaximumLikelihood;
        double bestBound = double.NegativeInfinity;
        int bestHypothesis = 0;
        for (int c = 0; c < count; c++)
        {
            int s = candidates is null ? c : candidates[c];
            var slice = Slices.CoarseSlice(s, ws.CoarseScratch, out var power, out var shellPower);
            double normLow = DotProducts.One(noiseCtf2Low, power[..low]);
            double gain = 0, crossMost = 0, normLeast = normLow, normMost = normLow;
            for (int j = first; j < shells; j++)
            {
                double lo = least[j] * shellPower[j], hi = most[j] * shellPower[j], aj = a[j];
                normMost += hi;
                if (likelihood)
                {
                    double n = Math.Clamp(aj, lo, hi);
                    gain += -n + (2 * Math.Sqrt(n * aj));
                }
                else
                {
                    crossMost += Math.Sqrt(hi * aj);
                    normLeast += lo;
                }
            }

            // Float sums are off by far less than 10⁻⁴ of the cross term's Cauchy–Schwarz bound; the bound allows it.
            double slack = 1e-4 * Math.Sqrt(weightedPower * normMost);
            DotProducts.OneAgainstChosen(slice[..(2 * low)], rows, 2 * p, 0, all, cross);
            double prior = Slices.LogPrior(s) + (candidates is null ? 0 : particle.CandidateLogPrior![c]);
            var row = ws.CoarseScore.AsSpan(c * tc, tc);
            for (int t = 0; t < tc; t++)
            {
                double bound;
                if (likelihood)
                {
                    bound = -(weightedPower + normLow - (2 * cross[t])) + gain + (2 * slack) + prior + ws.CoarseShiftPrior[t];
                }
                else
                {
                    double top = cross[t] + crossMost + slack;
                    double norm = top > 0 ? normLeast : normMost;
                    bound = norm > 0 ? top / Math.Sqrt(norm) : double.PositiveInfinity;
                }

                row[t] = bound;
                if (bound > bestBound)
                {
                    bestBound = bound;
                    bestHypothesis = (c * tc) + t;
                }
            }
        }

        // The hypothesis of highest bound first, for a best score to prune against from the start.
        double margin = likelihood ? 40 : 0;
        int firstSlice = bestHypothesis / tc, firstShift = bestHypothesis % tc;
        var chosen = ws.Chosen.AsSpan(0, tc);
        chosen[0] = firstShift;
        double best = ScoreInFull(particle, ws, firstSlice, chosen[..1], weightedPower, double.NegativeInfinity);
        int evaluated = 1;
        for (int c = 0; c < count; c++)
        {
            var row = ws.CoarseScore.AsSpan(c * tc, tc);
            double threshold = best - margin;
            int m = 0;
            for (int t = 0; t < tc; t++)
            {
                // The first full score is already in place; a bound below the threshold can go.
                if (c == firstSlice && t == firstShift)
                {
                    continue;
                }

                if (row[t] >= threshold)
                {
                    chosen[m++] = t;
                }
                else
                {
                    row[t] = double.NegativeInfinity;
                }
            }

            if (m > 0)
            {
                best = ScoreInFull(particle, ws, c, chosen[..m], weightedPower, best);
                evaluated += m;
            }
        }

        ws.Posterior.CoarseEvaluated = evaluated;
        return best;
    }

    /// <summary>The spectrum translated by (dx, dy) pixels (image(x) → image(x − d)), packed.</summary>
    public static void ShiftSpectrum(ReadOnlySpan<float> packed, FourierPixelSet pixels, double dxPx, double dyPx, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        double ax = -2 * Math.PI * dxPx / pixels.Box, ay = -2 * Math.PI * dyPx / pixels.Box;
        var kx = pixels.Kx;
        var ky = pixels.Ky;
        for (int f = 0; f < pixels.Count; f++)
        {
            var (s, c) = Math.SinCos((ax * kx[f]) + (ay * ky[f]));
            float re = packed[2 * f], im = packed[(2 * f) + 1];
            destination[2 * f] = (float)((re * c) - (im * s));
            destination[(2 * f) + 1] = (float)((re * s) + (im * c));
        }
    }

    internal void FineShifted(int tf, ReadOnlySpan<float> centred, Span<float> destination) =>
        MultiplyPhase(centred, finePhase.AsSpan(tf * 2 * Slices.Pixels.Count, 2 * Slices.Pixels.Count), destination);

    private double Score(double weightedPower, double norm, double cross, double logPrior) => Algorithm == SearchAlgorithm.MaximumLikelihood
        ? -(weightedPower + norm - (2 * cross)) + logPrior
        : norm > 0 ? cross / Math.Sqrt(norm) : double.NegativeInfinity;

    private double ShiftLogPrior((double X, double Y) previous, (double X, double Y) offset)
    {
        if (Algorithm == SearchAlgorithm.CrossCorrelation || !(SigmaOffsetPx > 0))
        {
            return 0;
        }

        double x = previous.X + offset.X, y = previous.Y + offset.Y;
        return -((x * x) + (y * y)) / (2 * SigmaOffsetPx * SigmaOffsetPx);
    }

    private ReadOnlySpan<int> SelectSignificant(ReadOnlySpan<double> scores, double best, PosteriorWorkspace ws, out int count)
    {
        if (Algorithm == SearchAlgorithm.CrossCorrelation)
        {
            int arg = scores.IndexOf(best);
            ws.Order[0] = Math.Max(arg, 0);
            count = 1;
            return ws.Order.AsSpan(0, 1);
        }

        // Only hypotheses within e^-40 of the best can matter; sort those by weight.
        int n = 0;
        double total = 0;
        for (int i = 0; i < scores.Length; i++)
        {
            double d = scores[i] - best;
            if (d > -40)
            {
                double w = Math.Exp(d);
                ws.Order[n] = i;
                ws.SortKey[n] = -w;
                total += w;
                n++;
            }
        }

        Array.Sort(ws.SortKey, ws.Order, 0, n);
        double target = AdaptiveFraction * total, sum = 0;
        count = 0;
        while (count < n)
        {
            sum -= ws.SortKey[count];
            count++;
            if (sum >= target || count == MaxSignificant)
            {
                break;
            }
        }

        return ws.Order.AsSpan(0, count);
    }

    private static float[] PhaseTable(ReadOnlySpan<(double X, double Y)> offsets, FourierPixelSet pixels)
    {
        // Moving the particle back by an offset t multiplies its spectrum by e^{+2πi k·t/n}.
        int p = pixels.Count;
        var table = new float[offsets.Length * 2 * p];
        var kx = pixels.Kx;
        var ky = pixels.Ky;
        for (int t = 0; t < offsets.Length; t++)
        {
            for (int f = 0; f < p; f++)
            {
                var (s, c) = Math.SinCos(2 * Math.PI * ((kx[f] * offsets[t].X) + (ky[f] * offsets[t].Y)) / pixels.Box);
                table[(t * 2 * p) + (2 * f)] = (float)c;
                table[(t * 2 * p) + (2 * f) + 1] = (float)s;
            }
        }

        return table;
    }

    private static void MultiplyPhase(ReadOnlySpan<float> x, ReadOnlySpan<float> phase, Span<float> destination)
    {
        for (int f = 0; f < x.Length; f += 2)
        {
            float re = x[f], im = x[f + 1], c = phase[f], s = phase[f + 1];
            destination[f] = (re * c) - (im * s);
            destination[f + 1] = (re * s) + (im * c);
        }
    }
}
