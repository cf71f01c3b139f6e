using CryoSharp.Numerics;
using CryoSharp.Particles;

namespace CryoSharp.Classification;

/// <summary>
/// One worker of a 2D classification iteration: it scores its share of the particles and keeps its own M-step
/// sums (class accumulators, noise residuals, priors, offsets), which are merged in worker order at the end.
/// </summary>
internal sealed class Class2DWorker
{
    private readonly PosteriorSearch search;
    private readonly InPlaneSampling psi;
    private readonly PosteriorWorkspace workspace;
    private readonly ParticleSpectrum particle;
    private readonly int frequencies;
    private readonly int shells;
    private readonly int[] slotOfSlice;
    private readonly int[] slotStamp;
    private readonly double[] packedData;
    private readonly double[] packedWeight;
    private readonly float[] power;
    private float[][] slotSum = [];
    private double[] slotWeight = [];
    private int[] slotSlice = [];
    private int stamp;
    private readonly float[]?[] sliceData;
    private readonly float[]?[] sliceWeight;
    private readonly List<int> touched = [];
    private readonly bool[] isTouched;
    private readonly bool batchInsertion;
    private readonly float[] packedDataF;
    private readonly float[] packedWeightF;

    public Class2DWorker(PosteriorSearch search, InPlaneSampling psi, int classes, FourierShells fourierShells, int groups = 1)
    {
        GroupSignalProduct = new double[groups];
        GroupReferencePower = new double[groups];
        this.search = search;
        this.psi = psi;
        Shells = fourierShells;
        shells = (fourierShells.Shape.Nx / 2) + 1;
        int box = fourierShells.Shape.Nx;
        workspace = search.CreateWorkspace();
        frequencies = search.Slices.Pixels.Count;
        particle = new ParticleSpectrum(frequencies);
        slotOfSlice = new int[search.Slices.FineCount];
        slotStamp = new int[search.Slices.FineCount];
        packedData = new double[2 * frequencies];
        packedWeight = new double[frequencies];
        power = new float[frequencies];
        packedDataF = new float[2 * frequencies];
        packedWeightF = new float[frequencies];
        sliceData = new float[]?[search.Slices.FineCount];
        sliceWeight = new float[]?[search.Slices.FineCount];
        isTouched = new bool[search.Slices.FineCount];

        // Sums per fine slice over a chunk of particles, inserted into the classes once per chunk, when they fit in
        // 128 MB per worker; otherwise every particle is inserted on its own (the same sums, more interpolation).
        batchInsertion = (long)search.Slices.FineCount * 3 * frequencies * sizeof(float) <= 128L << 20;
        Classes = new PaddedSpectrumAccumulator[classes];
        for (int c = 0; c < classes; c++)
        {
            Classes[c] = new PaddedSpectrumAccumulator(box);
        }

        ClassWeight = new double[classes];
        ClassMembers = new double[classes];
        PsiSpread = new double[classes];
        ShiftSpread = new double[classes];
    }

    /// <summary>The shell of every half-complex frequency of the box.</summary>
    public FourierShells Shells { get; }

    public PaddedSpectrumAccumulator[] Classes { get; }

    public SortedDictionary<int, double[]> Residual { get; } = [];

    public SortedDictionary<int, double[]> FullPower { get; } = [];

    public SortedDictionary<int, long> GroupCount { get; } = [];

    public double[] ClassWeight { get; }

    public double[] ClassMembers { get; }

    public double[] PsiSpread { get; }

    public double[] ShiftSpread { get; }

    public double OffsetSquares { get; private set; }

    /// <summary>Per particle group, Σ w·Re(X̄·C·A) over the kept hypotheses and frequencies in use (CTF without the group's scale).</summary>
    public double[] GroupSignalProduct { get; }

    /// <summary>Per particle group, Σ w·|C·A|² over the same: the least-squares scale of the group is the ratio.</summary>
    public double[] GroupReferencePower { get; }

    public double LogLikelihood { get; private set; }

