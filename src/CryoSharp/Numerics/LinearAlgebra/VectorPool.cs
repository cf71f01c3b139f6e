using System.Numerics;

namespace CryoSharp.Numerics.LinearAlgebra;

/// <summary>Zeroed vectors of one length, handed back for reuse.</summary>
internal sealed class VectorPool(int length)
{
    private readonly Stack<Complex[]> free = new();

    public int Length { get; } = length;

    public Complex[] Rent()
    {
        if (free.TryPop(out var v))
        {
            Array.Clear(v);
            return v;
        }

        return new Complex[Length];
    }

    public void Return(Complex[] v) => free.Push(v);
}
