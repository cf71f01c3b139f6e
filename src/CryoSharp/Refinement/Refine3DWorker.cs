using CryoSharp.Classification;
using CryoSharp.Geometry;
using CryoSharp.Numerics;
using CryoSharp.Particles;
using CryoSharp.Projection;

namespace CryoSharp.Refinement;

/// <summary>
/// One worker of a 3D refinement iteration: it scores its share of the particles against its half's references and
/// keeps its own M-step sums (one back-projector per class and half, noise residuals, offsets, pose changes), which
/// are merged in worker order at the end.
/// </summary>
internal sealed class Refine3DWorker
{
    private readonly PosteriorSearch[] searches;
    private readonly RefinementOrientations orientations;
    private readonly PosteriorWorkspace workspace;
    private readonly ParticleSpectrum particle;
    private readonly int frequencies;
    private readonly int shells;
    private readonly bool local;
    private readonly double sigmaAngleDeg;
    private readonly int[] slotOfSlice;
    private readonly int[] slotStamp;
    private readonly float[] power;
    private readonly float[] data;
    private readonly float[] weights;
    private readonly float[] scratch;
    private readonly bool batchInsertion;
    private readonly float[]?[][] batchData;
    private readonly float[]?[][] batchWeight;
    private readonly bool[][] isTouched;
    private readonly List<int>[] touched = [[], []];
    private float[][] slotSum = [];
    private double[] slotWeight = [];
    private int[] slotSlice = [];
    private int stamp;

    private readonly Func<int, int>? seedClass;

    // seedClass: for the first pass of a classification from one reference (all classes alike), the class each
    // particle is put in whatever its scores (random subsets, as RELION seeds its classes); null otherwise.
    public Refine3DWorker(PosteriorSearch[] searches, RefinementOrientations orientations, int classes, int box, double pixelSizeA, FourierShells fourierShells,
        bool local, double sigmaAngleDeg, Func<int, int>? seedClass = null)
    {
        this.seedClass = seedClass;
        this.searches = searches;
        this.orientations = orientations;
        this.local = local;
        this.sigmaAngleDeg = sigmaAngleDeg;
        Shells = fourierShells;
        shells = (box / 2) + 1;
        var slices = searches[0].Slices;
        workspace = searches[0].CreateWorkspace();
        frequencies = slices.Pixels.Count;
        particle = new ParticleSpectrum(frequencies);
        if (local)
        {
            particle.Candidates = new int[slices.CoarseCount];
            particle.CandidateLogPrior = new double[slices.CoarseCount];
        }

        slotOfSlice = new int[slices.FineCount];
        slotStamp = new int[slices.FineCount];
        power = new float[frequencies];
        data = new float[2 * frequencies];
        weights = new float[frequencies];
        scratch = new float[3 * frequencies];
        Accumulators = new FourierBackProjector[classes][];
        for (int c = 0; c < classes; c++)
        {
            Accumulators[c] = [new FourierBackProjector(box, pixelSizeA, 2, withWeights: true), new FourierBackProjector(box, pixelSizeA, 2, withWeights: true)];
        }

        ClassWeight = new double[classes];

        // Sums per (half, fine slice) over a chunk of particles, inserted once per chunk when they fit in 128 MB per
        // worker (global searches at low resolution, where every particle touches thousands of orientations);
        // otherwise each particle's orientations are inserted on their own (the same sums, more interpolation).
        batchInsertion = 2L * slices.FineCount * 3 * frequencies * sizeof(float) <= 128L << 20;
        int batchSize = batchInsertion ? slices.FineCount : 0;
        batchData = [new float[]?[batchSize], new float[]?[batchSize]];
        batchWeight = [new float[]?[batchSize], new float[]?[batchSize]];
        isTouched = [new bool[batchSize], new bool[batchSize]];
    }

    /// <summary>The shell of every half-complex frequency of the box.</summary>
    public FourierShells Shells { get; }

    /// <summary>[class][half] back-projections of Σ w·v·C·X and Σ w·v·C².</summary>
    public FourierBackProjector[][] Accumulators { get; }

    public SortedDictionary<int, double[]> Residual { get; } = [];

    public SortedDictionary<int, double[]> FullPower { get; } = [];

