using System.CommandLine;
using System.Globalization;
using CryoSharp.Cli.Options;
using CryoSharp.Imaging;
using CryoSharp.IO;
using CryoSharp.Reconstruction;
using CryoSharp.Reports;

namespace CryoSharp.Cli.Commands;

/// <summary><c>cryosharp fsc A.mrc B.mrc</c>: the Fourier shell correlation of two maps and the resolution.</summary>
public static class FscCommand
{
    /// <summary>One shell of the curve.</summary>
    public sealed record FscPoint(int Shell, double Frequency, double Fsc);

    /// <summary>The FSC of two maps.</summary>
    public sealed record FscResult(string A, string B, double PixelSize, double Resolution0143, double Resolution05, bool Crosses0143, bool Crosses05,
        IReadOnlyList<FscPoint> Curve, string? Plot);

    /// <summary>Builds the command.</summary>
    public static Command Create(GlobalOptions globals, CliConsole console)
    {
        ArgumentNullException.ThrowIfNull(globals);
        var first = new Argument<string>("A") { Description = "A map (MRC), for example half map 1." };
        var second = new Argument<string>("B") { Description = "A map of the same box, for example half map 2 or the ground truth." };
        var mask = SharedOptions.Mask("the FSC");
        var pixel = SharedOptions.PixelSize("of both maps, when the header of A has none or a wrong one");
        var plot = SharedOptions.Plot("the curve");
        var json = SharedOptions.Json();
        var command = new Command("fsc", "Fourier shell correlation of two maps, with the resolution (Å) where it falls below 0.143 (half maps) and 0.5 (against a reference), linearly interpolated.")
        {
            first, second, mask, pixel, plot, json,
        };
        command.SetAction(parse =>
        {
            string pathA = parse.GetValue(first)!, pathB = parse.GetValue(second)!;
            double? forced = parse.GetValue(pixel);
            var a = MrcReader.ReadVolume(pathA, forced);
            var b = MrcReader.ReadVolume(pathB, forced ?? a.PixelSizeA);
            if (a.Shape != b.Shape || !a.Shape.IsSquareOrCubic)
            {
                throw new CryoSharpException($"{pathA} is {a.Shape} and {pathB} is {b.Shape}: the FSC needs two cubic maps of one box");
            }

            double headerB = HeaderPixelSize(pathB);
            if (forced is null && headerB > 0 && Math.Abs(headerB - a.PixelSizeA) > 1e-3 * a.PixelSizeA)
            {
                throw new InvalidFileException(pathB, string.Create(CultureInfo.InvariantCulture,
                    $"has {headerB:0.####} Å pixels but {pathA} has {a.PixelSizeA:0.####} Å: maps of different pixel sizes cannot be compared shell by shell (give --pixel-size if a header is wrong)"));
            }

            FscCurve curve;
            LinePlot figure;
            if (parse.GetValue(mask) is { } maskPath)
            {
                var m = MrcReader.ReadVolume(maskPath);
                if (m.Shape != a.Shape)
                {
                    throw new InvalidFileException(maskPath, $"the mask is {m.Shape}, but the maps are {a.Shape}: give a mask of the same box");
                }

                var masked = FourierShellCorrelation.ComputeMasked(a, b, new Volume(m.Nx, m.Ny, m.Nz, a.PixelSizeA, m.Data), globals.Seeds(parse).Spawn("phase-randomisation"));
                (curve, figure) = (masked.Corrected, FscFigure.Create(masked));
            }
            else
            {
                curve = FourierShellCorrelation.Compute(a, b);
                figure = FscFigure.Create(curve, "FSC");
            }

            var plotPath = parse.GetValue(plot);
            if (plotPath is not null)
            {
                OutputSafety.RefuseOverwritingInputs([(pathA, "A"), (pathB, "B"), (parse.GetValue(mask), "--mask")], [(plotPath, "--plot")]);
                figure.Save(plotPath);
            }

            var result = new FscResult(pathA, pathB, a.PixelSizeA, curve.Resolution(0.143), curve.Resolution(0.5), curve.Crosses(0.143), curve.Crosses(0.5),
                [.. curve.Values.Select((v, s) => new FscPoint(s, curve.Frequency(s), v))], plotPath);
            return CommandOutput.Emit(console, parse.GetValue(json), result, (o, r) => o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"FSC = 0.143 (between half maps): {curve.DescribeResolution(0.143)}; FSC = 0.5 (against a reference map): {curve.DescribeResolution(0.5)} (pixel {r.PixelSize:0.###} Å, Nyquist {2 * r.PixelSize:0.00} Å)")));
        });
        return command;
    }

    private static double HeaderPixelSize(string path)
    {
        using var reader = new MrcReader(path);
        return reader.PixelSizeA;
    }
}
