using TorchSharp;
using static TorchSharp.torch;

namespace CryoSharp.Learning;

/// <summary>Our arrays to tensors and back, in one place (float32 on the CPU unless asked otherwise).</summary>
public static class TensorConversion
{
    /// <summary>A float32 tensor of <paramref name="shape"/> holding <paramref name="values"/> (row-major, copied).</summary>
    public static Tensor FromFloats(float[] values, params long[] shape)
    {
        ArgumentNullException.ThrowIfNull(values);
        Check(values.Length, shape);
        return tensor(values, shape, ScalarType.Float32);
    }

    /// <summary>A tensor of <paramref name="shape"/> from doubles (float32 by default).</summary>
    public static Tensor FromDoubles(double[] values, long[] shape, ScalarType type = ScalarType.Float32)
    {
        ArgumentNullException.ThrowIfNull(values);
        Check(values.Length, shape);
        return tensor(values, shape, ScalarType.Float64).to_type(type);
    }

    /// <summary>The tensor's values, row-major, as doubles.</summary>
    public static double[] ToDoubles(Tensor t)
    {
        ArgumentNullException.ThrowIfNull(t);
        using var d = t.detach().cpu().to_type(ScalarType.Float64).contiguous();
        return d.data<double>().ToArray();
    }

    /// <summary>The tensor's values, row-major, as floats.</summary>
    public static float[] ToFloats(Tensor t)
    {
        ArgumentNullException.ThrowIfNull(t);
        using var f = t.detach().cpu().to_type(ScalarType.Float32).contiguous();
        return f.data<float>().ToArray();
    }

    private static void Check(int length, long[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        long expected = 1;
        foreach (long s in shape)
        {
            expected *= s;
        }

        if (expected != length)
        {
            throw new ArgumentException($"{length} values do not fill a tensor of shape [{string.Join(", ", shape)}]");
        }
    }
}
