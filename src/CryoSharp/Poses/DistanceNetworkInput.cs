using CryoSharp.Numerics;
using CryoSharp.Particles;

namespace CryoSharp.Poses;

/// <summary>
/// Images as the distance network sees them, the same in training and in use: Fourier-cropped to the network's box (a
/// low-pass to its Nyquist) and standardised one by one (mean 0, variance 1), so that neither contrast nor scale carries
/// over from one dataset to another.
/// </summary>
public static class DistanceNetworkInput
{
    /// <summary>The prepared images of every particle of <paramref name="source"/>: count × box² floats.</summary>
    public static float[] Prepare(IParticleSource source, int box, ComputeContext? context = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (box > source.Box)
        {
            throw new InvalidParameterException("network box", box, $"is larger than the particles' box ({source.Box} px): the network needs images of at least its box");
        }

        var resized = box < source.Box ? source.FourierCropped(box, context) : source;
        int length = box * box;
        var images = new float[(long)source.Count * length];
        resized.ReadImages(0, source.Count, images);
        Parallel.For(0, source.Count, (context ?? ComputeContext.Default).ParallelOptions, i =>
        {
            var image = images.AsSpan(i * length, length);
            double sum = 0, squares = 0;
            foreach (float v in image)
            {
                sum += v;
                squares += v * (double)v;
            }

            double mean = sum / length, sd = Math.Sqrt(Math.Max(squares / length - (mean * mean), 0));
            float scale = sd > 0 ? (float)(1 / sd) : 0;
            for (int p = 0; p < length; p++)
            {
                image[p] = (float)((image[p] - mean) * scale);
            }
        });
        return images;
    }
}
