using CryoSharp.Geometry;
using CryoSharp.Imaging;
using CryoSharp.Numerics;
using CryoSharp.Numerics.Fft;
using CryoSharp.Projection;

namespace CryoSharp.Classification;

/// <summary>How well one class average matches the truth.</summary>
/// <param name="Class">Class number, from 1.</param>
/// <param name="Particles">Members.</param>
/// <param name="Correlation">Best normalised correlation of the average with the true projection at the members' mean viewing direction, over in-plane rotations and shifts.</param>
/// <param name="CoherenceDeg">Mean angle between the members' true viewing directions and their mean, in degrees.</param>
public sealed record ClassScore(int Class, int Particles, double Correlation, double CoherenceDeg);

/// <summary>Scores of a whole classification against the truth of a simulation.</summary>
/// <param name="Classes">Each non-empty class.</param>
/// <param name="MeanCorrelation">Mean of the classes' correlations.</param>
/// <param name="WeightedCorrelation">Mean weighted by class size.</param>
/// <param name="ViewCoherenceDeg">Mean over particles of the angle between a particle's true viewing direction and its class's mean, in degrees (random labels give about 86° for uniform views; a perfect classification of K classes, the spread of a 1/K patch of the sphere).</param>
public sealed record ClassificationScore(IReadOnlyList<ClassScore> Classes, double MeanCorrelation, double WeightedCorrelation, double ViewCoherenceDeg);

/// <summary>
/// Scores 2D class averages of simulated particles against the ground truth, the same way for any program that made
/// them: each class's members' true viewing directions give a mean direction; the true map's projection there,
/// rotated and shifted to fit best, is compared with the class average by normalised correlation inside the
/// particle's circle; and the members' spread about their mean direction measures how well the classes sorted the views.
/// </summary>
public static class ClassAverageScore
{
    /// <summary>Scores <paramref name="averages"/> given each particle's class (1..K, 0 for none) and true orientation.</summary>
    /// <param name="averages">The class averages, Box² each, in the map's pixel size.</param>
    /// <param name="classOf">Each particle's class.</param>
    /// <param name="truth">Each particle's true orientation.</param>
    /// <param name="map">The true map (same box and pixel size as the averages).</param>
    /// <param name="radiusPx">Radius of the circle the correlation is computed in, in pixels.</param>
    /// <param name="context">Threads.</param>
    public static ClassificationScore Score(IReadOnlyList<float[]> averages, IReadOnlyList<int> classOf, IReadOnlyList<Matrix3> truth, Volume map, double radiusPx,
        ComputeContext? context = null)
    {
        ArgumentNullException.ThrowIfNull(averages);
        ArgumentNullException.ThrowIfNull(classOf);
        ArgumentNullException.ThrowIfNull(truth);
        ArgumentNullException.ThrowIfNull(map);
        if (classOf.Count != truth.Count)
        {
            throw new ArgumentException($"{classOf.Count} class numbers for {truth.Count} true orientations.", nameof(truth));
        }

        int box = map.Nx, k = averages.Count;
        var projector = new FourierProjector(map, context: context);
        var sums = new Vector3d[k];
        var counts = new int[k];
        for (int i = 0; i < classOf.Count; i++)
        {
            int c = classOf[i] - 1;
            if (c >= 0 && c < k)
            {
                sums[c] += Direction(truth[i]);
                counts[c]++;
            }
        }

        var spread = new double[k];
        for (int i = 0; i < classOf.Count; i++)
        {
            int c = classOf[i] - 1;
            if (c >= 0 && c < k)
            {
                var m = (1 / sums[c].Length) * sums[c];
                spread[c] += Math.Acos(Math.Clamp(Direction(truth[i]).Dot(m), -1, 1)) * 180 / Math.PI;
            }
        }

        var mask = new SphericalMask(GridShape.Square(box), radiusPx, 0);
        var scores = new List<ClassScore>();
        var correlations = new double[k];
        Parallel.For(0, k, (context ?? ComputeContext.Default).ParallelOptions, c =>
        {
            if (counts[c] == 0)
            {
                return;
            }

            var m = (1 / sums[c].Length) * sums[c];
            double rot = Math.Atan2(m.Y, m.X), tilt = Math.Acos(Math.Clamp(m.Z, -1, 1));
            var projection = new float[box * box];
            projector.Project(new EulerAngles(rot, tilt, 0).ToMatrix(), projection);
            correlations[c] = BestCorrelation(averages[c], projection, box, mask);
        });

        double weighted = 0, total = 0, coherence = 0;
        for (int c = 0; c < k; c++)
        {
            if (counts[c] > 0)
            {
                scores.Add(new ClassScore(c + 1, counts[c], correlations[c], spread[c] / counts[c]));
                weighted += correlations[c] * counts[c];
                total += counts[c];
                coherence += spread[c];
            }
        }

        return new ClassificationScore(scores, scores.Count > 0 ? scores.Average(s => s.Correlation) : 0, total > 0 ? weighted / total : 0,
            total > 0 ? coherence / total : 0);
    }

    /// <summary>The viewing direction of an orientation: the beam in the map's frame, the third row of RELION's matrix.</summary>
    public static Vector3d Direction(Matrix3 a) => a.Row(2);

    /// <summary>Max over in-plane rotations (1° steps) and circular shifts of the normalised correlation inside the mask.</summary>
    private static double BestCorrelation(float[] average, float[] projection, int box, SphericalMask mask)
    {
        var shape = GridShape.Square(box);
        var a = Standardised(average, mask);
        var fa = new ComplexF[shape.HalfComplexLength];
        Fft.Forward(a, shape, fa, FftOrigin.Corner);
        var rotated = new float[box * box];
        var fb = new ComplexF[shape.HalfComplexLength];
        var cc = new float[box * box];
        double best = -1;
        for (int deg = 0; deg < 360; deg++)
        {
            InPlaneRotation.Rotate(projection, box, box, deg * Math.PI / 180, rotated);
            var b = Standardised(rotated, mask);
            Fft.Forward(b, shape, fb, FftOrigin.Corner);
            for (int i = 0; i < fb.Length; i++)
            {
                fb[i] = fa[i] * fb[i].Conjugate;
            }

            Fft.Inverse(fb, shape, cc, FftOrigin.Corner, FftScaling.None);
            for (int i = 0; i < cc.Length; i++)
            {
                best = Math.Max(best, cc[i] / (double)(box * box));
            }
        }

        return best;
    }

    /// <summary>The image inside the mask with zero mean and unit norm; zero outside.</summary>
    private static float[] Standardised(float[] image, SphericalMask mask)
    {
        double sum = 0, n = 0;
        for (int i = 0; i < image.Length; i++)
        {
            if (mask.Weights[i] > 0)
            {
                sum += image[i];
                n++;
            }
        }

        double mean = sum / n, norm = 0;
        var result = new float[image.Length];
        for (int i = 0; i < image.Length; i++)
        {
            if (mask.Weights[i] > 0)
            {
                result[i] = (float)(image[i] - mean);
                norm += result[i] * result[i];
            }
        }

        float scale = norm > 0 ? (float)(1 / Math.Sqrt(norm)) : 0;
        for (int i = 0; i < result.Length; i++)
        {
            result[i] *= scale;
        }

        return result;
    }
}