    /// <summary>Scores particle <paramref name="index"/> and adds it to this worker's sums.</summary>
    public void Process(int index, ParticleRecord record, ReadOnlySpan<ComplexF> spectrum, float[] noiseWeight, double logLikelihoodConstant, bool ctf, double ctfStep,
        Class2DAssignments previous, Class2DAssignments next, int group = 0, double scale = 1)
    {
        var pixels = search.Slices.Pixels;
        particle.Load(pixels, spectrum, noiseWeight, record, ctf, ctfStep);
        if (scale != 1)
        {
            // The group's scale multiplies the reference wherever the CTF does: in the scores, the residuals and the insertion.
            System.Numerics.Tensors.TensorPrimitives.Multiply(particle.Ctf, (float)scale, particle.Ctf);
        }

        particle.PreviousShiftPx = (previous.OffsetXPx[index], previous.OffsetYPx[index]);
        search.Search(particle, workspace);
        var post = workspace.Posterior;
        int g = record.Optics.Number;
        if (!Residual.TryGetValue(g, out var residual))
        {
            residual = Residual[g] = new double[shells];
            FullPower[g] = new double[shells];
            GroupCount[g] = 0;
        }

        GroupCount[g]++;
        Classification2D.AddShellPower(spectrum, Shells, FullPower[g]);

        // The answer for this particle.
        var slices = search.Slices;
        int bestClass = slices.ClassOfFine(post.BestSlice);
        double bestPsi = PsiOf(post.BestSlice);
        next.Class[index] = bestClass + 1;
        next.PsiDeg[index] = bestPsi;
        next.OffsetXPx[index] = post.BestOffsetPx.X;
        next.OffsetYPx[index] = post.BestOffsetPx.Y;
        next.MaxProbability[index] = post.MaxProbability;
        next.SignificantSamples[index] = post.SignificantCoarse;
        double logLikelihood = post.LogEvidence + logLikelihoodConstant;
        next.LogLikelihood[index] = logLikelihood;
        LogLikelihood += logLikelihood;

        // Sum the kept hypotheses over translations for each slice: Σ_t w·X̄_t and Σ_t w.
        stamp++;
        int slots = 0;
        var (px, py) = particle.PreviousShiftPx;
        double psiSpread = 0, shiftSpread = 0;
        for (int h = 0; h < post.Count; h++)
        {
            int sf = post.Slices[h], tf = post.Shifts[h];
            double w = post.Weights[h];
            if (slotStamp[sf] != stamp)
            {
                slotStamp[sf] = stamp;
                slotOfSlice[sf] = slots;
                EnsureSlots(slots + 1);
                Array.Clear(slotSum[slots]);
                slotWeight[slots] = 0;
                slotSlice[slots] = sf;
                slots++;
            }

            int slot = slotOfSlice[sf];
            var x = workspace.ShiftedSpectrum(tf);
            // Per particle the weights sum to 1, so float sums lose nothing that matters; the classes accumulate in double.
            System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(x, (float)w, slotSum[slot], slotSum[slot]);

            slotWeight[slot] += w;
            var t = search.Translations.Fine[tf];
            double ux = px + t.X, uy = py + t.Y;
            OffsetSquares += w * ((ux * ux) + (uy * uy));
            double dpsi = PsiOf(sf) - bestPsi;
            dpsi -= 360 * Math.Round(dpsi / 360);
            psiSpread += w * dpsi * dpsi;
            double dx = ux - post.BestOffsetPx.X, dy = uy - post.BestOffsetPx.Y;
            shiftSpread += w * ((dx * dx) + (dy * dy));
        }

        ClassMembers[bestClass]++;
        PsiSpread[bestClass] += Math.Sqrt(psiSpread);
        ShiftSpread[bestClass] += Math.Sqrt(shiftSpread);

        // |X|² per frequency (the same for every translation).
        var spectrumPacked = particle.Spectrum;
        for (int f = 0; f < frequencies; f++)
        {
            power[f] = (spectrumPacked[2 * f] * spectrumPacked[2 * f]) + (spectrumPacked[(2 * f) + 1] * spectrumPacked[(2 * f) + 1]);
        }

        var shellOf = pixels.Shells;
        var c = particle.Ctf;
        var v = particle.NoiseWeight;
        double signalProduct = 0, referencePowerSum = 0;
        for (int slot = 0; slot < slots; slot++)
        {
            int sf = slotSlice[slot];
            int cls = slices.ClassOfFine(sf);
            double weight = slotWeight[slot];
            var sum = slotSum[slot];
            var reference = slices.Fine(sf);
            var referencePower = slices.FinePower(sf);
            for (int f = 0; f < frequencies; f++)
            {
                double vc = v[f] * c[f];
                packedDataF[2 * f] = (float)(vc * sum[2 * f]);
                packedDataF[(2 * f) + 1] = (float)(vc * sum[(2 * f) + 1]);
                packedWeightF[f] = (float)(vc * c[f] * weight);
                double cross = (sum[2 * f] * reference[2 * f]) + (sum[(2 * f) + 1] * reference[(2 * f) + 1]);

                // Re(X̄·CA) and |CA|²: the residual's cross and reference terms are also the scale's sums (2·x is exact).
                double product = c[f] * cross, modelPower = weight * c[f] * c[f] * referencePower[f];
                residual[shellOf[f]] += (weight * power[f]) - (2 * product) + modelPower;
                signalProduct += product;
                referencePowerSum += modelPower;
            }

            if (batchInsertion)
            {
                if (sliceData[sf] is null)
                {
                    sliceData[sf] = new float[2 * frequencies];
                    sliceWeight[sf] = new float[frequencies];
                }

                if (!isTouched[sf])
                {
                    isTouched[sf] = true;
                    touched.Add(sf);
                }

                System.Numerics.Tensors.TensorPrimitives.Add(sliceData[sf]!, packedDataF, sliceData[sf]!);
                System.Numerics.Tensors.TensorPrimitives.Add(sliceWeight[sf]!, packedWeightF, sliceWeight[sf]!);
            }
            else
            {
                InsertSlice(sf, packedDataF, packedWeightF);
            }

            ClassWeight[cls] += weight;
        }

        GroupSignalProduct[group] += signalProduct / scale;
        GroupReferencePower[group] += referencePowerSum / (scale * scale);

    }

