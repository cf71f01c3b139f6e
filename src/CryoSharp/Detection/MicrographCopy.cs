namespace CryoSharp.Detection;

/// <summary>
/// One copy of the target placed in a micrograph: the top-left corner of its L × L box (column <paramref name="X"/>,
/// row <paramref name="Y"/>, pixels) and its orientation as RELION Euler angles in degrees (for a 2D target only ψ,
/// the in-plane angle, is used, in RELION's sense: the copy is the target turned by <see cref="Imaging.InPlaneRotation"/>
/// through ψ).
/// </summary>
public readonly record struct MicrographCopy(int X, int Y, double RotDeg, double TiltDeg, double PsiDeg);
