using CryoSharp.Imaging;
using CryoSharp.Numerics;
using CryoSharp.Numerics.Fft;
using CryoSharp.Particles;

namespace CryoSharp.ClassAveraging;

/// <summary>
/// Class averages from neighbour lists. References are chosen greedily, best neighbourhoods first (the smallest
/// mean RID distance, or the largest mean affinity), each one's members then counted as covered, so that classes
/// overlap little; only when every image is covered are covered images taken as references. Each member is brought
/// onto its reference in real space (reflected y → −y when the list says so, then rotated by its angle, bilinear)
/// and the members are averaged in Fourier space: with CTFs, the multi-image Wiener filter Σ CᵢXᵢ / (Σ Cᵢ² + 1/SSNR),
/// each Cᵢ the member's CTF turned with it (astigmatism angle negated by the reflection, α added by the rotation);
/// without, the mean.
/// </summary>
public static class ClassAverages
{
    /// <summary>Up to <paramref name="count"/> averages of the particles' own box and pixel size.</summary>
    /// <param name="source">The particles (not phase-flipped: the Wiener filter uses the full CTF).</param>
    /// <param name="neighbours">Neighbour lists (images numbered as <paramref name="source"/>).</param>
    /// <param name="count">Averages wanted.</param>
    /// <param name="smallerIsBetter">Whether a smaller neighbour score is nearer (RID distances) or a larger (affinities).</param>
    /// <param name="ctf">Wiener-correct for the members' CTFs.</param>
    /// <param name="ssnr">The SSNR of the Wiener term.</param>
    /// <param name="context">Threads.</param>
    public static ClassAverageSet Build(IParticleSource source, ImageNeighbours neighbours, int count, bool smallerIsBetter, bool ctf, double ssnr,
        ComputeContext? context = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(neighbours);
        var c = context ?? ComputeContext.Default;
        int n = source.Count, k = neighbours.PerImage, box = source.Box, length = box * box;
        var quality = new double[n];
        for (int i = 0; i < n; i++)
        {
            double sum = 0;
            for (int r = 0; r < k; r++)
            {
                sum += neighbours.Score[(i * k) + r];
            }

            quality[i] = (smallerIsBetter ? -sum : sum) / Math.Max(k, 1);
        }

        var order = Enumerable.Range(0, n).OrderByDescending(i => quality[i]).ThenBy(i => i).ToArray();
        var covered = new bool[n];
        var chosen = new List<int>();
        var isReference = new bool[n];
        for (int pass = 0; pass < 2 && chosen.Count < Math.Min(count, n); pass++)
        {
            foreach (int i in order)
            {
                if (chosen.Count >= Math.Min(count, n))
                {
                    break;
                }

                if (isReference[i] || (pass == 0 && covered[i]))
                {
                    continue;
                }

                chosen.Add(i);
                isReference[i] = true;
                covered[i] = true;
                for (int r = 0; r < k; r++)
                {
                    covered[neighbours.Neighbour[(i * k) + r]] = true;
                }
            }
        }

        var shape = GridShape.Square(box);
        var averages = new float[chosen.Count * length];
        var members = new int[chosen.Count][];
        Parallel.For(0, chosen.Count, c.ParallelOptions, a =>
        {
            int reference = chosen[a];
            var list = new List<(int Image, double Angle, bool Reflected)> { (reference, 0, false) };
            for (int r = 0; r < k; r++)
            {
                int o = (reference * k) + r;
                list.Add((neighbours.Neighbour[o], neighbours.AngleRad[o], neighbours.Reflected[o]));
            }

            members[a] = [.. list.Select(m => m.Image)];
            var image = new float[length];
            var turned = new float[length];
            var spectrum = new ComplexF[shape.HalfComplexLength];
            var ctfValues = new float[shape.HalfComplexLength];
            var numerator = new double[2 * shape.HalfComplexLength];
            var denominator = new double[shape.HalfComplexLength];
            var one = c.WithThreads(1);
            foreach (var (member, angle, reflected) in list)
            {
                source.ReadImages(member, 1, image);
                if (reflected)
                {
                    Reflect(image, box);
                }

                // InPlaneRotation moves content by −ψ.
                InPlaneRotation.Rotate(image, box, box, -angle, turned);
                Fft.Forward(turned, shape, spectrum, context: one);
                var model = source.Records[member].Ctf;
                bool useCtf = ctf && model is not null;
                if (useCtf)
                {
                    double phi = reflected ? -model!.DefocusAngleDeg : model!.DefocusAngleDeg;
                    (model with { DefocusAngleDeg = phi + (angle * 180 / Math.PI) }).Fill(ctfValues, box, source.PixelSizeA);
                    if (source.Records[member].Optics.CtfPhaseFlipped)
                    {
                        for (int f = 0; f < ctfValues.Length; f++)
                        {
                            ctfValues[f] = Math.Abs(ctfValues[f]);
                        }
                    }
                }

                for (int f = 0; f < spectrum.Length; f++)
                {
                    double w = useCtf ? ctfValues[f] : 1;
                    numerator[2 * f] += w * spectrum[f].Re;
                    numerator[(2 * f) + 1] += w * spectrum[f].Im;
                    denominator[f] += w * w;
                }
            }

            double regulariser = ctf ? 1 / ssnr : 0;
            for (int f = 0; f < spectrum.Length; f++)
            {
                double d = denominator[f] + regulariser;
                spectrum[f] = d > 0 ? new ComplexF((float)(numerator[2 * f] / d), (float)(numerator[(2 * f) + 1] / d)) : default;
            }

            Fft.Inverse(spectrum, shape, averages.AsSpan(a * length, length), context: one);
        });

        return new ClassAverageSet(box, source.PixelSizeA, averages, [.. chosen], members);
    }

    /// <summary>y → −y about the centre row n/2 (rows whose mirror falls outside the box become 0).</summary>
    internal static void Reflect(Span<float> image, int box)
    {
        int centre = box / 2;
        var copy = image.ToArray();
        for (int y = 0; y < box; y++)
        {
            int source = (2 * centre) - y;
            var row = image.Slice(y * box, box);
            if (source >= 0 && source < box)
            {
                copy.AsSpan(source * box, box).CopyTo(row);
            }
            else
            {
                row.Clear();
            }
        }
    }
}

/// <summary>Class averages with their members.</summary>
/// <param name="Box">Image side, pixels.</param>
/// <param name="PixelSizeA">Pixel size, Å.</param>
/// <param name="Images">The averages, Box² floats each.</param>
/// <param name="References">Each average's reference image (from 0).</param>
/// <param name="Members">Each average's members, the reference first.</param>
public sealed record ClassAverageSet(int Box, double PixelSizeA, float[] Images, int[] References, int[][] Members)
{
    /// <summary>Number of averages.</summary>
    public int Count => References.Length;
}
