using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace CryoSharp.Numerics.Fft;

/// <summary>
/// Fast Fourier transforms of 1D, 2D and 3D grids and of stacks of them, on FFTW3 single precision.
/// Forward is e^{−2πi k·x/n}; scaling follows <see cref="FftScaling"/> (default: forward unscaled, inverse 1/N);
/// real transforms use the half-complex layout (Nx/2+1 values on the fast axis) with the Fourier origin at index 0.
/// With <see cref="FftOrigin.Centered"/> (the default) the real-space origin is at index n/2, so a centred,
/// symmetric object has a real transform. Safe to call from many threads at once.
/// </summary>
public static unsafe class Fft
{
    /// <summary>Real grid → half-complex spectrum.</summary>
    /// <param name="input">Real samples, <see cref="GridShape.Length"/> of them.</param>
    /// <param name="shape">Grid shape.</param>
    /// <param name="output">Half-complex spectrum, <see cref="GridShape.HalfComplexLength"/> values.</param>
    /// <param name="origin">Where the real-space origin lies.</param>
    /// <param name="scaling">Scaling convention.</param>
    /// <param name="context">How plans are chosen (and threads for the largest grids); null for the default.</param>
    public static void Forward(ReadOnlySpan<float> input, GridShape shape, Span<ComplexF> output,
        FftOrigin origin = FftOrigin.Centered, FftScaling scaling = FftScaling.Backward, ComputeContext? context = null) =>
        ForwardBatch(input, shape, 1, output, origin, scaling, context ?? ComputeContext.Default);

    /// <summary>Half-complex spectrum → real grid. The input is not modified.</summary>
    /// <param name="input">Half-complex spectrum, <see cref="GridShape.HalfComplexLength"/> values.</param>
    /// <param name="shape">Real grid shape.</param>
    /// <param name="output">Real samples, <see cref="GridShape.Length"/> of them.</param>
    /// <param name="origin">Where the real-space origin lies.</param>
    /// <param name="scaling">Scaling convention.</param>
    /// <param name="context">How plans are chosen (and threads for the largest grids); null for the default.</param>
    public static void Inverse(ReadOnlySpan<ComplexF> input, GridShape shape, Span<float> output,
        FftOrigin origin = FftOrigin.Centered, FftScaling scaling = FftScaling.Backward, ComputeContext? context = null) =>
        InverseBatch(input, shape, 1, output, origin, scaling, context ?? ComputeContext.Default);

    /// <summary>Complex grid → complex spectrum (full layout, Fourier origin at index 0).</summary>
    public static void Forward(ReadOnlySpan<ComplexF> input, GridShape shape, Span<ComplexF> output,
        FftOrigin origin = FftOrigin.Centered, FftScaling scaling = FftScaling.Backward, ComputeContext? context = null) =>
        ComplexBatch(input, shape, 1, output, FftKind.ComplexForward, origin, scaling, context ?? ComputeContext.Default);

    /// <summary>Complex spectrum (full layout) → complex grid.</summary>
    public static void Inverse(ReadOnlySpan<ComplexF> input, GridShape shape, Span<ComplexF> output,
        FftOrigin origin = FftOrigin.Centered, FftScaling scaling = FftScaling.Backward, ComputeContext? context = null) =>
        ComplexBatch(input, shape, 1, output, FftKind.ComplexInverse, origin, scaling, context ?? ComputeContext.Default);

    /// <summary>
    /// Forward transforms of <paramref name="count"/> real grids stored one after another, through batched
    /// ("many") plans, in parallel over batches (the context's threads).
    /// </summary>
    public static void ForwardMany(ReadOnlySpan<float> input, GridShape shape, int count, Span<ComplexF> output,
        FftOrigin origin = FftOrigin.Centered, FftScaling scaling = FftScaling.Backward, ComputeContext? context = null)
    {
        var c = context ?? ComputeContext.Default;
        CheckLengths(input.Length, (long)shape.Length * count, output.Length, (long)shape.HalfComplexLength * count);
        fixed (float* inPtr = input)
        fixed (ComplexF* outPtr = output)
        {
            var (src, dst) = ((nint)inPtr, (nint)outPtr);
            ForEachBatch(shape, count, c, (first, n) => ForwardBatch(
                new ReadOnlySpan<float>((float*)src + ((long)first * shape.Length), n * shape.Length), shape, n,
                new Span<ComplexF>((ComplexF*)dst + ((long)first * shape.HalfComplexLength), n * shape.HalfComplexLength),
                origin, scaling, c));
        }
    }

