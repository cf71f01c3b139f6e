namespace CryoSharp.Numerics.Fft;

/// <summary>
/// Per-thread FFTW-aligned input and output buffers. FFTW's new-array execute functions need arrays aligned as
/// the planning arrays were, which managed arrays do not promise; every transform therefore runs on these and
/// copies in and out, which is also where centring and scaling happen for free. The buffers grow to the largest
/// size a thread has needed and are released when the thread's scratch becomes garbage.
/// </summary>
internal sealed unsafe class FftScratch
{
    [ThreadStatic]
    private static FftScratch? current;

    private void* input;
    private void* output;
    private nuint inputBytes;
    private nuint outputBytes;

    /// <summary>This thread's scratch.</summary>
    public static FftScratch Current => current ??= new FftScratch();

    /// <summary>An aligned input buffer of at least <paramref name="bytes"/> bytes.</summary>
    public void* Input(long bytes) => Ensure(ref input, ref inputBytes, bytes);

    /// <summary>An aligned output buffer of at least <paramref name="bytes"/> bytes.</summary>
    public void* Output(long bytes) => Ensure(ref output, ref outputBytes, bytes);

    private static void* Ensure(ref void* buffer, ref nuint size, long bytes)
    {
        if ((nuint)bytes > size)
        {
            if (buffer != null)
            {
                FftwNative.Free(buffer);
            }

            buffer = FftwNative.Malloc((nuint)bytes);
            if (buffer == null)
            {
                throw new OutOfMemoryException($"fftwf_malloc could not allocate {bytes} bytes.");
            }

            size = (nuint)bytes;
        }

        return buffer;
    }

    ~FftScratch()
    {
        if (input != null)
        {
            FftwNative.Free(input);
        }

        if (output != null)
        {
            FftwNative.Free(output);
        }
    }
}
