namespace CryoSharp.Simulation;

/// <summary>The built-in maps to simulate from.</summary>
public enum PhantomKind
{
    /// <summary>An asymmetric molecule of Gaussian blobs (<see cref="Imaging.GaussianBlobPhantom"/>), seeded.</summary>
    Blobs,

    /// <summary>Four Gaussian blobs in a chain (the method-of-moments papers' small test volume), seeded.</summary>
    FourGaussians,

    /// <summary>The 3D Shepp–Logan phantom (<see cref="SheppLoganPhantom"/>).</summary>
    SheppLogan,
}