    /// <summary>Inverse transforms of <paramref name="count"/> half-complex spectra, batched and in parallel.</summary>
    public static void InverseMany(ReadOnlySpan<ComplexF> input, GridShape shape, int count, Span<float> output,
        FftOrigin origin = FftOrigin.Centered, FftScaling scaling = FftScaling.Backward, ComputeContext? context = null)
    {
        var c = context ?? ComputeContext.Default;
        CheckLengths(input.Length, (long)shape.HalfComplexLength * count, output.Length, (long)shape.Length * count);
        fixed (ComplexF* inPtr = input)
        fixed (float* outPtr = output)
        {
            var (src, dst) = ((nint)inPtr, (nint)outPtr);
            ForEachBatch(shape, count, c, (first, n) => InverseBatch(
                new ReadOnlySpan<ComplexF>((ComplexF*)src + ((long)first * shape.HalfComplexLength), n * shape.HalfComplexLength),
                shape, n,
                new Span<float>((float*)dst + ((long)first * shape.Length), n * shape.Length), origin, scaling, c));
        }
    }

    /// <summary>
    /// Real grid → half-complex spectrum, with the input written straight into FFTW's buffer by
    /// <paramref name="writeInput"/> (origin at index 0; every sample must be written). For large grids built on
    /// the fly, such as a zero-padded volume, this saves allocating and copying a grid of the full size.
    /// </summary>
    public static void Forward(GridShape shape, FftInputWriter writeInput, Span<ComplexF> output, FftScaling scaling = FftScaling.Backward,
        ComputeContext? context = null)
    {
        ArgumentNullException.ThrowIfNull(writeInput);
        CheckLengths(shape.Length, shape.Length, output.Length, shape.HalfComplexLength);
        var scratch = FftScratch.Current;
        var inBuf = (float*)scratch.Input((long)shape.Length * sizeof(float));
        var outBuf = (ComplexF*)scratch.Output((long)shape.HalfComplexLength * sizeof(ComplexF));
        var plan = FftwPlanCache.Shared.Get(Key(FftKind.RealToComplex, shape, 1, context ?? ComputeContext.Default), inBuf, outBuf);
        writeInput(new Span<float>(inBuf, shape.Length));
        FftwNative.ExecuteR2C(plan, inBuf, outBuf);
        CopyScaled(new ReadOnlySpan<ComplexF>(outBuf, shape.HalfComplexLength), output, ForwardScale(shape, scaling));
    }

