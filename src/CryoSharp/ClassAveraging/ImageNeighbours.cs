namespace CryoSharp.ClassAveraging;

/// <summary>
/// Each image's nearest neighbours under one method, best first, with the in-plane alignment of each neighbour onto
/// the image: neighbour j, reflected (y → −y) first when <see cref="Reflected"/> says so, then its content rotated by
/// <see cref="AngleRad"/> (from +x towards +y), matches image i. Images are numbered from 0 in source order.
/// </summary>
public sealed class ImageNeighbours
{
    /// <summary>Room for <paramref name="count"/> images of <paramref name="perImage"/> neighbours each.</summary>
    public ImageNeighbours(int count, int perImage)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfNegative(perImage);
        Count = count;
        PerImage = perImage;
        Neighbour = new int[count * perImage];
        AngleRad = new double[count * perImage];
        Reflected = new bool[count * perImage];
        Score = new double[count * perImage];
    }

    /// <summary>Images.</summary>
    public int Count { get; }

    /// <summary>Neighbours per image.</summary>
    public int PerImage { get; }

    /// <summary>Neighbour r of image i at [i·PerImage + r].</summary>
    public int[] Neighbour { get; }

    /// <summary>The rotation, radians, that brings the neighbour onto the image.</summary>
    public double[] AngleRad { get; }

    /// <summary>Whether the neighbour is reflected before it is rotated.</summary>
    public bool[] Reflected { get; }

    /// <summary>The method's score of the pair: squared distance for RID (smaller is nearer), affinity for VDM and MFVDM (larger is nearer).</summary>
    public double[] Score { get; }
}
