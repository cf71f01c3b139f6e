namespace CryoSharp.Detection;

/// <summary>What a simulated micrograph is made of: the L × L image of the target for any placed copy's pose.</summary>
public interface IMicrographTargets
{
    /// <summary>L, the side of the target's box in pixels.</summary>
    int Size { get; }

    /// <summary>Pixel size in Å.</summary>
    double PixelSizeA { get; }

    /// <summary>Writes the copy's L × L image (row-major) into <paramref name="box"/>. Thread-safe.</summary>
    void Render(in MicrographCopy copy, Span<float> box);

    /// <summary>Draws the pose of a copy (an in-plane angle for an image, a rotation for a volume).</summary>
    MicrographCopy DrawPose(MicrographCopy corner, Numerics.RandomStream random);
}