    /// <summary>Per optics group and shell, Σ C·Re⟨X̄, R⟩ of the residuals (to re-scale them when the references' grey scale changes).</summary>
    public SortedDictionary<int, double[]> CrossTerm { get; } = [];

    /// <summary>Per optics group and shell, Σ C²|R|² of the residuals.</summary>
    public SortedDictionary<int, double[]> ReferenceTerm { get; } = [];

    public SortedDictionary<int, long> GroupCount { get; } = [];

    public double[] ClassWeight { get; }

    public double OffsetSquares { get; private set; }

    public double LogLikelihood { get; private set; }

    public double OrientationChangeDeg { get; private set; }

    public int OrientationChanges { get; private set; }

    public double OffsetChangePx { get; private set; }

    public double AngularSpreadDeg { get; private set; }

    public long Significant { get; private set; }

    public long CoarseHypotheses { get; private set; }

    public long CoarseEvaluated { get; private set; }

    /// <summary>Σ over particles of Re⟨v·C·X̄, R⟩ at their best hypothesis (for the reference's grey scale).</summary>
    public double ScaleCross { get; private set; }

    /// <summary>Σ over particles of Σ v·C²|R|² at their best hypothesis.</summary>
    public double ScaleNorm { get; private set; }

    /// <summary>Scores particle <paramref name="index"/> against its half's references and adds it to this worker's sums.</summary>
    public void Process(int index, ParticleRecord record, ReadOnlySpan<ComplexF> spectrum, float[] noiseWeight, double logLikelihoodConstant, bool ctf, double ctfStep,
        Refine3DAssignments previous, Refine3DAssignments next)
    {
        int half = previous.Half[index] - 1;
        var search = searches[half];
        var slices = search.Slices;
        var pixels = slices.Pixels;
        particle.Load(pixels, spectrum, noiseWeight, record, ctf, ctfStep);
        particle.PreviousShiftPx = (previous.OffsetXPx[index], previous.OffsetYPx[index]);
        UnitQuaternion? before = previous.HasPose[index]
            ? UnitQuaternion.FromEuler(EulerAngles.FromDegrees(previous.RotDeg[index], previous.TiltDeg[index], previous.PsiDeg[index]))
            : null;
        if (local && before is { } q0)
        {
            int count = 0, g = orientations.CoarseCount;
            for (int c = 0; c < Accumulators.Length; c++)
            {
                count += orientations.Local(q0, sigmaAngleDeg, c * g, particle.Candidates.AsSpan(count), particle.CandidateLogPrior.AsSpan(count));
            }

            particle.CandidateCount = count;
        }
        else
        {
            particle.CandidateCount = 0;
        }

        var saved = particle.Candidates;
        if (!local || before is null)
        {
            particle.Candidates = null;
        }

        search.Search(particle, workspace);
        particle.Candidates = saved;
        var post = workspace.Posterior;
        int group = record.Optics.Number;
        if (!Residual.TryGetValue(group, out var residual))
        {
            residual = Residual[group] = new double[shells];
            FullPower[group] = new double[shells];
            CrossTerm[group] = new double[shells];
            ReferenceTerm[group] = new double[shells];
            GroupCount[group] = 0;
        }

        GroupCount[group]++;
        Classification2D.AddShellPower(spectrum, Shells, FullPower[group]);

        // The answer for this particle.
        int classShift = 0;
        if (seedClass is not null)
        {
            int perClass = orientations.CoarseCount * slices.ChildrenPerCoarse;
            classShift = (seedClass(index) - (post.BestSlice / perClass)) * perClass;
        }

        var (bestClass, bestAngles) = Orientation(post.BestSlice + classShift, slices);
        var bestQuaternion = UnitQuaternion.FromEuler(bestAngles);
        var (rot, tilt, psi) = bestAngles.ToDegrees();
        next.RotDeg[index] = rot;
        next.TiltDeg[index] = tilt;
        next.PsiDeg[index] = psi;
        next.OffsetXPx[index] = post.BestOffsetPx.X;
        next.OffsetYPx[index] = post.BestOffsetPx.Y;
        next.Class[index] = bestClass + 1;
        next.Half[index] = previous.Half[index];
        next.HasPose[index] = true;
        next.MaxProbability[index] = post.MaxProbability;
        next.SignificantSamples[index] = post.SignificantCoarse;
        double logLikelihood = post.LogEvidence + logLikelihoodConstant;
        next.LogLikelihood[index] = logLikelihood;
        LogLikelihood += logLikelihood;
        Significant += post.SignificantCoarse;
        CoarseHypotheses += post.CoarseHypotheses;
        CoarseEvaluated += post.CoarseEvaluated;
        ScaleCross += post.BestCross;
        ScaleNorm += post.BestNorm;
        if (before is { } b)
        {
            OrientationChangeDeg += orientations.Distance(b, bestQuaternion) * 180 / Math.PI;
            OrientationChanges++;
            double dx = post.BestOffsetPx.X - previous.OffsetXPx[index], dy = post.BestOffsetPx.Y - previous.OffsetYPx[index];
            OffsetChangePx += Math.Sqrt((dx * dx) + (dy * dy));
        }

        // Σ_t w·X̄_t and Σ_t w per orientation.
        stamp++;
        int slots = 0;
        var (px, py) = particle.PreviousShiftPx;
        for (int h = 0; h < post.Count; h++)
        {
            int sf = post.Slices[h] + classShift, tf = post.Shifts[h];
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
            System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(workspace.ShiftedSpectrum(tf), (float)w, slotSum[slot], slotSum[slot]);
            slotWeight[slot] += w;
            var t = search.Translations.Fine[tf];
            double ux = px + t.X, uy = py + t.Y;
            OffsetSquares += w * ((ux * ux) + (uy * uy));
        }

        var spectrumPacked = particle.Spectrum;
        for (int f = 0; f < frequencies; f++)
        {
            power[f] = (spectrumPacked[2 * f] * spectrumPacked[2 * f]) + (spectrumPacked[(2 * f) + 1] * spectrumPacked[(2 * f) + 1]);
        }

        var shellOf = pixels.Shells;
        var crossTerms = CrossTerm[group];
        var referenceTerms = ReferenceTerm[group];
        var ctfValues = particle.Ctf;
        var v = particle.NoiseWeight;
        double spread = 0;
        for (int slot = 0; slot < slots; slot++)
        {
            int sf = slotSlice[slot];
            var (cls, angles) = Orientation(sf, slices);
            double weight = slotWeight[slot];
            var sum = slotSum[slot];
            var reference = slices.FineSlice(sf, scratch, out var referencePower);
            for (int f = 0; f < frequencies; f++)
            {
                double vc = v[f] * ctfValues[f];
                data[2 * f] = (float)(vc * sum[2 * f]);
                data[(2 * f) + 1] = (float)(vc * sum[(2 * f) + 1]);
                weights[f] = (float)(vc * ctfValues[f] * weight);
                double cross = (sum[2 * f] * reference[2 * f]) + (sum[(2 * f) + 1] * reference[(2 * f) + 1]);
                double crossTerm = ctfValues[f] * cross, referenceTerm = weight * ctfValues[f] * ctfValues[f] * referencePower[f];
                residual[shellOf[f]] += (weight * power[f]) - (2 * crossTerm) + referenceTerm;
                crossTerms[shellOf[f]] += crossTerm;
                referenceTerms[shellOf[f]] += referenceTerm;
            }

            if (batchInsertion)
            {
                var sumData = batchData[half][sf] ??= new float[2 * frequencies];
                var sumWeight = batchWeight[half][sf] ??= new float[frequencies];
                if (!isTouched[half][sf])
                {
                    isTouched[half][sf] = true;
                    touched[half].Add(sf);
                }

                System.Numerics.Tensors.TensorPrimitives.Add(sumData, data, sumData);
                System.Numerics.Tensors.TensorPrimitives.Add(sumWeight, weights, sumWeight);
            }
            else
            {
                Accumulators[cls][half].InsertSums(angles.ToMatrix(), pixels.Kx, pixels.Ky, data, weights);
            }

            ClassWeight[cls] += weight;
            double angle = orientations.Distance(bestQuaternion, UnitQuaternion.FromEuler(angles)) * 180 / Math.PI;
            spread += weight * angle * angle;
        }

        AngularSpreadDeg += Math.Sqrt(spread);
    }

