using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace CryoSharp.Numerics;

/// <summary>
/// A single-precision complex number laid out as FFTW's <c>fftwf_complex</c> (real part, then imaginary part),
/// so that spans of it can be handed to FFTW without copying.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct ComplexF : IEquatable<ComplexF>
{
    /// <summary>Real part.</summary>
    public float Re;

    /// <summary>Imaginary part.</summary>
    public float Im;

    /// <summary>Creates <c>re + i·im</c>.</summary>
    public ComplexF(float re, float im)
    {
        Re = re;
        Im = im;
    }

    /// <summary>Zero.</summary>
    public static ComplexF Zero => default;

    /// <summary>|z|².</summary>
    public readonly float MagnitudeSquared
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => (Re * Re) + (Im * Im);
    }

    /// <summary>|z|.</summary>
    public readonly float Magnitude => MathF.Sqrt(MagnitudeSquared);

    /// <summary>arg z in radians, in (−π, π].</summary>
    public readonly float Phase => MathF.Atan2(Im, Re);

    /// <summary>The complex conjugate.</summary>
    public readonly ComplexF Conjugate => new(Re, -Im);

    /// <summary>e^{iφ} for φ in radians.</summary>
    public static ComplexF FromPolar(float magnitude, float phase)
    {
        var (s, c) = MathF.SinCos(phase);
        return new ComplexF(magnitude * c, magnitude * s);
    }

    /// <summary>Sum.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ComplexF operator +(ComplexF a, ComplexF b) => new(a.Re + b.Re, a.Im + b.Im);

    /// <summary>Difference.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ComplexF operator -(ComplexF a, ComplexF b) => new(a.Re - b.Re, a.Im - b.Im);

    /// <summary>Negation.</summary>
    public static ComplexF operator -(ComplexF a) => new(-a.Re, -a.Im);

    /// <summary>Product.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ComplexF operator *(ComplexF a, ComplexF b) =>
        new((a.Re * b.Re) - (a.Im * b.Im), (a.Re * b.Im) + (a.Im * b.Re));

    /// <summary>Scaling by a real number.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ComplexF operator *(ComplexF a, float s) => new(a.Re * s, a.Im * s);

    /// <summary>Scaling by a real number.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ComplexF operator *(float s, ComplexF a) => new(a.Re * s, a.Im * s);

    /// <summary>Equality of both parts.</summary>
    public static bool operator ==(ComplexF a, ComplexF b) => a.Equals(b);

    /// <summary>Inequality of either part.</summary>
    public static bool operator !=(ComplexF a, ComplexF b) => !a.Equals(b);

    /// <inheritdoc />
    public readonly bool Equals(ComplexF other) => Re.Equals(other.Re) && Im.Equals(other.Im);

    /// <inheritdoc />
    public override readonly bool Equals(object? obj) => obj is ComplexF other && Equals(other);

    /// <inheritdoc />
    public override readonly int GetHashCode() => HashCode.Combine(Re, Im);

    /// <inheritdoc />
    public override readonly string ToString() =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"({Re}, {Im})");
}