    /// <summary>
    /// What the E-step's scores leave out of a particle's log-likelihood, the same for every particle of an optics group:
    /// the noise density, the uniform angle prior and the offset prior's normalisation. In RELION's units (forward
    /// transforms scaled by 1/N, N = Box²), so that the numbers compare with RELION's and grow as frequencies are added:
    /// v' = v·N², log v' = log v + 2 log N per frequency. Zero for template matching, whose scores are correlations.
    /// </summary>
    public static double LogLikelihoodConstant(ReadOnlySpan<float> noiseWeight, int box, PosteriorSearch search, int fineOrientations)
    {
        ArgumentNullException.ThrowIfNull(search);
        if (search.Algorithm != SearchAlgorithm.MaximumLikelihood)
        {
            return 0;
        }

        double constant = 0;
        foreach (float v in noiseWeight)
        {
            constant += Math.Log(v / Math.PI);
        }

        constant += noiseWeight.Length * 2 * Math.Log((double)box * box);
        double step = search.Translations.FineStepPx, sigma = search.SigmaOffsetPx;
        constant -= Math.Log(fineOrientations);
        constant += Math.Log(step * step / (2 * Math.PI * sigma * sigma));
        return constant;
    }

    /// <summary>Inserts the slice sums of the particles processed since the last flush into the class accumulators.</summary>
    public void Flush()
    {
        touched.Sort();
        foreach (int sf in touched)
        {
            InsertSlice(sf, sliceData[sf]!, sliceWeight[sf]!);
            Array.Clear(sliceData[sf]!);
            Array.Clear(sliceWeight[sf]!);
            isTouched[sf] = false;
        }

        touched.Clear();
    }