    /// <summary>Inserts the orientation sums of the particles processed since the last flush.</summary>
    public void Flush()
    {
        var pixels = searches[0].Slices.Pixels;
        for (int half = 0; half < 2; half++)
        {
            var list = touched[half];
            list.Sort();
            foreach (int sf in list)
            {
                var (cls, angles) = Orientation(sf, searches[half].Slices);
                Accumulators[cls][half].InsertSums(angles.ToMatrix(), pixels.Kx, pixels.Ky, batchData[half][sf], batchWeight[half][sf]);
                Array.Clear(batchData[half][sf]!);
                Array.Clear(batchWeight[half][sf]!);
                isTouched[half][sf] = false;
            }

            list.Clear();
        }
    }

    /// <summary>The class and orientation of fine slice <paramref name="sf"/>.</summary>
    private (int Class, EulerAngles Angles) Orientation(int sf, ReferenceSlices slices)
    {
        int cpc = slices.ChildrenPerCoarse, g = orientations.CoarseCount;
        int s = sf / cpc, cls = s / g, o = s % g;
        var angles = cpc == 1 ? orientations.CoarseAngles(o) : orientations.FineAngles(o, sf % cpc);
        return (cls, angles);
    }

    /// <summary>Adds another worker's sums to this one's.</summary>
    public void Merge(Refine3DWorker other)
    {
        for (int c = 0; c < Accumulators.Length; c++)
        {
            Accumulators[c][0].Add(other.Accumulators[c][0]);
            Accumulators[c][1].Add(other.Accumulators[c][1]);
            ClassWeight[c] += other.ClassWeight[c];
        }

        foreach (var (g, residual) in other.Residual)
        {
            if (!Residual.TryGetValue(g, out var mine))
            {
                Residual[g] = (double[])residual.Clone();
                FullPower[g] = (double[])other.FullPower[g].Clone();
                CrossTerm[g] = (double[])other.CrossTerm[g].Clone();
                ReferenceTerm[g] = (double[])other.ReferenceTerm[g].Clone();
                GroupCount[g] = other.GroupCount[g];
                continue;
            }

            var full = FullPower[g];
            for (int s = 0; s < mine.Length; s++)
            {
                mine[s] += residual[s];
                full[s] += other.FullPower[g][s];
                CrossTerm[g][s] += other.CrossTerm[g][s];
                ReferenceTerm[g][s] += other.ReferenceTerm[g][s];
            }

            GroupCount[g] += other.GroupCount[g];
        }

        OffsetSquares += other.OffsetSquares;
        LogLikelihood += other.LogLikelihood;
        OrientationChangeDeg += other.OrientationChangeDeg;
        OrientationChanges += other.OrientationChanges;
        OffsetChangePx += other.OffsetChangePx;
        AngularSpreadDeg += other.AngularSpreadDeg;
        Significant += other.Significant;
        CoarseHypotheses += other.CoarseHypotheses;
        CoarseEvaluated += other.CoarseEvaluated;
        ScaleCross += other.ScaleCross;
        ScaleNorm += other.ScaleNorm;
    }

