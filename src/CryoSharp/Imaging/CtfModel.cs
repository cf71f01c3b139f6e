using CryoSharp.Numerics;

namespace CryoSharp.Imaging;

/// <summary>
/// The contrast transfer function of one particle, exactly as RELION's <c>CTF::getCTF</c> (conventions.md):
/// for a spatial frequency u = (X, Y) in 1/Å,
/// CTF(u) = −sin(γ(u))·exp(−B|u|²/4)·scale with
/// γ(u) = −πλΔf(u)|u|² + (π/2)·Cs·λ³|u|⁴ − phase shift − atan(Q0/√(1−Q0²)),
/// Δf(u) = (U+V)/2 + (U−V)/2·cos(2(atan2(Y, X) − angle)). At u = 0 it is +Q0; the first lobe is positive.
/// </summary>
public sealed record CtfModel
{
    /// <summary>Defocus along the major axis in Å (underfocus positive).</summary>
    public double DefocusUA { get; init; } = 15000;

    /// <summary>Defocus along the minor axis in Å (underfocus positive).</summary>
    public double DefocusVA { get; init; } = 15000;

    /// <summary>Angle of the U axis from x, in degrees.</summary>
    public double DefocusAngleDeg { get; init; }

    /// <summary>Acceleration voltage in kV.</summary>
    public double VoltageKv { get; init; } = 300;

    /// <summary>Spherical aberration Cs in mm.</summary>
    public double SphericalAberrationMm { get; init; } = 2.7;

    /// <summary>Amplitude contrast Q0, a fraction in [0, 1).</summary>
    public double AmplitudeContrast { get; init; } = 0.1;

    /// <summary>Phase-plate phase shift in degrees.</summary>
    public double PhaseShiftDeg { get; init; }

    /// <summary>B-factor of the envelope in Å².</summary>
    public double BFactorA2 { get; init; }

    /// <summary>Overall scale.</summary>
    public double Scale { get; init; } = 1;

    /// <summary>Electron wavelength in Å: 12.2643247/√(V(1 + 0.978466·10⁻⁶·V)), V in volts (relativistic).</summary>
    public double WavelengthA
    {
        get
        {
            double v = VoltageKv * 1e3;
            return 12.2643247 / Math.Sqrt(v * (1 + (v * 0.978466e-6)));
        }
    }

    /// <summary>
    /// Throws an <see cref="InvalidParameterException"/> naming the first impossible value (negative defocus,
    /// non-positive voltage, amplitude contrast outside [0, 1), non-finite numbers).
    /// </summary>
    public void Validate()
    {
        Check("defocus U (Å)", DefocusUA, DefocusUA >= 0, "must not be negative (underfocus is positive)");
        Check("defocus V (Å)", DefocusVA, DefocusVA >= 0, "must not be negative (underfocus is positive)");
        Check("voltage (kV)", VoltageKv, VoltageKv > 0, "must be positive");
        Check("Cs (mm)", SphericalAberrationMm, SphericalAberrationMm >= 0, "must not be negative");
        Check("amplitude contrast", AmplitudeContrast, AmplitudeContrast is >= 0 and < 1, "must be in [0, 1)");
        Check("defocus angle (°)", DefocusAngleDeg, true, "");
        Check("phase shift (°)", PhaseShiftDeg, true, "");
        Check("CTF B-factor (Å²)", BFactorA2, true, "");
        Check("CTF scale", Scale, true, "");

        static void Check(string name, double value, bool ok, string requirement)
        {
            if (!double.IsFinite(value))
            {
                throw new InvalidParameterException(name, value, "must be a finite number");
            }

            if (!ok)
            {
                throw new InvalidParameterException(name, value, requirement);
            }
        }
    }

    /// <summary>The CTF at spatial frequency (X, Y) in 1/Å.</summary>
    public double Value(double x, double y) => new Evaluator(this).Value(x, y);

