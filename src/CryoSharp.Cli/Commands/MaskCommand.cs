using System.CommandLine;
using System.Globalization;
using CryoSharp.Cli.Options;
using CryoSharp.Imaging;
using CryoSharp.IO;

namespace CryoSharp.Cli.Commands;

/// <summary><c>cryosharp mask MAP</c>: a soft solvent mask from a map, the job of <c>relion_mask_create</c>.</summary>
public static class MaskCommand
{
    /// <summary>What the mask is.</summary>
    public sealed record MaskResult(string Mask, string Map, double Threshold, double ExtendA, double SoftEdgeA, double? LowpassA, int Box, double PixelSize,
        double Fraction, double InsideFraction);

    /// <summary>Builds the command.</summary>
    public static Command Create(GlobalOptions globals, CliConsole console)
    {
        ArgumentNullException.ThrowIfNull(globals);
        var map = new Argument<string>("MAP") { Description = "The map to make the mask from (MRC)." };
        var threshold = new Option<double>("--threshold") { Description = "Density at and above which a voxel is inside (RELION's --ini_threshold).", Required = true };
        var extend = new Option<double>("--extend") { Description = "Distance in Å the thresholded mask is grown by (RELION's --extend_inimask, which is in pixels).", DefaultValueFactory = _ => 0 };
        var softEdge = new Option<double>("--soft-edge") { Description = "Width in Å of the raised-cosine edge beyond it (RELION's --width_soft_edge, in pixels).", DefaultValueFactory = _ => 6 };
        var lowpass = new Option<double?>("--lowpass") { Description = "Low-pass the map to this resolution (Å) before thresholding (RELION's --lowpass)." };
        var pixel = SharedOptions.PixelSize("of the map, when its header has none or a wrong one");
        var output = SharedOptions.OutputFile("the mask (.mrc), values from 0 (solvent) to 1 (inside)");
        var json = SharedOptions.Json();
        var command = new Command("mask", "Make a soft mask from a map: threshold, extend by a distance, then a raised-cosine edge (relion_mask_create), for masked FSCs and reconstructions.")
        {
            map, threshold, extend, softEdge, lowpass, pixel, output, json,
        };
        command.SetAction(parse =>
        {
            string mapPath = parse.GetValue(map)!, outPath = parse.GetValue(output)!;
            OutputSafety.RequireFile(outPath, "--out");
            OutputSafety.RefuseOverwritingInputs([(mapPath, "MAP")], [(outPath, "--out")]);
            var volume = MrcReader.ReadVolume(mapPath, parse.GetValue(pixel));
            var mask = SolventMask.Create(volume, parse.GetValue(threshold), parse.GetValue(extend), parse.GetValue(softEdge), parse.GetValue(lowpass));
            MrcWriter.Write(outPath, mask);
            double sum = 0;
            int inside = 0;
            foreach (float v in mask.Data)
            {
                sum += v;
                inside += v >= 1 ? 1 : 0;
            }

            var result = new MaskResult(outPath, mapPath, parse.GetValue(threshold), parse.GetValue(extend), parse.GetValue(softEdge), parse.GetValue(lowpass),
                mask.Nx, mask.PixelSizeA, sum / mask.Data.Length, (double)inside / mask.Data.Length);
            return CommandOutput.Emit(console, parse.GetValue(json), result, (o, r) => o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{r.Mask}: {100 * r.InsideFraction:0.0}% of the box inside, {100 * r.Fraction:0.0}% counting the soft edge ({r.Box} px of {r.PixelSize:0.###} Å)")));
        });
        return command;
    }
}