    /// <summary>
    /// Adds this (merged) worker's sums over the MPI ranks, so that every rank holds the sums of all particles; the
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
                CrossTerm[g] = new double[shells];
                ReferenceTerm[g] = new double[shells];
                GroupCount[g] = 0;
            }
        }

        foreach (var halves in Accumulators)
        {
            communicator.SumInPlace(halves[0].Sums);
            communicator.SumInPlace(halves[1].Sums);
        }

        communicator.SumInPlace(ClassWeight);
        communicator.SumInPlace(Residual);
        communicator.SumInPlace(FullPower);
        communicator.SumInPlace(CrossTerm);
        communicator.SumInPlace(ReferenceTerm);
        communicator.SumInPlace(GroupCount);
        Span<double> sums = [OffsetSquares, LogLikelihood, OrientationChangeDeg, OffsetChangePx, AngularSpreadDeg, ScaleCross, ScaleNorm];
        communicator.SumInPlace(sums);
        (OffsetSquares, LogLikelihood, OrientationChangeDeg, OffsetChangePx, AngularSpreadDeg, ScaleCross, ScaleNorm) =
            (sums[0], sums[1], sums[2], sums[3], sums[4], sums[5], sums[6]);
        Span<long> counts = [OrientationChanges, Significant, CoarseHypotheses, CoarseEvaluated];
        communicator.SumInPlace(counts);
        (OrientationChanges, Significant, CoarseHypotheses, CoarseEvaluated) = ((int)counts[0], counts[1], counts[2], counts[3]);
    }

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
