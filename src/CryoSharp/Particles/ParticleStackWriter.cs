using CryoSharp.IO;
using CryoSharp.IO.Star;

namespace CryoSharp.Particles;

/// <summary>
/// Streams a source's images into one MRC stack, chunk by chunk (bounded memory), writing each chunk while the next
/// is read or computed. The stack appears complete under its name or not at all (<see cref="MrcStackWriter"/>).
/// </summary>
public static class ParticleStackWriter
{
    /// <summary>
    /// Writes every image of <paramref name="source"/> to <paramref name="stackPath"/> and returns the records with
    /// their images referring to it as <paramref name="stackName"/> (index from 1), as a STAR file beside it needs
    /// (made on demand: <see cref="StackedRecords"/>).
    /// Progress is the number of images written.
    /// </summary>
    public static IReadOnlyList<ParticleRecord> Write(IParticleSource source, string stackPath, string stackName, IProgress<long>? progress = null, int chunkSize = 256)
    {
        ArgumentNullException.ThrowIfNull(source);
        var shape = source.ImageShape();
        int chunk = Math.Max(1, Math.Min(chunkSize, source.Count));
        float[][] buffers = [new float[(long)shape.Length * chunk], new float[(long)shape.Length * chunk]];
        using (var writer = new MrcStackWriter(stackPath, shape, source.PixelSizeA))
        {
            Task pending = Task.CompletedTask;
            try
            {
                int turn = 0;
                for (int start = 0; start < source.Count; start += chunk, turn ^= 1)
                {
                    int n = Math.Min(chunk, source.Count - start);
                    var images = buffers[turn];
                    source.ReadImages(start, n, images.AsSpan(0, n * shape.Length));

                    // The previous chunk's write must finish before the writer takes this one (and before its buffer is reused).
                    pending.GetAwaiter().GetResult();
                    int written = start + n, length = n * shape.Length;
                    pending = Task.Run(() =>
                    {
                        writer.Append(images.AsSpan(0, length));
                        progress?.Report(written);
                    });
                }

                pending.GetAwaiter().GetResult();
            }
            finally
            {
                // Whatever happened, no write may still be running when the writer is disposed.
                try
                {
                    pending.Wait();
                }
                catch (AggregateException)
                {
                    // A failed write has already been rethrown, or an earlier error is on its way out.
                }
            }

            writer.Complete();
        }

        return new StackedRecords(source.Records, stackName);
    }
}
