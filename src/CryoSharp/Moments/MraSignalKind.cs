namespace CryoSharp.Moments;

/// <summary>The families of test signals of the 1D experiments (<see cref="MraSignal.Create"/>).</summary>
public enum MraSignalKind
{
    /// <summary>⌊L/2⌋ + 1 ones, then zeros.</summary>
    Boxcar,

    /// <summary>Independent standard normal entries.</summary>
    Gaussian,

    /// <summary>A sum of 3 Gaussian bumps of random centre, width and signed height.</summary>
    Mixture,
}