    /// <summary>
    /// Fills a half-complex 2D array of CTF values (real) for a square box of <paramref name="box"/> pixels of
    /// <paramref name="pixelSizeA"/> Å, in the layout of <see cref="Numerics.Fft.Fft.Forward(ReadOnlySpan{float}, GridShape, Span{ComplexF}, Numerics.Fft.FftOrigin, Numerics.Fft.FftScaling, ComputeContext)"/>.
    /// </summary>
    public void Fill(Span<float> destination, int box, double pixelSizeA)
    {
        var shape = GridShape.Square(box);
        if (destination.Length < shape.HalfComplexLength)
        {
            throw new ArgumentException($"Destination holds {destination.Length} values; box {box} needs {shape.HalfComplexLength}.");
        }

        var evaluator = new Evaluator(this);
        double step = 1 / (box * pixelSizeA);
        for (int y = 0; y < box; y++)
        {
            double fy = FourierIndex.Frequency(y, box) * step;
            int row = y * shape.HalfNx;
            for (int x = 0; x < shape.HalfNx; x++)
            {
                destination[row + x] = (float)evaluator.Value(x * step, fy);
            }
        }
    }

    /// <summary>
    /// CTF values at frequencies (<paramref name="kx"/>[i], <paramref name="ky"/>[i]) × <paramref name="stepPerA"/>
    /// (1/Å), for spectra packed on a list of frequencies rather than a grid.
    /// </summary>
    public void Fill(Span<float> destination, ReadOnlySpan<float> kx, ReadOnlySpan<float> ky, double stepPerA)
    {
        var evaluator = new Evaluator(this);
        for (int i = 0; i < kx.Length; i++)
        {
            destination[i] = (float)evaluator.Value(kx[i] * stepPerA, ky[i] * stepPerA);
        }
    }

    /// <summary>
    /// The CTF over the whole Fourier plane of a box, origin at the centre (n/2, n/2), for display: the picture
    /// of Thon rings a person expects.
    /// </summary>
    public Image ToImage(int box, double pixelSizeA)
    {
        var image = new Image(box, box, pixelSizeA);
        var evaluator = new Evaluator(this);
        double step = 1 / (box * pixelSizeA);
        for (int y = 0; y < box; y++)
        {
            for (int x = 0; x < box; x++)
            {
                image[x, y] = (float)evaluator.Value((x - (box / 2)) * step, (y - (box / 2)) * step);
            }
        }

        return image;
    }

    /// <summary>The constants of the formula, computed once per particle.</summary>
    private readonly struct Evaluator
    {
        private readonly double k1, k2, k3, k4, k5, mean, half, angle, scale, cos2a, sin2a;

        public Evaluator(CtfModel m)
        {
            double lambda = m.WavelengthA;
            double cs = m.SphericalAberrationMm * 1e7;
            k1 = Math.PI / 2 * cs * lambda * lambda * lambda;
            k2 = Math.PI * lambda;
            k3 = Math.Atan(m.AmplitudeContrast / Math.Sqrt(1 - (m.AmplitudeContrast * m.AmplitudeContrast)));
            k4 = -m.BFactorA2 / 4;
            k5 = m.PhaseShiftDeg * Math.PI / 180;
            mean = (m.DefocusUA + m.DefocusVA) / 2;
            half = (m.DefocusUA - m.DefocusVA) / 2;
            angle = m.DefocusAngleDeg * Math.PI / 180;
            scale = m.Scale;
            (sin2a, cos2a) = Math.SinCos(2 * angle);
        }

        public double Value(double x, double y)
        {
            double u2 = (x * x) + (y * y);

            // cos 2(θ − α) with θ = atan2(y, x), without the atan2 and the cosine: cos 2θ = (x² − y²)/u²,
            // sin 2θ = 2xy/u². At u = 0 the defocus term vanishes anyway; RELION takes θ = 0 there.
            double cos2 = u2 > 0 ? ((((x * x) - (y * y)) * cos2a) + (2 * x * y * sin2a)) / u2 : cos2a;
            double deltaF = mean + (half * cos2);
            double gamma = (k1 * u2 * u2) - (k2 * deltaF * u2) - k5 - k3;
            double value = -Math.Sin(gamma) * scale;
            return k4 != 0 ? value * Math.Exp(k4 * u2) : value;
        }
    }
}
