using CryoSharp.Imaging;
using CryoSharp.Numerics;
using CryoSharp.Numerics.Fft;

namespace CryoSharp.Reconstruction;

/// <summary>
/// Fourier shell correlation of two maps (or Fourier ring correlation of two images):
/// FSC(s) = Re Σ A·B* / √(Σ|A|² · Σ|B|²) over the Fourier components of shell s (conventions.md shells), with the
/// half-complex components weighted by the number of full-spectrum components they stand for.
/// </summary>
public static class FourierShellCorrelation
{
    /// <summary>The FSC (or FRC) of two grids of equal shape, up to Nyquist.</summary>
    public static FscCurve Compute(RealGrid a, RealGrid b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Shape != b.Shape || !a.Shape.IsSquareOrCubic)
        {
            throw new InvalidParameterException("map shapes", $"{a.Shape} and {b.Shape}", "must be equal and square or cubic");
        }

        return Compute(a.ToFourier().Data, b.ToFourier().Data, a.Shape, a.PixelSizeA);
    }

    /// <summary>The FSC of two half-complex spectra of a grid of <paramref name="shape"/>.</summary>
    public static FscCurve Compute(ReadOnlySpan<ComplexF> a, ReadOnlySpan<ComplexF> b, GridShape shape, double pixelSizeA)
    {
        var shells = new FourierShells(shape);
        int nyquist = shells.NyquistShell;
        var cross = new double[nyquist + 1];
        var powerA = new double[nyquist + 1];
        var powerB = new double[nyquist + 1];
        var shellOf = shells.ShellOfElement;
        int hx = shape.HalfNx;
        for (int i = 0; i < shellOf.Length; i++)
        {
            int s = shellOf[i];
            if (s > nyquist)
            {
                continue;
            }

            double w = FourierIndex.HalfComplexMultiplicity(i % hx, shape.Nx);
            var (x, y) = (a[i], b[i]);
            cross[s] += w * (((double)x.Re * y.Re) + ((double)x.Im * y.Im));
            powerA[s] += w * x.MagnitudeSquared;
            powerB[s] += w * y.MagnitudeSquared;
        }

        var fsc = new double[nyquist + 1];
        for (int s = 0; s <= nyquist; s++)
        {
            double d = Math.Sqrt(powerA[s] * powerB[s]);
            fsc[s] = d > 0 ? cross[s] / d : 0;
        }

        return new FscCurve(fsc, shape.Nx, pixelSizeA);
    }

    /// <summary>
    /// The FSC of two masked maps corrected for the correlation the mask itself creates (Chen et al.,
    /// Ultramicroscopy 135:24, 2013, as RELION's post-processing does): beyond the shell where the unmasked FSC first
    /// falls below 0.8, both maps' phases are randomised, masked and correlated again (FSC_rand), and
    /// FSC_true = (FSC_masked − FSC_rand)/(1 − FSC_rand) there.
    /// </summary>
    public static MaskedFsc ComputeMasked(Volume a, Volume b, Volume mask, SeedSequence seeds)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        ArgumentNullException.ThrowIfNull(mask);
        if (mask.Shape != a.Shape)
        {
            throw new InvalidParameterException("mask shape", mask.Shape, $"must equal the maps' shape {a.Shape}");
        }

        var unmasked = Compute(a, b);
        int randomiseFrom = Math.Max(1, unmasked.FirstShellBelow(0.8));
        var masked = Compute(Masked(a, mask), Masked(b, mask));
        ArgumentNullException.ThrowIfNull(seeds);
        var randomA = PhaseRandomized(a, randomiseFrom, seeds.Spawn("map", 1));
        var randomB = PhaseRandomized(b, randomiseFrom, seeds.Spawn("map", 2));
        var random = Compute(Masked(randomA, mask), Masked(randomB, mask));
        var corrected = new double[masked.Values.Length];
        for (int s = 0; s < corrected.Length; s++)
        {
            corrected[s] = s < randomiseFrom || random.Values[s] >= 1
                ? masked.Values[s]
                : (masked.Values[s] - random.Values[s]) / (1 - random.Values[s]);
        }

        return new MaskedFsc(unmasked, masked, random, new FscCurve(corrected, a.Nx, a.PixelSizeA), randomiseFrom);
    }

    /// <summary>
    /// The map with the phases of every component at shell ≥ <paramref name="fromShell"/> replaced by random ones
    /// (seeded), keeping the spectrum Hermitian so the map stays real.
    /// </summary>
    public static Volume PhaseRandomized(Volume volume, int fromShell, SeedSequence seeds)
    {
        ArgumentNullException.ThrowIfNull(volume);
        var spectrum = volume.ToFourier();
        var shape = volume.Shape;
        var shells = new FourierShells(shape).ShellOfElement;
        ArgumentNullException.ThrowIfNull(seeds);
        var random = seeds.CreateStream();
        int hx = shape.HalfNx;
        for (int z = 0; z < shape.Nz; z++)
        {
            for (int y = 0; y < shape.Ny; y++)
            {
                for (int x = 0; x < hx; x++)
                {
                    int i = (((z * shape.Ny) + y) * hx) + x;
                    if (shells[i] < fromShell)
                    {
                        continue;
                    }

                    if (x == 0 || (shape.Nx % 2 == 0 && x == hx - 1))
                    {
                        // On the kx = 0 (and even Nyquist) plane, (y, z) and (−y, −z) are conjugates: give the pair
                        // opposite phases, set from whichever of the two comes first.
                        int my = y == 0 ? 0 : shape.Ny - y, mz = z == 0 ? 0 : shape.Nz - z;
                        int mate = (((mz * shape.Ny) + my) * hx) + x;
                        if (mate < i)
                        {
                            continue;
                        }

                        double phase = mate == i ? (random.NextInt(2) * Math.PI) : 2 * Math.PI * random.NextDouble();
                        spectrum.Data[i] = Rotate(spectrum.Data[i], phase);
                        if (mate != i)
                        {
                            spectrum.Data[mate] = Rotate(spectrum.Data[mate], -phase);
                        }
                    }
                    else
                    {
                        spectrum.Data[i] = Rotate(spectrum.Data[i], 2 * Math.PI * random.NextDouble());
                    }
                }
            }
        }

        return (Volume)spectrum.ToReal();
    }

    private static ComplexF Rotate(ComplexF c, double phase)
    {
        var (s, co) = Math.SinCos(phase);
        return new ComplexF((float)((c.Re * co) - (c.Im * s)), (float)((c.Re * s) + (c.Im * co)));
    }

    private static Volume Masked(Volume v, Volume mask)
    {
        var result = v.Clone();
        System.Numerics.Tensors.TensorPrimitives.Multiply(result.Data, mask.Data, result.Data);
        return result;
    }
}

/// <summary>The curves of a masked FSC with the phase-randomisation correction.</summary>
/// <param name="Unmasked">FSC of the maps as they are.</param>
/// <param name="Masked">FSC of the masked maps.</param>
/// <param name="PhaseRandomized">FSC of the masked, phase-randomised maps.</param>
/// <param name="Corrected">The corrected FSC: the one to report.</param>
/// <param name="RandomizedFromShell">First shell whose phases were randomised.</param>
public sealed record MaskedFsc(FscCurve Unmasked, FscCurve Masked, FscCurve PhaseRandomized, FscCurve Corrected, int RandomizedFromShell);