    private void InsertSlice(int sf, ReadOnlySpan<float> data, ReadOnlySpan<float> weight)
    {
        for (int i = 0; i < data.Length; i++)
        {
            packedData[i] = data[i];
        }

        for (int i = 0; i < weight.Length; i++)
        {
            packedWeight[i] = weight[i];
        }

        Classes[search.Slices.ClassOfFine(sf)].Insert(PsiOf(sf) * Math.PI / 180, search.Slices.Pixels, packedData, packedWeight);
    }

    /// <summary>Adds another worker's sums to this one's.</summary>
    public void Merge(Class2DWorker other)
    {
        for (int c = 0; c < Classes.Length; c++)
        {
            Classes[c].Add(other.Classes[c]);
            ClassWeight[c] += other.ClassWeight[c];
            ClassMembers[c] += other.ClassMembers[c];
            PsiSpread[c] += other.PsiSpread[c];
            ShiftSpread[c] += other.ShiftSpread[c];
        }

        foreach (var (g, residual) in other.Residual)
        {
            if (!Residual.TryGetValue(g, out var mine))
            {
                Residual[g] = (double[])residual.Clone();
                FullPower[g] = (double[])other.FullPower[g].Clone();
                GroupCount[g] = other.GroupCount[g];
                continue;
            }

            var full = FullPower[g];
            for (int s = 0; s < mine.Length; s++)
            {
                mine[s] += residual[s];
                full[s] += other.FullPower[g][s];
            }

            GroupCount[g] += other.GroupCount[g];
        }

        for (int g = 0; g < GroupSignalProduct.Length; g++)
        {
            GroupSignalProduct[g] += other.GroupSignalProduct[g];
            GroupReferencePower[g] += other.GroupReferencePower[g];
        }

        OffsetSquares += other.OffsetSquares;
        LogLikelihood += other.LogLikelihood;
    }

    /// <summary>
    /// Adds this (merged) worker's sums over the MPI ranks, so that every rank holds the sums of all particles. The
    /// optics groups of <paramref name="groups"/> are made present first, so that every rank adds the same arrays.
    /// </summary>
    public void SumOver(Distributed.Communicator communicator, IEnumerable<int> groups)
    {
        ArgumentNullException.ThrowIfNull(communicator);
        ArgumentNullException.ThrowIfNull(groups);
        if (!communicator.IsDistributed)
        {
            return;
        }

        foreach (int g in groups)
        {
            if (!Residual.ContainsKey(g))
            {
                Residual[g] = new double[shells];
                FullPower[g] = new double[shells];
                GroupCount[g] = 0;
            }
        }

        foreach (var accumulator in Classes)
        {
            accumulator.SumOver(communicator);
        }

        communicator.SumInPlace(ClassWeight);
        communicator.SumInPlace(ClassMembers);
        communicator.SumInPlace(PsiSpread);
        communicator.SumInPlace(ShiftSpread);
        communicator.SumInPlace(GroupSignalProduct);
        communicator.SumInPlace(GroupReferencePower);
        communicator.SumInPlace(Residual);
        communicator.SumInPlace(FullPower);
        communicator.SumInPlace(GroupCount);
        Span<double> scalars = [OffsetSquares, LogLikelihood];
        communicator.SumInPlace(scalars);
        OffsetSquares = scalars[0];
        LogLikelihood = scalars[1];
    }

    private double PsiOf(int fineSlice) => psi.FineDeg(fineSlice % psi.FineCount);

    private void EnsureSlots(int count)
    {
        if (slotSum.Length >= count)
        {
            return;
        }

        int size = Math.Max(count, Math.Max(8, 2 * slotSum.Length));
        int old = slotSum.Length;
        Array.Resize(ref slotSum, size);
        Array.Resize(ref slotWeight, size);
        Array.Resize(ref slotSlice, size);
        for (int i = old; i < size; i++)
        {
            slotSum[i] = new float[2 * frequencies];
        }
    }
}