    /// <summary>
    /// Real grid → half-complex spectrum computed in place in <paramref name="buffer"/>, which must be pinned
    /// (<c>GC.AllocateUninitializedArray(length, pinned: true)</c>) and hold <see cref="GridShape.HalfComplexLength"/>
    /// values. <paramref name="writeInput"/> first writes the real input into the same memory, seen as floats, in
    /// FFTW's padded in-place layout: sample (x, y, z) at ((z·Ny + y)·2(Nx/2 + 1)) + x, origin at index 0. For the
    /// largest grids this halves the memory a transform touches: no scratch, no copy.
    /// </summary>
    public static void ForwardInPlace(GridShape shape, ComplexF[] buffer, FftInputWriter writeInput, ComputeContext? context = null)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        ArgumentNullException.ThrowIfNull(writeInput);
        CheckLengths(buffer.Length, shape.HalfComplexLength, buffer.Length, shape.HalfComplexLength);
        fixed (ComplexF* data = buffer)
        {
            var key = Key(FftKind.RealToComplexInPlace, shape, 1, context ?? ComputeContext.Default) with { Alignment = (int)((nint)data & 63) };
            var plan = FftwPlanCache.Shared.Get(key, data, data);
            writeInput(new Span<float>((float*)data, 2 * shape.HalfComplexLength));
            FftwNative.ExecuteR2C(plan, (float*)data, data);
        }
    }

    /// <summary>
    /// The plan key for a transform: large single grids (2M samples or more, a 128³ volume) also use FFTW's own
    /// threads, since there is no batch to spread over threads.
    /// </summary>
    private static FftPlanKey Key(FftKind kind, GridShape shape, int count, ComputeContext context) =>
        new(kind, shape, count, context.FftPlanning, count == 1 && shape.Length >= 1 << 21 ? context.Threads : 1);

    /// <summary>How many grids of this shape one batched plan transforms at a time (about 1 MB of samples).</summary>
    internal static int BatchSize(GridShape shape) => Math.Clamp((1 << 18) / shape.Length, 1, 64);

    private static void ForEachBatch(GridShape shape, int count, ComputeContext context, Action<int, int> transform)
    {
        int batch = BatchSize(shape);
        int batches = (count + batch - 1) / batch;
        if (batches <= 1 || context.Threads == 1)
        {
            for (int b = 0; b < batches; b++)
            {
                RunBatch(b);
            }

            return;
        }

        Parallel.For(0, batches, context.ParallelOptions, RunBatch);

        void RunBatch(int b)
        {
            int first = b * batch;
            int n = Math.Min(batch, count - first);
            if (n == batch)
            {
                transform(first, n);
            }
            else
            {
                // A short last batch goes through the single-grid plan rather than a plan of its own size,
                // so the cache holds at most two plans per shape.
                for (int i = 0; i < n; i++)
                {
                    transform(first + i, 1);
                }
            }
        }
    }

    private static void ForwardBatch(ReadOnlySpan<float> input, GridShape shape, int count, Span<ComplexF> output,
        FftOrigin origin, FftScaling scaling, ComputeContext context)
    {
        CheckLengths(input.Length, (long)shape.Length * count, output.Length, (long)shape.HalfComplexLength * count);
        var scratch = FftScratch.Current;
        var inBuf = (float*)scratch.Input((long)shape.Length * count * sizeof(float));
        var outBuf = (ComplexF*)scratch.Output((long)shape.HalfComplexLength * count * sizeof(ComplexF));
        var plan = FftwPlanCache.Shared.Get(Key(FftKind.RealToComplex, shape, count, context), inBuf, outBuf);
        for (int i = 0; i < count; i++)
        {
            var src = input.Slice(i * shape.Length, shape.Length);
            var dst = new Span<float>(inBuf + ((long)i * shape.Length), shape.Length);
            if (origin == FftOrigin.Centered)
            {
                Centering.IfftShift(src, dst, shape);
            }
            else
            {
                src.CopyTo(dst);
            }
        }

        FftwNative.ExecuteR2C(plan, inBuf, outBuf);
        int total = shape.HalfComplexLength * count;
        CopyScaled(new ReadOnlySpan<ComplexF>(outBuf, total), output[..total], ForwardScale(shape, scaling));
    }

    private static void InverseBatch(ReadOnlySpan<ComplexF> input, GridShape shape, int count, Span<float> output,
        FftOrigin origin, FftScaling scaling, ComputeContext context)
    {
        CheckLengths(input.Length, (long)shape.HalfComplexLength * count, output.Length, (long)shape.Length * count);
        var scratch = FftScratch.Current;
        int total = shape.HalfComplexLength * count;

        // FFTW's multi-dimensional c2r always overwrites its input, so it runs on a copy.
        var inBuf = (ComplexF*)scratch.Input((long)total * sizeof(ComplexF));
        var outBuf = (float*)scratch.Output((long)shape.Length * count * sizeof(float));
        var plan = FftwPlanCache.Shared.Get(Key(FftKind.ComplexToReal, shape, count, context), inBuf, outBuf);
        input[..total].CopyTo(new Span<ComplexF>(inBuf, total));
        FftwNative.ExecuteC2R(plan, inBuf, outBuf);
        float scale = InverseScale(shape, scaling);
        for (int i = 0; i < count; i++)
        {
            var src = new Span<float>(outBuf + ((long)i * shape.Length), shape.Length);
            var dst = output.Slice(i * shape.Length, shape.Length);
            if (scale != 1f)
            {
                TensorPrimitives.Multiply(src, scale, src);
            }

            if (origin == FftOrigin.Centered)
            {
                Centering.FftShift<float>(src, dst, shape);
            }
            else
            {
                src.CopyTo(dst);
            }
        }
    }

    private static void ComplexBatch(ReadOnlySpan<ComplexF> input, GridShape shape, int count, Span<ComplexF> output,
        FftKind kind, FftOrigin origin, FftScaling scaling, ComputeContext context)
    {
        CheckLengths(input.Length, (long)shape.Length * count, output.Length, (long)shape.Length * count);
        var scratch = FftScratch.Current;
        int total = shape.Length * count;
        var inBuf = (ComplexF*)scratch.Input((long)total * sizeof(ComplexF));
        var outBuf = (ComplexF*)scratch.Output((long)total * sizeof(ComplexF));
        var plan = FftwPlanCache.Shared.Get(Key(kind, shape, count, context), inBuf, outBuf);
        bool forward = kind == FftKind.ComplexForward;
        for (int i = 0; i < count; i++)
        {
            var src = input.Slice(i * shape.Length, shape.Length);
            var dst = new Span<ComplexF>(inBuf + ((long)i * shape.Length), shape.Length);
            if (forward && origin == FftOrigin.Centered)
            {
                Centering.IfftShift(src, dst, shape);
            }
            else
            {
                src.CopyTo(dst);
            }
        }

        FftwNative.ExecuteC2C(plan, inBuf, outBuf);
        float scale = forward ? ForwardScale(shape, scaling) : InverseScale(shape, scaling);
        var result = new Span<ComplexF>(outBuf, total);
        if (scale != 1f)
        {
            var floats = MemoryMarshal.Cast<ComplexF, float>(result);
            TensorPrimitives.Multiply(floats, scale, floats);
        }

        for (int i = 0; i < count; i++)
        {
            var src = result.Slice(i * shape.Length, shape.Length);
            var dst = output.Slice(i * shape.Length, shape.Length);
            if (!forward && origin == FftOrigin.Centered)
            {
                Centering.FftShift<ComplexF>(src, dst, shape);
            }
            else
            {
                src.CopyTo(dst);
            }
        }
    }

    private static void CopyScaled(ReadOnlySpan<ComplexF> source, Span<ComplexF> destination, float scale)
    {
        if (scale == 1f)
        {
            source.CopyTo(destination);
        }
        else
        {
            TensorPrimitives.Multiply(MemoryMarshal.Cast<ComplexF, float>(source), scale,
                MemoryMarshal.Cast<ComplexF, float>(destination));
        }
    }

    private static float ForwardScale(GridShape shape, FftScaling scaling) => scaling switch
    {
        FftScaling.Orthonormal => (float)(1.0 / Math.Sqrt(shape.Length)),
        _ => 1f,
    };

    private static float InverseScale(GridShape shape, FftScaling scaling) => scaling switch
    {
        FftScaling.Backward => (float)(1.0 / shape.Length),
        FftScaling.Orthonormal => (float)(1.0 / Math.Sqrt(shape.Length)),
        _ => 1f,
    };

    private static void CheckLengths(int inputLength, long inputNeeded, int outputLength, long outputNeeded)
    {
        if (inputLength < inputNeeded)
        {
            throw new ArgumentException($"FFT input holds {inputLength} values; the shape needs {inputNeeded}.");
        }

        if (outputLength < outputNeeded)
        {
            throw new ArgumentException($"FFT output holds {outputLength} values; the shape needs {outputNeeded}.");
        }
    }
}
