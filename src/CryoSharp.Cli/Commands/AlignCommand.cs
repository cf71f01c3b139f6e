using System.CommandLine;
using System.Globalization;
using CryoSharp.Cli.Options;
using CryoSharp.Geometry;
using CryoSharp.IO;
using CryoSharp.Reconstruction;
using CryoSharp.Refinement;

namespace CryoSharp.Cli.Commands;

/// <summary><c>cryosharp align A.mrc B.mrc --out A_aligned.mrc</c>: the rotation, shift and hand that best fit map A onto map B.</summary>
public static class AlignCommand
{
    /// <summary>What the alignment found.</summary>
    /// <param name="Output">The aligned map.</param>
    /// <param name="RotDeg">RELION Euler angles of the rotation, in degrees.</param>
    /// <param name="TiltDeg">Tilt, in degrees.</param>
    /// <param name="PsiDeg">Psi, in degrees.</param>
    /// <param name="Matrix">The rotation matrix, by rows.</param>
    /// <param name="ShiftA">The shift after the rotation, in Å (x, y, z).</param>
    /// <param name="Reflected">Whether A had the other hand.</param>
    /// <param name="Correlation">Real-space correlation after alignment, at the search resolution.</param>
    /// <param name="Fsc05">Resolution in Å where the FSC of the aligned A with B falls below 0.5.</param>
    public sealed record AlignResult(string Output, double RotDeg, double TiltDeg, double PsiDeg, double[][] Matrix, double[] ShiftA, bool Reflected, double Correlation, double Fsc05);

    /// <summary>Builds the command.</summary>
    public static Command Create(GlobalOptions globals, CliConsole console)
    {
        ArgumentNullException.ThrowIfNull(globals);
        var moving = new Argument<string>("A") { Description = "The map to move (MRC)." };
        var fixedMap = new Argument<string>("B") { Description = "The map to fit it onto (MRC, same box and pixel size)." };
        var output = SharedOptions.OutputFile("A rotated, shifted (and inverted) onto B");
        var resolution = new Option<double>("--search-resolution") { Description = "Both maps are low-passed to this resolution (Å) for the search.", DefaultValueFactory = _ => 20.0 };
        var sameHand = new Option<bool>("--same-hand") { Description = "Do not try the other hand (A inverted through its centre)." };
        var json = SharedOptions.Json();
        var command = new Command("align", "Fit map A onto map B: a global search over orientations (and hand), then local refinement of rotation and shift; prints them and the FSC after alignment.")
        {
            moving, fixedMap, output, resolution, sameHand, json,
        };
        command.SetAction(parse =>
        {
            string aPath = parse.GetValue(moving)!, bPath = parse.GetValue(fixedMap)!, outPath = parse.GetValue(output)!;
            OutputSafety.RefuseOverwritingInputs([(aPath, "A"), (bPath, "B")], [(outPath, "--out")]);
            var a = MrcReader.ReadVolume(aPath, null, "--pixel-size of A");
            var b = MrcReader.ReadVolume(bPath, null, "--pixel-size of B");
            if (a.Nx != b.Nx || a.Ny != b.Ny || a.Nz != b.Nz)
            {
                throw new InvalidFileException(aPath, $"is {a.Nx}×{a.Ny}×{a.Nz}, {bPath} {b.Nx}×{b.Ny}×{b.Nz}: resample one to the other's box first");
            }

            if (Math.Abs(a.PixelSizeA - b.PixelSizeA) > 1e-3 * b.PixelSizeA)
            {
                throw new InvalidFileException(aPath, string.Create(CultureInfo.InvariantCulture, $"has {a.PixelSizeA:0.####} Å/px, {bPath} {b.PixelSizeA:0.####}: resample one first"));
            }

            var found = MapAlignment.Align(a, b, !parse.GetValue(sameHand), parse.GetValue(resolution), globals.Context(parse));
            var aligned = MapAlignment.Apply(a, found);
            MrcWriter.Write(outPath, aligned);
            var (rot, tilt, psi) = EulerAngles.FromMatrix(found.Rotation).ToDegrees();
            var r = found.Rotation;
            var result = new AlignResult(Path.GetFullPath(outPath), rot, tilt, psi,
                [[r[0, 0], r[0, 1], r[0, 2]], [r[1, 0], r[1, 1], r[1, 2]], [r[2, 0], r[2, 1], r[2, 2]]], [found.ShiftA.X, found.ShiftA.Y, found.ShiftA.Z],
                found.Reflected, found.Correlation, FourierShellCorrelation.Compute(aligned, b).Resolution(0.5));
            return CommandOutput.Emit(console, parse.GetValue(json), result, (o, x) => o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"rotation (rot, tilt, psi) = ({x.RotDeg:0.00}°, {x.TiltDeg:0.00}°, {x.PsiDeg:0.00}°), shift ({x.ShiftA[0]:0.00}, {x.ShiftA[1]:0.00}, {x.ShiftA[2]:0.00}) Å{(x.Reflected ? ", other hand" : "")}; correlation {x.Correlation:0.0000}; FSC 0.5 at {x.Fsc05:0.00} Å  {x.Output}")));
        });
        return command;
    }
}
