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
    public sealed record FscResult(string A, string B, double PixelSize, double Resolution0143, double Resolution05, IReadOnlyList<FscPoint> Curve, string? Plot);

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
            var a = MrcReader.ReadVolume(parse.GetValue(first)!);
            var b = MrcReader.ReadVolume(parse.GetValue(second)!);
            if (a.Shape != b.Shape || !a.Shape.IsSquareOrCubic)
            {
                throw new CryoSharpException($"{parse.GetValue(first)} is {a.Shape} and {parse.GetValue(second)} is {b.Shape}: the FSC needs two cubic maps of one box");
            }

            if (parse.GetValue(pixel) is double p)
            {
                InvalidParameterException.ThrowIfNotPositive("--pixel-size", p);
                a = new Volume(a.Nx, a.Ny, a.Nz, p, a.Data);
                b = new Volume(b.Nx, b.Ny, b.Nz, p, b.Data);
            }

            FscCurve curve;
            if (parse.GetValue(mask) is { } maskPath)
            {
                var m = MrcReader.ReadVolume(maskPath);
                curve = FourierShellCorrelation.ComputeMasked(a, b, new Volume(m.Nx, m.Ny, m.Nz, a.PixelSizeA, m.Data), globals.Seeds(parse).Spawn("phase-randomisation")).Corrected;
            }
            else
            {
                curve = FourierShellCorrelation.Compute(a, b);
            }

            var plotPath = parse.GetValue(plot);
            if (plotPath is not null)
            {
                FscFigure.Create(curve, "FSC").Save(plotPath);
            }

            var result = new FscResult(parse.GetValue(first)!, parse.GetValue(second)!, a.PixelSizeA, curve.Resolution(0.143), curve.Resolution(0.5),
                [.. curve.Values.Select((v, s) => new FscPoint(s, curve.Frequency(s), v))], plotPath);
            return CommandOutput.Emit(console, parse.GetValue(json), result, (o, r) => o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"FSC = 0.143 at {r.Resolution0143:0.00} Å, FSC = 0.5 at {r.Resolution05:0.00} Å (pixel {r.PixelSize:0.###} Å, Nyquist {2 * r.PixelSize:0.00} Å)")));
        });
        return command;
    }
}
