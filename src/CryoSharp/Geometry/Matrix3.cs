namespace CryoSharp.Geometry;

/// <summary>A 3×3 matrix in double precision, row-major (M[row, column]).</summary>
public readonly struct Matrix3 : IEquatable<Matrix3>
{
    private readonly double m00, m01, m02, m10, m11, m12, m20, m21, m22;

    /// <summary>Creates the matrix from its rows.</summary>
    public Matrix3(double m00, double m01, double m02, double m10, double m11, double m12, double m20, double m21, double m22)
    {
        this.m00 = m00;
        this.m01 = m01;
        this.m02 = m02;
        this.m10 = m10;
        this.m11 = m11;
        this.m12 = m12;
        this.m20 = m20;
        this.m21 = m21;
        this.m22 = m22;
    }

    /// <summary>The identity.</summary>
    public static Matrix3 Identity => new(1, 0, 0, 0, 1, 0, 0, 0, 1);

    /// <summary>diag(1, 1, −1): the reflection z → −z (the handedness flip of a reconstruction).</summary>
    public static Matrix3 ReflectZ => new(1, 0, 0, 0, 1, 0, 0, 0, -1);

    /// <summary>The element at (row, column).</summary>
    public double this[int row, int column] => ((row * 3) + column) switch
    {
        0 => m00,
        1 => m01,
        2 => m02,
        3 => m10,
        4 => m11,
        5 => m12,
        6 => m20,
        7 => m21,
        8 => m22,
        _ => throw new ArgumentOutOfRangeException(nameof(row)),
    };

    /// <summary>Row <paramref name="i"/> as a vector.</summary>
    public Vector3d Row(int i) => i switch
    {
        0 => new(m00, m01, m02),
        1 => new(m10, m11, m12),
        2 => new(m20, m21, m22),
        _ => throw new ArgumentOutOfRangeException(nameof(i)),
    };

    /// <summary>Builds a matrix from a 3×3 array.</summary>
    public static Matrix3 FromArray(double[,] a)
    {
        ArgumentNullException.ThrowIfNull(a);
        return new(a[0, 0], a[0, 1], a[0, 2], a[1, 0], a[1, 1], a[1, 2], a[2, 0], a[2, 1], a[2, 2]);
    }

    /// <summary>The matrix as a 3×3 array.</summary>
    public double[,] ToArray() => new[,] { { m00, m01, m02 }, { m10, m11, m12 }, { m20, m21, m22 } };

    /// <summary>The transpose (the inverse, for a rotation).</summary>
    public Matrix3 Transpose() => new(m00, m10, m20, m01, m11, m21, m02, m12, m22);

    /// <summary>Trace.</summary>
    public double Trace => m00 + m11 + m22;

    /// <summary>Determinant.</summary>
    public double Determinant =>
        (m00 * ((m11 * m22) - (m12 * m21))) - (m01 * ((m10 * m22) - (m12 * m20))) + (m02 * ((m10 * m21) - (m11 * m20)));

    /// <summary>Frobenius norm of the difference.</summary>
    public double DistanceFrobenius(Matrix3 o)
    {
        double s = 0;
        for (int r = 0; r < 3; r++)
        {
            for (int c = 0; c < 3; c++)
            {
                double d = this[r, c] - o[r, c];
                s += d * d;
            }
        }

        return Math.Sqrt(s);
    }

    /// <summary>Matrix product.</summary>
    public static Matrix3 operator *(Matrix3 a, Matrix3 b) => new(
        (a.m00 * b.m00) + (a.m01 * b.m10) + (a.m02 * b.m20), (a.m00 * b.m01) + (a.m01 * b.m11) + (a.m02 * b.m21), (a.m00 * b.m02) + (a.m01 * b.m12) + (a.m02 * b.m22),
        (a.m10 * b.m00) + (a.m11 * b.m10) + (a.m12 * b.m20), (a.m10 * b.m01) + (a.m11 * b.m11) + (a.m12 * b.m21), (a.m10 * b.m02) + (a.m11 * b.m12) + (a.m12 * b.m22),
        (a.m20 * b.m00) + (a.m21 * b.m10) + (a.m22 * b.m20), (a.m20 * b.m01) + (a.m21 * b.m11) + (a.m22 * b.m21), (a.m20 * b.m02) + (a.m21 * b.m12) + (a.m22 * b.m22));

    /// <summary>Matrix–vector product.</summary>
    public static Vector3d operator *(Matrix3 a, Vector3d v) => new(
        (a.m00 * v.X) + (a.m01 * v.Y) + (a.m02 * v.Z),
        (a.m10 * v.X) + (a.m11 * v.Y) + (a.m12 * v.Z),
        (a.m20 * v.X) + (a.m21 * v.Y) + (a.m22 * v.Z));

    /// <summary>Element-wise sum.</summary>
    public static Matrix3 operator +(Matrix3 a, Matrix3 b) => new(
        a.m00 + b.m00, a.m01 + b.m01, a.m02 + b.m02, a.m10 + b.m10, a.m11 + b.m11, a.m12 + b.m12, a.m20 + b.m20, a.m21 + b.m21, a.m22 + b.m22);

    /// <summary>Exact equality.</summary>
    public static bool operator ==(Matrix3 a, Matrix3 b) => a.Equals(b);

    /// <summary>Inequality.</summary>
    public static bool operator !=(Matrix3 a, Matrix3 b) => !a.Equals(b);

    /// <inheritdoc />
    public bool Equals(Matrix3 other) => m00 == other.m00 && m01 == other.m01 && m02 == other.m02 && m10 == other.m10 &&
        m11 == other.m11 && m12 == other.m12 && m20 == other.m20 && m21 == other.m21 && m22 == other.m22;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Matrix3 m && Equals(m);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(m00, m01, m02, m10, m11, m12, m20, HashCode.Combine(m21, m22));

    /// <inheritdoc />
    public override string ToString() => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"[[{m00:G6}, {m01:G6}, {m02:G6}], [{m10:G6}, {m11:G6}, {m12:G6}], [{m20:G6}, {m21:G6}, {m22:G6}]]");
}
