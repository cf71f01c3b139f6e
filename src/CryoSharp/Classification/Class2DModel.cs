namespace CryoSharp.Classification;

/// <summary>
/// The model a 2D classification iterates (RELION's model.star): the class averages, their priors, the noise
/// spectrum of each optics group, the signal spectrum of each class, the offset prior and the resolution in use.
/// Spectra are per Fourier shell 0..Box/2, in the units of an unscaled forward FFT of the images.
/// </summary>
public sealed class Class2DModel
{
    /// <summary>Box of the images, in pixels.</summary>
    public required int Box { get; init; }

    /// <summary>Pixel size, in Å.</summary>
    public required double PixelSizeA { get; init; }

    /// <summary>The iteration that produced this model (0: the random start).</summary>
    public required int Iteration { get; init; }

    /// <summary>Class averages, Box² pixels each (centre at Box/2), without CTF.</summary>
    public required float[][] Classes { get; init; }

    /// <summary>Prior probability of each class (rlnClassDistribution).</summary>
    public required double[] ClassPriors { get; init; }

    /// <summary>σ²(s) of the noise per real or imaginary component, per optics group number (rlnSigma2Noise).</summary>
    public required SortedDictionary<int, double[]> NoiseSpectra { get; init; }

    /// <summary>τ²(s), the signal power per frequency of each class (rlnReferenceTau2).</summary>
    public required double[][] SignalSpectra { get; init; }

    /// <summary>SSNR per shell of each class average, T·τ²·Σw (rlnSsnrMap); zero for the random start.</summary>
    public required double[][] SpectralSignalToNoise { get; init; }

    /// <summary>σ of the prior on offsets, in Å (rlnSigmaOffsetsAngst).</summary>
    public required double SigmaOffsetA { get; init; }

    /// <summary>Radius of the frequencies the next iteration uses, in Fourier pixels (RELION's current_size / 2).</summary>
    public required int CurrentRadiusPx { get; init; }

    /// <summary>Estimated resolution of each class, in Å (rlnEstimatedResolution).</summary>
    public required double[] ResolutionA { get; init; }

    /// <summary>Mean posterior spread of the in-plane angle of each class's particles, in degrees (rlnAccuracyRotations).</summary>
    public required double[] AccuracyRotationDeg { get; init; }

    /// <summary>Mean posterior spread of the offsets of each class's particles, in Å (rlnAccuracyTranslationsAngst).</summary>
    public required double[] AccuracyTranslationA { get; init; }

    /// <summary>The data's log-likelihood under the model of the previous iteration (rlnLogLikelihood).</summary>
    public required double LogLikelihood { get; init; }

    /// <summary>
    /// Intensity-scale correction of each particle group (<see cref="ParticleGroups"/>, rlnGroupScaleCorrection), by
    /// which the references are multiplied before they are compared with the group's images; its mean over particles
    /// is 1. Null when the correction is off (every scale 1).
    /// </summary>
    public IReadOnlyList<double>? GroupScales { get; init; }

    /// <summary>Number of classes.</summary>
    public int ClassCount => Classes.Length;

    /// <summary>Number of Fourier shells in each spectrum (Box/2 + 1).</summary>
    public int ShellCount => (Box / 2) + 1;
}
