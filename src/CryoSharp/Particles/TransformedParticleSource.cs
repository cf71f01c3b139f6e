using System.Buffers;
using CryoSharp.Numerics;

namespace CryoSharp.Particles;

/// <summary>
/// A source whose images are another source's, each changed by the same per-image operation (lazily, when read):
/// the base of normalisation, CTF correction, cropping, resampling and masking. Images of a chunk are transformed
/// in parallel; the result of each depends on that image alone, so any chunking gives the same images.
/// </summary>
public abstract class TransformedParticleSource : IParticleSource
{
    /// <summary>Wraps <paramref name="inner"/>; the result has <paramref name="box"/> and <paramref name="pixelSizeA"/>.</summary>
    protected TransformedParticleSource(IParticleSource inner, int box, double pixelSizeA, ComputeContext? context, IReadOnlyList<ParticleRecord>? records = null)
    {
        Inner = inner ?? throw new ArgumentNullException(nameof(inner));
        Box = box;
        PixelSizeA = pixelSizeA;
        Context = context ?? ComputeContext.Default;
        Records = records ?? inner.Records;
    }

    /// <summary>The source transformed.</summary>
    public IParticleSource Inner { get; }

    /// <summary>The threads the transform may use.</summary>
    public ComputeContext Context { get; }

    /// <inheritdoc/>
    public int Count => Inner.Count;

    /// <inheritdoc/>
    public int Box { get; }

    /// <inheritdoc/>
    public double PixelSizeA { get; }

    /// <inheritdoc/>
    public IReadOnlyList<ParticleRecord> Records { get; }

    /// <inheritdoc/>
    public string Description => $"{Inner.Description}, {Step}";

    /// <summary>What the transform does, in a few words.</summary>
    protected abstract string Step { get; }

    /// <inheritdoc/>
    public void ReadImages(int start, int count, Span<float> destination)
    {
        ParticleSource.CheckRange(this, start, count, destination);
        int inLength = Inner.Box * Inner.Box, outLength = Box * Box;
        var input = ArrayPool<float>.Shared.Rent(count * inLength);
        try
        {
            Inner.ReadImages(start, count, input.AsSpan(0, count * inLength));
            var output = ArrayPool<float>.Shared.Rent(count * outLength);
            try
            {
                Parallel.For(0, count, Context.ParallelOptions, CreateWorkspace, (i, _, workspace) =>
                {
                    Transform(input.AsSpan(i * inLength, inLength), output.AsSpan(i * outLength, outLength), start + i, workspace);
                    return workspace;
                }, _ => { });
                output.AsSpan(0, count * outLength).CopyTo(destination);
            }
            finally
            {
                ArrayPool<float>.Shared.Return(output);
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(input);
        }
    }

    /// <summary>Per-thread scratch for <see cref="Transform"/> (null when none is needed).</summary>
    protected virtual object? CreateWorkspace() => null;

    /// <summary>Writes the transform of image <paramref name="index"/> (Inner.Box²) into <paramref name="output"/> (Box²).</summary>
    protected abstract void Transform(ReadOnlySpan<float> input, Span<float> output, int index, object? workspace);
}
